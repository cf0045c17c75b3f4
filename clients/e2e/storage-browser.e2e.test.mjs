// End-to-end in a real headless Chromium: the Storage Browser example (Amplify UI's Storage Browser for S3 on
// storageBrowserConfig) against `vend serve`. Users sign in, see their own locations and no one else's, upload,
// list, download and delete under their own prefix, and Amplify Storage calls with locationCredentialsProvider are
// confined to the prefix by the enforcing embedded AWS.
//
// Amplify Storage reaches S3 at https://<bucket>.<customEndpoint>: the embedded AWS's HTTPS listener, whose
// certificate is made for each run. The browser contexts that use it are told to accept it (ignoreHTTPSErrors), as a
// person accepts it once in their browser; one test proves what the page says when the browser does not.
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { startStorageBrowserServer } from '../storage-browser-example/serve.mjs';
import { failureLog, keysInBucket, launchChromium, makeStateDir, OUTPUT_DIR, startVendServe } from './harness.mjs';

const STEP_TIMEOUT_MS = 30_000;
// Above Amplify's 5 MiB multipart threshold: the upload goes in parts (POST, PUT per part, the ETag of each).
const LARGE_FILE_BYTES = 6 * 1024 * 1024;

const world = { secrets: new Set(), consoleLines: [], preflights: [], failed: false };

// A failure is recorded (diagnostics are printed only then); every credential seen is redacted from them.
const { check, redact } = failureLog(world);

