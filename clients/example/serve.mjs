// Serves the built example page (example/dist) on 127.0.0.1, plus /config.json made from the state file of
// a running `vend serve`. Reads files; listens on one local port. Never serves the demo passwords.
//
//   node example/serve.mjs [--port 5173] [--state-file ../.vend-local/serve.json] [--bucket <name>]
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = fileURLToPath(new URL('.', import.meta.url));
export const DIST_DIR = join(HERE, 'dist');
export const DEFAULT_STATE_FILE = resolve(HERE, '..', '..', '.vend-local', 'serve.json');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

/**
 * The page's configuration from the server's state file: endpoints and ids only, never the users.
 * `bucket` overrides the state file's bucket (undefined: the server's own).
 */
export async function pageConfig(stateFile, bucket = undefined) {
  const state = JSON.parse(await readFile(stateFile, 'utf8'));
  if (!state.aws_endpoint) {
    throw new Error('the example page needs the embedded AWS: run `vend serve` without --aws');
  }
  bucket ??= state.bucket;
  if (!bucket) throw new Error('the state file names no bucket: restart `vend serve`');
  return {
    region: state.region,
    graphqlUrl: state.graphql_url,
    awsEndpoint: state.aws_endpoint,
    userPoolId: state.user_pool_id,
    userPoolClientId: state.app_client_id,
    bucket,
  };
}

function contentSecurityPolicy(config) {
  // The page may talk to itself, the GraphQL endpoint and the embedded AWS: nothing else.
  const connect = [...new Set([new URL(config.graphqlUrl).origin, new URL(config.awsEndpoint).origin])];
  return [
    "default-src 'self'",
    `connect-src 'self' ${connect.join(' ')}`,
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Start the page server. `port` 0 picks a free one. Resolves to { origin, url, close() }.
 * The config is read from `stateFile` on every request, so a restarted `vend serve` is picked up.
 */
export function startExampleServer({ port = 5173, stateFile = DEFAULT_STATE_FILE, bucket = undefined, distDir = DIST_DIR } = {}) {
  const root = resolve(distDir);
  const server = createServer(async (req, res) => {
    const send = (status, body, headers = {}) => {
      res.writeHead(status, { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed', { allow: 'GET, HEAD' });
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
      const config = await pageConfig(stateFile, bucket).catch((error) => error);
      if (path === '/config.json') {
        if (config instanceof Error) return send(503, `no running vend serve: ${config.message}`);
        return send(200, JSON.stringify(config), { 'content-type': TYPES['.json'] });
      }
      const file = normalize(join(root, path === '/' ? 'index.html' : path));
      if (file !== root && !file.startsWith(root + sep)) return send(404, 'not found');
      const body = await readFile(file).catch(() => null);
      if (body === null) return send(404, 'not found');
      const headers = { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' };
      if (extname(file) === '.html' && !(config instanceof Error)) {
        headers['content-security-policy'] = contentSecurityPolicy(config);
      }
      return send(200, body, headers);
    } catch {
      return send(500, 'error');
    }
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    // Loopback only: the page is a local example.
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address();
      const origin = `http://127.0.0.1:${bound}`;
      resolvePromise({
        origin,
        url: `${origin}/`,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '5173' },
      'state-file': { type: 'string', default: DEFAULT_STATE_FILE },
      // Default: the bucket in the state file.
      bucket: { type: 'string' },
    },
  });
  const running = await startExampleServer({
    port: Number(values.port),
    stateFile: resolve(values['state-file']),
    bucket: values.bucket,
  });
  console.log(`Example page: ${running.url}`);
  console.log(`It needs a running server that allows this origin:  vend serve --cors-origin ${running.origin}`);
  const stop = () => running.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await main();
}
