// Test harness for the browser e2e: starts `vend serve` (a subprocess on free 127.0.0.1 ports) and the example
// page server, launches the system Chromium through playwright-core, and stops everything, bounded in time.
// Never prints the server's stdout (its banner carries the local demo passwords) nor any credential.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { chromium } from 'playwright-core';

import { DIST_DIR, startExampleServer } from '../example/serve.mjs';

export const CLIENTS_DIR = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const REPO_ROOT = resolve(CLIENTS_DIR, '..');
export const OUTPUT_DIR = resolve(process.env.TEST_OUTPUT_DIR ?? join(REPO_ROOT, 'test-output'), 'clients-e2e');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const VEND = process.env.VEND_BIN ?? join(REPO_ROOT, '.venv', 'bin', 'vend');
const READY_PREFIX = 'Ready: '; // vend_local/cmd_serve.py READY_PREFIX
const START_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 15_000;

// Flags that work on this machine (root, no GPU, no network beyond what the test serves).
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * A suite's failure bookkeeping over its `world` ({ failed, secrets }): `check(fn)` wraps a test body so that a
 * failure is recorded (and `after` prints diagnostics only then); `redact(text)` hides every secret seen.
 */
export function failureLog(world) {
  return {
    check(fn) {
      return async () => {
        try {
          await fn();
        } catch (error) {
          world.failed = true;
          throw error;
        }
      };
    },
    redact(text) {
      let out = String(text);
      for (const secret of world.secrets) out = out.split(secret).join('[redacted]');
      return out;
    },
  };
}

function tail(text, lines = 25) {
  return text.split('\n').slice(-lines).join('\n');
}

/** A private temporary directory for the server's state file (it holds the local demo passwords). */
export async function makeStateDir() {
  const dir = await mkdtemp(join(tmpdir(), 'vend-e2e-'));
  return { stateFile: join(dir, 'serve.json'), remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Start `vend serve` on free ports, allowing exactly `corsOrigins` (or the one `corsOrigin`), writing its state to
 * `stateFile`; resolves once it prints its ready line.
 */
export async function startVendServe({ corsOrigin, corsOrigins = [corsOrigin], stateFile }) {
  if (!existsSync(VEND)) {
    throw new Error(`${VEND} not found: run \`make test\` (it builds .venv) or set VEND_BIN`);
  }
  const child = spawn(
    VEND,
    ['serve', '--host', '127.0.0.1', '--port', '0', ...corsOrigins.flatMap((o) => ['--cors-origin', o]), '--state-file', stateFile],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PYTHONUNBUFFERED: '1' } },
  );
  // A crashed test run must not leave the server behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = tail(stderr + chunk.toString(), 200);
  });
  const exited = new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })));

  const graphqlUrl = await new Promise((resolveReady, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`vend serve was not ready within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    child.stdout.on('data', (chunk) => {
      buffered += chunk.toString();
      const line = buffered.split('\n').find((l) => l.startsWith(READY_PREFIX));
      if (line !== undefined) {
        clearTimeout(timer);
        resolveReady(line.slice(READY_PREFIX.length).trim());
      }
      buffered = buffered.slice(-4096);
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`vend serve exited early (code ${code}, signal ${signal}):\n${tail(stderr)}`));
    });
  });
  const state = JSON.parse(await readFile(stateFile, 'utf8'));
  if (state.graphql_url !== graphqlUrl) throw new Error('the state file does not match the ready line');

  return {
    stateFile,
    state,
    stderr: () => tail(stderr),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      process.removeListener('exit', killOnExit);
    },
  };
}

/** The page server on a free port (its origin is needed before `vend serve` starts, for CORS). */
export async function startPage(stateFile) {
  if (!existsSync(join(DIST_DIR, 'index.html'))) {
    throw new Error('example/dist is missing: run `npm run build:example` in clients/');
  }
  return startExampleServer({ port: 0, stateFile });
}

export async function launchChromium() {
  // playwright-core starts the browser with a fresh temporary profile (--user-data-dir) of its own.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
}

/** Every key in the server's bucket: the harness's own look at the embedded S3 (moto accepts any key here). */
export async function keysInBucket(state) {
  const s3 = new S3Client({
    region: state.region,
    endpoint: state.aws_endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'harness', secretAccessKey: 'harness' },
  });
  try {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: state.bucket }));
    return (out.Contents ?? []).map((o) => o.Key);
  } finally {
    s3.destroy();
  }
}
