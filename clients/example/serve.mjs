// Serves the built example page (example/dist) on the loopback addresses, plus /config.json made from the state file
// of a running `vend serve` and a live check that it answers and allows the page's origin. Reads files, listens on
// one local port (127.0.0.1 and ::1), and sends one CORS preflight to the local server per /config.json. Never serves
// the demo passwords.
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
export const DEFAULT_PORT = 5173;
// How long the live check waits for the local server before calling it down.
const PROBE_TIMEOUT_MS = 2_000;

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

/** Why the page cannot use the local server; `code` is what example/messages.ts turns into a sentence. */
export class ServerProblem extends Error {
  constructor(code, message, extra = {}) {
    super(message);
    this.code = code;
    this.extra = extra;
  }
}

/** Both loopback origins of a page port: a browser may be pointed at either. */
export function pageOrigins(port) {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
}

/** The command, from the repository root, that starts `vend serve` so that it allows `origins`. */
export function startCommand(origins, stateFile = DEFAULT_STATE_FILE) {
  const args = origins.map((o) => `--cors-origin ${o}`);
  if (resolve(stateFile) !== DEFAULT_STATE_FILE) args.push(`--state-file ${stateFile}`);
  return `make serve ARGS="${args.join(' ')}"`;
}

/**
 * The page's configuration from the server's state file: endpoints and ids only, never the users.
 * `bucket` overrides the state file's bucket (undefined: the server's own). Throws ServerProblem.
 */
export async function pageConfig(stateFile, bucket = undefined) {
  let text;
  try {
    text = await readFile(stateFile, 'utf8');
  } catch {
    throw new ServerProblem('no-server', `no state file at ${stateFile}: is vend serve running?`);
  }
  let state;
  try {
    state = JSON.parse(text);
  } catch {
    throw new ServerProblem('bad-state', `the state file ${stateFile} is not JSON`);
  }
  if (!state.aws_endpoint) {
    throw new ServerProblem('no-embedded-aws', 'the example page needs the embedded AWS: run vend serve without --aws');
  }
  bucket ??= state.bucket;
  if (!bucket || !state.graphql_url) throw new ServerProblem('bad-state', 'the state file names no bucket or endpoint');
  return {
    region: state.region,
    graphqlUrl: state.graphql_url,
    awsEndpoint: state.aws_endpoint,
    userPoolId: state.user_pool_id,
    userPoolClientId: state.app_client_id,
    bucket,
    // The embedded S3 over HTTPS, as Amplify Storage's customEndpoint (storage-browser-example/); may be absent.
    ...(state.s3_custom_endpoint ? { s3CustomEndpoint: state.s3_custom_endpoint } : {}),
  };
}

/** The origin Amplify Storage reaches for `bucket` through `customEndpoint` ("localhost:<port>"). */
export function bucketOrigin(bucket, customEndpoint) {
  return `https://${bucket}.${customEndpoint}`;
}

/**
 * Ask the local server, as a browser would before its first POST, whether it answers and allows `origin`.
 * Resolves to null when it does; throws ServerProblem otherwise.
 */