async function screenshot(page, name) {
  await mkdir(OUTPUT_DIR, { recursive: true });
  const path = join(OUTPUT_DIR, `storage-browser-${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

function user(username) {
  const found = world.server.state.users.find((u) => u.username === username);
  assert.ok(found, `no demo user ${username}`);
  return found;
}

async function newPage(contextOptions = { ignoreHTTPSErrors: true }) {
  const context = await world.browser.newContext(contextOptions);
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  page.on('console', (msg) => world.consoleLines.push(`${msg.type()}: ${msg.text()}`));
  page.on('pageerror', (error) => world.consoleLines.push(`pageerror: ${error.message}`));
  page.on('request', (request) => {
    if (request.method() === 'OPTIONS') {
      world.preflights.push(`${request.headers()['access-control-request-method']} ${request.headers()['access-control-request-headers'] ?? ''}`);
    }
  });
  // Every credential the page receives, only to prove below that it never shows or logs one.
  page.on('response', async (response) => {
    if (response.url() !== world.server.state.graphql_url || response.request().method() !== 'POST') return;
    const creds = (await response.json().catch(() => null))?.data?.vendCredentials;
    if (creds) {
      world.secrets.add(creds.secretAccessKey);
      world.secrets.add(creds.sessionToken);
    }
  });
  await page.goto(world.page.url);
  await page.waitForSelector('body[data-ready="true"]');
  return { context, page };
}

async function signIn(page, username) {
  await page.fill('#username', username);
  await page.fill('#password', user(username).password);
  await page.click('#sign-in button[type="submit"]');
  await page.locator('#who', { hasText: username }).waitFor();
}

async function openAs(username) {
  const opened = await newPage();
  await signIn(opened.page, username);
  return { ...opened, prefix: `users/${user(username).sub}/` };
}

/** The Storage Browser's locations table: the text of each row's first cell (the folder). */
async function locationsShown(page) {
  const rows = page.locator('table tbody tr');
  await rows.first().waitFor();
  return (await rows.locator('td:first-child').allTextContents()).map((t) => t.trim()).sort();
}

async function openLocation(page, prefix) {
  await page.getByRole('button', { name: prefix }).click();
  await page.locator('h2, h3', { hasText: prefix }).first().waitFor();
}

/** The names of the files the Storage Browser lists in the open folder. */
async function filesShown(page) {
  await page.getByRole('button', { name: 'Refresh data' }).click();
  await page.locator('table tbody tr').first().waitFor();
  return (await page.locator('table tbody tr button[aria-label$=" file"]').allTextContents()).map((t) => t.trim()).sort();
}

async function runAction(page, label) {
  await page.getByRole('button', { name: 'Menu Toggle' }).click();
  await page.getByRole('menuitem', { name: label }).click();
}

async function uploadThroughBrowser(page, files) {
  await runAction(page, 'Upload');
  await page.locator('input[type="file"]:not([webkitdirectory])').first().setInputFiles(files);
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await page.getByText('All files uploaded.').waitFor({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Exit' }).click();
}

function bucketKeys() {
  return keysInBucket(world.server.state);
}

describe('Storage Browser example in headless Chromium against vend serve', { timeout: 300_000 }, () => {
  before(check(async () => {
    world.stateDir = await makeStateDir();
    world.page = await startStorageBrowserServer({ port: 0, stateFile: world.stateDir.stateFile });
    world.server = await startVendServe({ corsOrigins: world.page.origins, stateFile: world.stateDir.stateFile });
    world.browser = await launchChromium();
  }));

  after(async () => {
    if (world.failed) {
      console.error(`browser console (credentials redacted):\n${redact(world.consoleLines.slice(-40).join('\n'))}`);
      console.error(`preflights:\n${[...new Set(world.preflights)].join('\n')}`);
      if (world.server) console.error(`vend serve stderr (tail):\n${redact(world.server.stderr())}`);
    }
    await world.browser?.close().catch(() => undefined);
    await world.server?.stop();
    await world.page?.close();
    await world.stateDir?.remove();
  });

  it("alice sees her own location, and no other user's prefix is offered", check(async () => {
    world.alice = await openAs('alice');
    const { page, prefix } = world.alice;
    assert.deepEqual(await locationsShown(page), [prefix]);
    const text = (await page.textContent('#browser')) ?? '';
    for (const other of ['bob', 'carol']) assert.ok(!text.includes(user(other).sub), `${other}'s prefix is offered`);
    assert.doesNotMatch(text, /reports\/|tenants\//);
    await screenshot(page, 'alice-locations');
  }));

  it("bob, an analyst, is offered his own prefix and the reports; carol her own and her tenant's", check(async () => {
    const bob = await openAs('bob');
    assert.deepEqual(await locationsShown(bob.page), ['reports/', bob.prefix].sort());
    const carol = await openAs('carol');
    assert.deepEqual(await locationsShown(carol.page), [carol.prefix, 'tenants/acme/'].sort());
    await screenshot(carol.page, 'carol-locations');
    await bob.context.close();
    await carol.context.close();
  }));

  it('alice uploads a file under her prefix and sees it listed', check(async () => {
    const { page, prefix } = world.alice;
    await openLocation(page, prefix);
    assert.deepEqual(await filesShown(page), ['hello.txt']);
    await uploadThroughBrowser(page, { name: 'from-the-browser.txt', mimeType: 'text/plain', buffer: Buffer.from('uploaded by alice\n') });
    assert.deepEqual(await filesShown(page), ['from-the-browser.txt', 'hello.txt']);
    const keys = await bucketKeys();
    assert.deepEqual(keys.filter((k) => k.endsWith('from-the-browser.txt')), [`${prefix}from-the-browser.txt`]);
    await screenshot(page, 'alice-uploaded');
  }));

  it('alice downloads it, and gets what she uploaded', check(async () => {
    const { page, context } = world.alice;
    const download = new Promise((resolve) => {
      // The Storage Browser opens a presigned URL (target _blank): the download starts in that new page.
      context.once('page', (popup) => popup.once('download', resolve));
      page.once('download', resolve);
    });
    await page.locator('table tbody tr', { hasText: 'from-the-browser.txt' }).getByRole('button', { name: 'download' }).click();
    const file = await download;
    assert.equal(file.suggestedFilename(), 'from-the-browser.txt');
    assert.equal(await readFile(await file.path(), 'utf8'), 'uploaded by alice\n');
  }));

  it('alice uploads a large file in parts', check(async () => {
    const { page, prefix } = world.alice;
    await uploadThroughBrowser(page, { name: 'large.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(LARGE_FILE_BYTES, 7) });
    assert.ok((await filesShown(page)).includes('large.bin'));
    assert.ok((await bucketKeys()).includes(`${prefix}large.bin`));
  }));

  it('alice deletes a file', check(async () => {
    const { page, prefix } = world.alice;
    // Amplify UI draws its own checkbox over the hidden input: click its label, as a person would.
    await page.locator('table tbody tr', { hasText: 'large.bin' }).locator('label.amplify-checkbox').click();
    await runAction(page, 'Delete');
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByText(/deleted successfully\./).waitFor();
    await page.getByRole('button', { name: 'Exit' }).click();
    assert.ok(!(await filesShown(page)).includes('large.bin'));
    assert.ok(!(await bucketKeys()).includes(`${prefix}large.bin`));
  }));

  it('alice makes a folder and copies a file into it', check(async () => {
    const { page, prefix } = world.alice;
    await runAction(page, 'Create folder');
    await page.getByLabel(/folder name/i).fill('archive');
    await page.getByRole('button', { name: 'Create folder', exact: true }).click();
    await page.getByText('Folder created.').waitFor();
    await page.getByRole('button', { name: 'Exit' }).click();
    assert.ok((await bucketKeys()).includes(`${prefix}archive/`));

    await page.getByRole('button', { name: 'Refresh data' }).click();
    await page.locator('table tbody tr', { hasText: 'from-the-browser.txt' }).locator('label.amplify-checkbox').click();
    await runAction(page, 'Copy');
    await page.getByRole('button', { name: 'archive' }).click();
    await page.getByRole('button', { name: 'Copy', exact: true }).click();
    await page.getByText('All files copied.').waitFor();
    await page.getByRole('button', { name: 'Exit' }).click();
    assert.ok((await bucketKeys()).includes(`${prefix}archive/from-the-browser.txt`));
  }));

  it("Amplify Storage's uploadData, with locationCredentialsProvider, writes under her prefix and is refused outside it", check(async () => {
    const { page, prefix } = world.alice;
    await page.click('#write-inside');
    const result = page.locator('#amplify-storage-result');
    await result.filter({ hasText: 'Stored' }).waitFor();
    assert.ok((await bucketKeys()).includes(`${prefix}note-from-amplify-storage.txt`));
    assert.ok((await filesShown(page)).includes('note-from-amplify-storage.txt'));

    await page.click('#write-outside');
    await result.filter({ hasText: 'Refused' }).waitFor();
    const text = (await result.textContent()) ?? '';
    assert.match(text, new RegExp(`^Refused, as it should be: your credentials may write only under ${prefix}, so S3 would not store users/someone-else/\\d+\\.txt \\(AccessDenied\\)\\.$`));
    assert.deepEqual((await bucketKeys()).filter((k) => k.startsWith('users/someone-else/')), []);
    await screenshot(page, 'alice-amplify-storage');
    // After everything she did, her page shows none of the credentials it used.
    const html = await page.evaluate(() => document.documentElement.outerHTML);
    assert.ok(world.secrets.size >= 2, 'the test saw no vended credentials, so it would prove nothing');
    for (const secret of world.secrets) assert.ok(!html.includes(secret), 'a credential is in the page');
  }));

  it("after alice signs out, bob signing in on the same page sees only his own locations", check(async () => {
    const { page, context } = world.alice;
    await page.click('#sign-out');
    await page.locator('#sign-in').waitFor();
    const seenBefore = world.secrets.size;
    await signIn(page, 'bob');
    const bobPrefix = `users/${user('bob').sub}/`;
    assert.deepEqual(await locationsShown(page), ['reports/', bobPrefix].sort());
    assert.ok(!((await page.textContent('#browser')) ?? '').includes(user('alice').sub));
    // His own files, with credentials vended for him: alice's, forgotten at sign-out, would be refused here.
    await openLocation(page, bobPrefix);
    assert.deepEqual(await filesShown(page), ['hello.txt']);
    assert.ok(world.secrets.size > seenBefore, 'no credentials were vended for bob');
    await context.close();
  }));

  it('the page never logs a credential it received', check(async () => {
    // alice's and bob's S3_OWN_PREFIX, and bob's after alice signed out on the same page.
    assert.ok(world.secrets.size >= 2, 'the test saw no vended credentials, so it would prove nothing');
    for (const line of world.consoleLines) {
      for (const secret of world.secrets) assert.ok(!line.includes(secret), 'a credential was logged to the console');
    }
  }));

  it("a browser that does not trust the embedded AWS's certificate is told how to fix it", check(async () => {
    const { page, context } = await newPage({});
    const text = (await page.locator('#server-problem').textContent()) ?? '';
    assert.match(text, /^This browser cannot reach the embedded S3 at https:\/\/vend-local-uploads\.localhost:\d+\/: it does not trust the local certificate yet/);
    await screenshot(page, 'untrusted-certificate');
    await context.close();
  }));
});
