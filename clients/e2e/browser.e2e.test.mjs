// End-to-end in a real headless Chromium: users sign in on the example page with Amplify's default set-up (the access
// token goes to the API), list and upload under their own S3 prefix on the embedded AWS, see every scope with why it
// is or is not available, vend TENANT_FILES when they have a tenant, read every failure as a sentence,
// and see a write outside their prefix refused by the credentials themselves.
//
// It proves the wiring (Amplify sign-in against the local Cognito, the vendCredentials mutation from the
// browser, the provider feeding the S3 client, CORS for the page's origin) and, because `vend serve` enforces
// IAM on vended credentials by default, that the session policy confines the browser's S3 client to the
// user's prefix: the refusal reaches the page as S3's AccessDenied, readable through CORS.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { startExampleServer } from '../example/serve.mjs';
import { failureLog, keysInBucket, launchChromium, makeStateDir, OUTPUT_DIR, startPage, startVendServe } from './harness.mjs';

const STEP_TIMEOUT_MS = 30_000;
const UNLISTED_ORIGIN = 'http://127.0.0.1:9';

/** Everything the suite starts, so `after` can stop it whatever failed. */
const world = { secrets: new Set(), consoleLines: [], requestUrls: [], passwords: new Set(), tokenUses: new Set(), failed: false };

// A failure is recorded (diagnostics are printed only then); every credential seen is redacted from them.
const { check, redact } = failureLog(world);

async function openPageAs(username, { baseUrl = world.page.url } = {}) {
  const context = await world.browser.newContext();
  const page = await context.newPage();
  const password = world.server.state.users.find((u) => u.username === username)?.password;
  if (password) world.passwords.add(password);
  // Every URL the page asks for, to prove below that the password is never in one.
  page.on('request', (request) => world.requestUrls.push(request.url()));
  // Which token type each GraphQL request carried (the claim only; the token is never kept).
  page.on('request', (request) => {
    if (request.url() !== world.server.state.graphql_url || request.method() !== 'POST') return;
    const payload = (request.headers().authorization ?? '').split('.')[1];
    if (payload) world.tokenUses.add(JSON.parse(Buffer.from(payload, 'base64url').toString()).token_use);
  });
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  page.on('console', (msg) => world.consoleLines.push(`[${username}] ${msg.type()}: ${msg.text()}`));
  page.on('pageerror', (error) => world.consoleLines.push(`[${username}] pageerror: ${error.message}`));
  // Remember every credential the page receives, only to prove below that it never shows or logs one.
  page.on('response', async (response) => {
    if (response.url() !== world.server.state.graphql_url || response.request().method() !== 'POST') return;
    const body = await response.json().catch(() => null);
    const creds = body?.data?.vendCredentials;
    if (creds) {
      world.secrets.add(creds.secretAccessKey);
      world.secrets.add(creds.sessionToken);
    }
  });
  await page.goto(baseUrl);
  await page.waitForSelector('body[data-ready="true"]');
  const user = world.server.state.users.find((u) => u.username === username);
  assert.ok(user, `no demo user ${username}`);
  await page.fill('#username', username);
  await page.fill('#password', user.password);
  await page.click('#sign-in button[type="submit"]');
  await page.locator('#who', { hasText: username }).waitFor();
  assert.equal(await page.locator('#sign-in').isHidden(), true, 'the sign-in form is still shown');
  return { context, page, user, prefix: `users/${user.sub}/` };
}

async function objectsShown(page) {
  return (await page.locator('#objects li').allTextContents()).map((t) => t.trim());
}

/** Each scope row of the page: availability, reason, text and how many Get credentials buttons it offers. */
async function scopeRows(page) {
  await page.locator('#scope-list li').first().waitFor();
  return page.$$eval('#scope-list li', (items) =>
    Object.fromEntries(
      items.map((li) => [
        li.dataset.scope,
        {
          available: li.dataset.available,
          reason: li.dataset.reason,
          text: li.textContent ?? '',
          buttons: li.querySelectorAll('button.get').length,
        },
      ]),
    ),
  );
}