export async function checkServer(graphqlUrl, origin) {
  let response;
  try {
    response = await fetch(graphqlUrl, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST' },
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
  } catch {
    throw new ServerProblem('server-down', `vend serve at ${graphqlUrl} does not answer`, { graphqlUrl });
  }
  if (response.headers.get('access-control-allow-origin') !== origin) {
    throw new ServerProblem('origin-not-allowed', `vend serve does not allow ${origin}`, { graphqlUrl });
  }
  return null;
}

function contentSecurityPolicy(config, s3Https) {
  // The page may talk to itself, the GraphQL endpoint and the embedded AWS: nothing else (itself only, while there
  // is no server to talk to). No form may submit anywhere: the sign-in form is JavaScript's alone. With `s3Https`
  // (the Storage Browser example) also the bucket's HTTPS origin, where Amplify Storage sends S3 requests and
  // where file previews load from.
  const usable = !(config instanceof Error);
  const bucket = usable && s3Https && config.s3CustomEndpoint ? [bucketOrigin(config.bucket, config.s3CustomEndpoint)] : [];
  const connect = usable ? [...new Set([new URL(config.graphqlUrl).origin, new URL(config.awsEndpoint).origin])] : [];
  return [
    "default-src 'self'",
    ['connect-src', "'self'", ...connect, ...bucket].join(' '),
    ['img-src', "'self'", 'data:', ...bucket].join(' '),
    ['media-src', "'self'", ...bucket].join(' '),
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The Host header, when it names this server by a loopback name; anything else (DNS rebinding) is refused. */
function loopbackHost(req, port) {
  const host = (req.headers.host ?? '').toLowerCase();
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(host) ? host : undefined;
}

/**
 * Start the page server. `port` 0 picks a free one. Resolves to { origin, origins, url, port, close() }; rejects
 * with the listen error (EADDRINUSE, ...). It listens on 127.0.0.1 and, where the machine has it, on ::1 as well,
 * so that http://localhost:<port> works whichever address the browser tries first.
 * The config is read from `stateFile` on every request, so a restarted `vend serve` is picked up.
 */
export async function startExampleServer({
  port = DEFAULT_PORT,
  stateFile = DEFAULT_STATE_FILE,
  bucket = undefined,
  distDir = DIST_DIR,
  s3Https = false,
} = {}) {
  const root = resolve(distDir);
  let boundPort = port;
  const handler = async (req, res) => {
    const send = (status, body, headers = {}) => {
      res.writeHead(status, { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    try {
      const host = loopbackHost(req, boundPort);
      if (host === undefined) return send(403, 'this page server answers only as 127.0.0.1, localhost or [::1]');
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed', { allow: 'GET, HEAD' });
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
      const origin = `http://${host}`;
      const origins = [...new Set([...pageOrigins(boundPort), origin])];
      const config = await pageConfig(stateFile, bucket).catch((error) => error);
      if (path === '/config.json') {
        const json = { 'content-type': TYPES['.json'] };
        const start = startCommand(origins, stateFile);
        let problem = config instanceof Error ? config : null;
        if (problem === null) problem = await checkServer(config.graphqlUrl, origin).catch((error) => error);
        if (problem !== null) {
          const code = problem instanceof ServerProblem ? problem.code : 'bad-state';
          return send(503, JSON.stringify({ problem: { code, ...(problem.extra ?? {}) }, origin, startCommand: start }), json);
        }
        return send(200, JSON.stringify({ ...config, origin, startCommand: start }), json);
      }
      const file = normalize(join(root, path === '/' ? 'index.html' : path));
      if (file !== root && !file.startsWith(root + sep)) return send(404, 'not found');
      const body = await readFile(file).catch(() => null);
      if (body === null) return send(404, 'not found');
      const headers = { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' };
      if (extname(file) === '.html') headers['content-security-policy'] = contentSecurityPolicy(config, s3Https);
      return send(200, body, headers);
    } catch {
      return send(500, 'error');
    }
  };

  const listen = (server, host, onPort) =>
    new Promise((resolveListen, rejectListen) => {
      server.once('error', rejectListen);
      server.listen(onPort, host, () => {
        server.removeListener('error', rejectListen);
        resolveListen(server.address().port);
      });
    });
  const v4 = createServer(handler);
  // Loopback only: the page is a local example.
  boundPort = await listen(v4, '127.0.0.1', port);
  const servers = [v4];
  const v6 = createServer(handler);
  try {
    await listen(v6, '::1', boundPort);
    servers.push(v6);
  } catch (error) {
    // No IPv6 loopback on this machine: localhost resolves to 127.0.0.1 alone. Anything else is a real failure.
    if (error.code !== 'EADDRNOTAVAIL' && error.code !== 'EAFNOSUPPORT') {
      await new Promise((done) => v4.close(() => done()));
      throw error;
    }
  }
  const origins = pageOrigins(boundPort);
  return {
    port: boundPort,
    origin: origins[0],
    origins,
    url: `${origins[0]}/`,
    close: () => Promise.all(servers.map((s) => new Promise((done) => s.close(() => done())))),
  };
}

/** The one line a person needs when the page server cannot start; `title` and `script` name the page. */
export function listenFailure(error, port, { title = 'Example page', script = 'npm run example' } = {}) {
  if (error?.code === 'EADDRINUSE') {
    return `${title}: port ${port} is already in use (is another \`${script}\` running?). Stop it, or choose another port: ${script} -- --port ${port + 1}`;
  }
  if (error?.code === 'EACCES') return `${title}: not allowed to listen on port ${port}. Choose another: ${script} -- --port ${port + 1}`;
  return `${title}: cannot listen on port ${port} (${error?.code ?? 'unknown error'}).`;
}

/**
 * A page server's command line: `--port` and `--state-file` (plus `extra` options), then `start({ port, stateFile,
 * values })`, printing where the page is and the command that starts `vend serve` for it, until SIGINT or SIGTERM.
 * Resolves to an exit code on failure, undefined while serving.
 */
export async function runPageServer({ title, script, defaultPort, start, extra = {} }) {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: String(defaultPort) },
      'state-file': { type: 'string', default: DEFAULT_STATE_FILE },
      ...extra,
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`${title}: --port must be a port number, got ${values.port}`);
    return 2;
  }
  const stateFile = resolve(values['state-file']);
  let running;
  try {
    running = await start({ port, stateFile, values });
  } catch (error) {
    console.error(listenFailure(error, port, { title, script }));
    return 2;
  }
  console.log(`${title}: ${running.origins.map((o) => `${o}/`).join('  or  ')}`);
  console.log(`It needs the local server, started from the repository root with:  ${startCommand(running.origins, stateFile)}`);
  const stop = () => running.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return undefined;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const code = await runPageServer({
    title: 'Example page',
    script: 'npm run example',
    defaultPort: DEFAULT_PORT,
    // Default: the bucket in the state file.
    extra: { bucket: { type: 'string' } },
    start: ({ port, stateFile, values }) => startExampleServer({ port, stateFile, bucket: values.bucket }),
  });
  if (code !== undefined) process.exit(code);
}
