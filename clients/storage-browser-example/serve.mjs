// Serves the built Storage Browser example (storage-browser-example/dist) like the example page (example/serve.mjs):
// on the loopback addresses, with /config.json from the state file of a running `vend serve`, and a
// Content-Security-Policy that also lets the page reach the embedded S3's HTTPS listener. Never serves passwords.
//
//   node storage-browser-example/serve.mjs [--port 5174] [--state-file ../.vend-local/serve.json]
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { runPageServer, startExampleServer } from '../example/serve.mjs';

export const STORAGE_BROWSER_DIST = join(fileURLToPath(new URL('.', import.meta.url)), 'dist');
export const DEFAULT_PORT = 5174;

/** The page server of this example; the same options as startExampleServer. */
export function startStorageBrowserServer(options = {}) {
  return startExampleServer({ port: DEFAULT_PORT, ...options, distDir: STORAGE_BROWSER_DIST, s3Https: true });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const code = await runPageServer({
    title: 'Storage Browser example',
    script: 'npm run storage-browser',
    defaultPort: DEFAULT_PORT,
    start: ({ port, stateFile }) => startStorageBrowserServer({ port, stateFile }),
  });
  if (code !== undefined) process.exit(code);
}
