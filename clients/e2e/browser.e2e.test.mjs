// End-to-end in a real headless Chromium: two users sign in on the example page, list and upload under their own
// S3 prefix on the embedded AWS, one is refused a scope of a group she is not in, and a write outside her
// prefix is refused by the credentials themselves.
//
// It proves the wiring (Amplify sign-in against the local Cognito, the vendCredentials mutation from the
// browser, the provider feeding the S3 client, CORS for the page's origin) and, because `vend serve` enforces
// IAM on vended credentials by default, that the session policy confines the browser's S3 client to the
// user's prefix: the refusal reaches the page as S3's AccessDenied, readable through CORS.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';

import { launchChromium, makeStateDir, OUTPUT_DIR, startPage, startVendServe } from './harness.mjs';

const STEP_TIMEOUT_MS = 30_000;
const UNLISTED_ORIGIN = 'http://127.0.0.1:9';

/** Everything the suite starts, so `after` can stop it whatever failed. */
const world = { secrets: new Set(), consoleLines: [], failed: false };

/** A test body that records failure, so `after` prints diagnostics (redacted) only when something failed. */
function check(fn) {
  return async () => {
    try {
      await fn();
    } catch (error) {
      world.failed = true;
      throw error;
    }
  };
}

function redact(text) {
  let out = String(text);
  for (const secret of world.secrets) out = out.split(secret).join('[redacted]');
  return out;
}

async function openPageAs(username) {
  const context = await world.browser.newContext();
  const page = await context.newPage();
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
  await page.goto(world.page.url);
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

async function upload(page, name, text) {
  await page.setInputFiles('#file', { name, mimeType: 'text/plain', buffer: Buffer.from(text) });
  await page.click('#upload button[type="submit"]');
  await page.locator('#objects li', { hasText: name }).waitFor();
  await page.locator('#status', { hasText: `Uploaded ${name}.` }).waitFor();
}

async function bucketKeys() {
  // The harness's own look at the embedded S3 (moto accepts any key here), independent of the page.
  const s3 = new S3Client({
    region: world.server.state.region,
    endpoint: world.server.state.aws_endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'harness', secretAccessKey: 'harness' },
  });
  const out = await s3.send(new ListObjectsV2Command({ Bucket: world.server.state.bucket }));
  s3.destroy();
  return (out.Contents ?? []).map((o) => o.Key);
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
    world.server = await startVendServe({ corsOrigin: world.page.origin, stateFile: world.stateDir.stateFile });
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

  it('alice asking for REPORTS_READ (analysts only) gets a clear ScopeForbidden message', check(async () => {
    const { page } = world.alice ?? (await openPageAs('alice'));
    await page.click('#reports');
    const alert = page.locator('#error');
    await alert.waitFor({ state: 'visible' });
    const message = (await alert.textContent()) ?? '';
    assert.match(message, /You are not allowed to use REPORTS_READ/);
    assert.match(message, /\(ScopeForbidden\)$/);
    assert.deepEqual(await page.locator('#report-list li').allTextContents(), ['(not available)']);
    const path = await screenshot(page, 'alice-scope-forbidden');
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

  it('bob, an analyst, lists the shared reports with the same button (the message is not always shown)', check(async () => {
    const { page } = world.bob ?? (await openPageAs('bob'));
    await page.click('#reports');
    await page.locator('#report-list li', { hasText: 'reports/2024-q4.csv' }).waitFor();
    assert.equal(await page.locator('#error').isHidden(), true);
  }));

  it('the page never shows or logs a credential it received', check(async () => {
    assert.ok(world.secrets.size >= 4, 'the test saw no vended credentials, so it would prove nothing');
    for (const session of [world.alice, world.bob]) {
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
});