async function upload(page, name, text) {
  await page.setInputFiles('#file', { name, mimeType: 'text/plain', buffer: Buffer.from(text) });
  await page.click('#upload button[type="submit"]');
  await page.locator('#objects li', { hasText: name }).waitFor();
  await page.locator('#status', { hasText: `Uploaded ${name}.` }).waitFor();
}

function bucketKeys() {
  return keysInBucket(world.server.state);
}

async function screenshot(page, name) {
  await mkdir(OUTPUT_DIR, { recursive: true });
  const path = join(OUTPUT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

describe('example page in headless Chromium against vend serve', { timeout: 240_000 }, () => {
  before(check(async () => {
    world.stateDir = await makeStateDir();
    world.page = await startPage(world.stateDir.stateFile);
    // Both loopback origins of the page, as the README's command allows them.
    world.server = await startVendServe({ corsOrigins: world.page.origins, stateFile: world.stateDir.stateFile });
    world.browser = await launchChromium();
  }));

  after(async () => {
    const failed = world.failed;
    if (failed && world.consoleLines.length > 0) {
      console.error(`browser console (credentials redacted):\n${redact(world.consoleLines.slice(-40).join('\n'))}`);
    }
    if (failed && world.server) console.error(`vend serve stderr (tail):\n${redact(world.server.stderr())}`);
    await world.browser?.close().catch(() => undefined);
    await world.server?.stop();
    await world.page?.close();
    await world.stateDir?.remove();
  });

  it('alice and bob each see their own objects, and their uploads land under their own prefix', check(async () => {
    // GIVEN alice and bob signed in, in separate browser contexts
    const alice = await openPageAs('alice');
    const bob = await openPageAs('bob');
    world.alice = alice;
    world.bob = bob;
    assert.notEqual(alice.user.sub, bob.user.sub);
    assert.equal(await alice.page.textContent('#prefix'), alice.prefix);
    assert.equal(await bob.page.textContent('#prefix'), bob.prefix);

    // THEN each page lists the object seeded under that user's own prefix
    await alice.page.locator('#objects li', { hasText: 'hello.txt' }).waitFor();
    await bob.page.locator('#objects li', { hasText: 'hello.txt' }).waitFor();

    // WHEN each uploads a file through the page
    await upload(alice.page, 'alice-notes.txt', 'written by alice\n');
    await upload(bob.page, 'bob-notes.txt', 'written by bob\n');

    // THEN in the bucket, each file is under its owner's prefix and nowhere else
    const keys = await bucketKeys();
    assert.ok(keys.includes(`${alice.prefix}alice-notes.txt`), 'alice-notes.txt is not under alice’s prefix');
    assert.ok(keys.includes(`${bob.prefix}bob-notes.txt`), 'bob-notes.txt is not under bob’s prefix');
    assert.deepEqual(keys.filter((k) => k.endsWith('alice-notes.txt')), [`${alice.prefix}alice-notes.txt`]);
    assert.deepEqual(keys.filter((k) => k.endsWith('bob-notes.txt')), [`${bob.prefix}bob-notes.txt`]);

    // AND each page shows exactly that user's objects (after a fresh listing for alice: bob uploaded last)
    await alice.page.reload();
    await alice.page.locator('#objects li', { hasText: 'alice-notes.txt' }).waitFor();
    assert.deepEqual(await objectsShown(alice.page), ['alice-notes.txt', 'hello.txt']);
    assert.deepEqual(await objectsShown(bob.page), ['bob-notes.txt', 'hello.txt']);
    assert.equal(await alice.page.textContent('#who'), 'alice');
    await screenshot(alice.page, 'alice-own-prefix');
    await screenshot(bob.page, 'bob-own-prefix');
  }));

  it('alice sees every scope: the ones she can get with a button, the others with the reason', check(async () => {
    const { page } = world.alice ?? (await openPageAs('alice'));
    const rows = await scopeRows(page);
    assert.deepEqual(Object.keys(rows), ['S3_OWN_PREFIX', 'DYNAMODB_OWN_ITEMS', 'REPORTS_READ', 'TENANT_FILES']);
    for (const name of ['S3_OWN_PREFIX', 'DYNAMODB_OWN_ITEMS']) {
      assert.equal(rows[name].available, 'true', name);
      assert.equal(rows[name].buttons, 1, `${name} has no Get credentials button`);
    }
    assert.equal(rows.REPORTS_READ.available, 'false');
    assert.equal(rows.REPORTS_READ.reason, 'NOT_IN_GROUP');
    assert.match(rows.REPORTS_READ.text, /Not available: You are not in a group that may request REPORTS_READ\./);
    assert.equal(rows.TENANT_FILES.available, 'false');
    assert.equal(rows.TENANT_FILES.reason, 'CLAIM_MISSING');
    assert.match(rows.TENANT_FILES.text, /Not available: Scope TENANT_FILES needs the custom:tenant_id claim/);
    // AND neither is offered: no button, and no reports or tenant section
    assert.equal(rows.REPORTS_READ.buttons + rows.TENANT_FILES.buttons, 0);
    assert.equal(await page.locator('#reports-section').isHidden(), true);
    assert.equal(await page.locator('#tenant-section').isHidden(), true);
    const path = await screenshot(page, 'alice-scopes');
    console.log(`screenshot: ${path}`);
  }));

  it('alice trying to write outside her prefix sees the refusal in plain words, and nothing is stored', check(async () => {
    const { page, prefix } = world.alice ?? (await openPageAs('alice'));
    await page.click('#outside');
    const result = page.locator('#outside-result');
    await result.filter({ hasText: 'Refused' }).waitFor();
    const text = (await result.textContent()) ?? '';
    assert.match(text, /^Refused, as it should be: your credentials may write only under /);
    assert.ok(text.includes(prefix), 'the message does not name her own prefix');
    assert.match(text, /users\/someone-else\/\d+\.txt/);
    assert.match(text, /\(AccessDenied\)\.$/);
    assert.equal(await page.locator('#error').isHidden(), true, 'the refusal was shown as an unexpected error');
    const keys = await bucketKeys();
    assert.deepEqual(keys.filter((k) => k.startsWith('users/someone-else/')), [], 'the refused write was stored');
    const path = await screenshot(page, 'alice-outside-prefix-refused');
    console.log(`screenshot: ${path}`);
  }));

  it('the page shows when the credentials expire and when they will be refreshed', check(async () => {
    const { page } = world.alice ?? (await openPageAs('alice'));
    // S3_OWN_PREFIX was vended to list the objects; DYNAMODB_OWN_ITEMS is vended on demand
    const own = page.locator('#scope-list li[data-scope="S3_OWN_PREFIX"] .schedule');
    await own.filter({ hasText: 'Credentials expire at' }).waitFor();
    const text = (await own.textContent()) ?? '';
    // 900 s asked for: refreshAfter is 300 s before expiration (a fifth, at least 5 minutes)
    const [expires, refreshes] = [...text.matchAll(/at \d{2}:\d{2}:\d{2} \(in (?:(\d+) min )?(\d+) s\)/g)].map(
      (m) => Number(m[1] ?? 0) * 60 + Number(m[2]),
    );
    assert.ok(expires > 780 && expires <= 900, `expires in ${expires} s: ${text}`);
    assert.ok(refreshes > 480 && refreshes <= 600, `refreshed in ${refreshes} s: ${text}`);
    const dynamo = page.locator('#scope-list li[data-scope="DYNAMODB_OWN_ITEMS"]');
    assert.match((await dynamo.locator('.schedule').textContent()) ?? '', /No credentials held yet/);
    await dynamo.locator('button.get').click();
    await dynamo.locator('.schedule', { hasText: 'Credentials expire at' }).waitFor();
    await page.locator('#status', { hasText: 'Got credentials for DYNAMODB_OWN_ITEMS.' }).waitFor();
  }));

  it('bob, an analyst, is offered REPORTS_READ and lists the shared reports', check(async () => {
    const { page } = world.bob ?? (await openPageAs('bob'));
    assert.equal((await scopeRows(page)).REPORTS_READ.available, 'true');
    await page.click('#reports');
    await page.locator('#report-list li', { hasText: 'reports/2024-q4.csv' }).waitFor();
    assert.equal(await page.locator('#error').isHidden(), true);
  }));

  it("carol, with a tenant, vends TENANT_FILES with Amplify's default set-up and lists her tenant's files", check(async () => {
    const carol = await openPageAs('carol');
    world.carol = carol;
    const { page } = carol;
    const rows = await scopeRows(page);
    assert.equal(rows.TENANT_FILES.available, 'true', rows.TENANT_FILES.text);
    assert.equal(await page.textContent('#tenant-prefix'), 'tenants/acme/');
    await page.click('#tenant-files');
    await page.locator('#tenant-list li', { hasText: 'tenants/acme/welcome.txt' }).waitFor();
    assert.equal(await page.locator('#error').isHidden(), true);
    // AND every GraphQL request carried Amplify's default token, the access token: no ID token anywhere
    assert.deepEqual([...world.tokenUses], ['access']);
    await screenshot(page, 'carol-tenant-files');
  }));

  it('the page never shows or logs a credential it received', check(async () => {
    assert.ok(world.secrets.size >= 4, 'the test saw no vended credentials, so it would prove nothing');
    for (const session of [world.alice, world.bob, world.carol]) {
      assert.ok(session, 'the sign-in test did not run');
      const text = await session.page.evaluate(() => document.documentElement.outerHTML);
      for (const secret of world.secrets) assert.ok(!text.includes(secret), 'a credential is in the page');
    }
    for (const line of world.consoleLines) {
      for (const secret of world.secrets) assert.ok(!line.includes(secret), 'a credential was logged to the console');
    }
  }));

  it('the GraphQL endpoint and the bucket refuse a browser origin that was not allowed', check(async () => {
    const graphql = await fetch(world.server.state.graphql_url, {
      method: 'OPTIONS',
      headers: { origin: UNLISTED_ORIGIN, 'access-control-request-method': 'POST' },
    });
    assert.equal(graphql.headers.get('access-control-allow-origin'), null);
    const allowed = await fetch(world.server.state.graphql_url, {
      method: 'OPTIONS',
      headers: { origin: world.page.origin, 'access-control-request-method': 'POST' },
    });
    assert.equal(allowed.headers.get('access-control-allow-origin'), world.page.origin);

    const bucketUrl = `${world.server.state.aws_endpoint}/${world.server.state.bucket}/users/x/y.txt`;
    const s3 = await fetch(bucketUrl, {
      method: 'OPTIONS',
      headers: { origin: UNLISTED_ORIGIN, 'access-control-request-method': 'PUT' },
    });
    assert.equal(s3.status, 403);
  }));

  it(
    'the embedded Cognito and S3 never allow an unlisted origin',
    check(async () => {
      const cognito = await fetch(`${world.server.state.aws_endpoint}/`, {
        method: 'OPTIONS',
        headers: {
          origin: UNLISTED_ORIGIN,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-amz-target',
        },
      });
      assert.equal(cognito.headers.get('access-control-allow-origin'), null);
      const s3 = await fetch(`${world.server.state.aws_endpoint}/${world.server.state.bucket}/users/x/y.txt`, {
        method: 'OPTIONS',
        headers: { origin: UNLISTED_ORIGIN, 'access-control-request-method': 'PUT' },
      });
      assert.equal(s3.headers.get('access-control-allow-origin'), null);
    }),
  );

  it('http://localhost works as well as http://127.0.0.1', check(async () => {
    const localhostUrl = world.page.url.replace('127.0.0.1', 'localhost');
    assert.notEqual(localhostUrl, world.page.url);
    const { page, context } = await openPageAs('alice', { baseUrl: localhostUrl });
    await page.locator('#objects li', { hasText: 'hello.txt' }).waitFor();
    assert.equal(new URL(page.url()).hostname, 'localhost');
    assert.equal(await page.locator('#server-problem').isHidden(), true);
    await context.close();
  }));

  it('the sign-in form never puts the password in a URL, even before its script has loaded', check(async () => {
    // Without JavaScript (or before main.ts runs) the fields are disabled: nothing can be typed, and a disabled
    // field is never submitted. The form would POST, and the page's CSP forbids any form action anyway.
    for (const javaScriptEnabled of [false, true]) {
      const context = await world.browser.newContext({ javaScriptEnabled });
      const page = await context.newPage();
      if (javaScriptEnabled) await page.route(/\/assets\/.*\.js$/, (route) => route.abort()); // the script never arrives
      const response = await page.goto(world.page.url);
      assert.match(response.headers()['content-security-policy'] ?? '', /form-action 'none'/);
      assert.equal(await page.locator('#password').isDisabled(), true, `javaScriptEnabled=${javaScriptEnabled}`);
      assert.equal(await page.locator('#sign-in button[type="submit"]').isDisabled(), true);
      assert.equal(await page.getAttribute('#sign-in', 'method'), 'post');
      await context.close();
    }
    // AND in every sign-in of this suite, no URL the browser asked for held a password
    assert.ok(world.passwords.size >= 3 && world.requestUrls.length > 0, 'no sign-in was observed');
    for (const url of world.requestUrls) {
      for (const password of world.passwords) {
        assert.ok(!url.includes(password) && !url.includes(encodeURIComponent(password)), 'a password was in a URL');
      }
    }
  }));

  it('without a running server, the page says so and how to start it', check(async () => {
    // A second page server whose state file does not exist: as after a fresh clone, before `make serve`.
    const lonely = await startExampleServer({ port: 0, stateFile: `${world.stateDir.stateFile}.absent` });
    const context = await world.browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(lonely.url);
      await page.waitForSelector('body[data-ready="true"]');
      const text = (await page.locator('#server-problem').textContent()) ?? '';
      assert.match(text, /^The local server is not running\. Start it in another terminal with: make serve ARGS="--cors-origin /);
      assert.ok(text.includes(`--cors-origin ${lonely.origins[0]} --cors-origin ${lonely.origins[1]}`), text);
      assert.doesNotMatch(await page.textContent('body'), /Failed to fetch|TypeError|NetworkError/);
      await screenshot(page, 'no-server');
    } finally {
      await context.close();
      await lonely.close();
    }
  }));

  it('when the server stops, every failure says that it is down and how to start it (runs last: stops it)', check(async () => {
    const bob = world.bob ?? (await openPageAs('bob'));
    const alice = world.alice ?? (await openPageAs('alice'));
    await world.server.stop();
    // A vend that reaches for the stopped GraphQL endpoint
    const dynamo = bob.page.locator('#scope-list li[data-scope="DYNAMODB_OWN_ITEMS"]');
    await dynamo.locator('button.get').click();
    const alert = bob.page.locator('#error');
    await alert.waitFor({ state: 'visible' });
    assert.match((await alert.textContent()) ?? '', /^The credential service at http:\/\/127\.0\.0\.1:\d+\/graphql is not answering\. Is the local server still running\? Start it with: make serve ARGS="/);
    // An upload with still-valid credentials, to the stopped embedded S3
    await alice.page.setInputFiles('#file', { name: 'late.txt', mimeType: 'text/plain', buffer: Buffer.from('late\n') });
    await alice.page.click('#upload button[type="submit"]');
    const aliceAlert = alice.page.locator('#error');
    await aliceAlert.waitFor({ state: 'visible' });
    assert.match((await aliceAlert.textContent()) ?? '', /^The storage service at http:\/\/127\.0\.0\.1:\d+ is not answering\. .*make serve ARGS="/);
    for (const page of [bob.page, alice.page]) {
      assert.doesNotMatch(await page.textContent('body'), /Failed to fetch|TypeError|NetworkError|\[object/);
    }
    await screenshot(bob.page, 'server-stopped');
  }));
});
