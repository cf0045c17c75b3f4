// Serves the built Storage Browser example (storage-browser-example/dist) like the example page (example/serve.mjs):
// on the loopback addresses, with /config.json from the state file of a running `vend serve`, and a
// Content-Security-Policy that also lets the page reach the embedded S3's HTTPS listener. Never serves passwords.
//
//   node storage-browser-example/serve.mjs [--port 5174] [--state-file ../.vend-local/serve.json]
import { join } from 'node:path';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { DEFAULT_STATE_FILE, listenFailure, startCommand, startExampleServer } from '../example/serve.mjs';

export const STORAGE_BROWSER_DIST = join(fileURLToPath(new URL('.', import.meta.url)), 'dist');
export const DEFAULT_PORT = 5174;

/** The page server of this example; the same options as startExampleServer. */
export function startStorageBrowserServer(options = {}) {
  return startExampleServer({ port: DEFAULT_PORT, ...options, distDir: STORAGE_BROWSER_DIST, s3Https: true });
}

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: String(DEFAULT_PORT) },
      'state-file': { type: 'string', default: DEFAULT_STATE_FILE },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`Storage Browser example: --port must be a port number, got ${values.port}`);
    return 2;
  }
  const stateFile = resolve(values['state-file']);
  let running;
  try {
    running = await startStorageBrowserServer({ port, stateFile });
  } catch (error) {
    console.error(listenFailure(error, port).replace('Example page', 'Storage Browser example').replace('npm run example', 'npm run storage-browser'));
    return 2;
  }
  console.log(`Storage Browser example: ${running.origins.map((o) => `${o}/`).join('  or  ')}`);
  console.log(`It needs the local server, started from the repository root with:  ${startCommand(running.origins, stateFile)}`);
  const stop = () => running.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return undefined;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const code = await main();
  if (code !== undefined) process.exit(code);
}
