// The example page server (example/serve.mjs): loopback names only, both loopback origins, a /config.json that says
// what is wrong with the local server and the command that fixes it, a CSP that forbids form submission, and one
// readable line when its port is taken. Real sockets on free loopback ports; a tiny fake stands in for vend serve.
import assert from 'node:assert/strict';
import { createServer, request as httpRequest } from 'node:http';
import type { Server } from 'node:http';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';

const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Running {
  port: number;
  origin: string;
  origins: string[];
  close: () => Promise<unknown>;
}
interface PageServerModule {
  startExampleServer: (options: { port?: number; stateFile?: string; distDir?: string }) => Promise<Running>;
  listenFailure: (error: unknown, port: number) => string;
  startCommand: (origins: string[], stateFile?: string) => string;
}

const serve = (await import(pathToFileURL(join(PACKAGE_ROOT, 'example', 'serve.mjs')).href)) as PageServerModule;

/** GET with an explicit Host header (fetch would not let a test choose it). */
function get(port: number, path: string, host: string, address = '127.0.0.1'): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: address, port, path, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A stand-in for vend serve's GraphQL endpoint: answers preflights, allowing only `allowed`. */
async function fakeGraphQL(allowed: string[]): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const origin = req.headers.origin;
    const headers: Record<string, string> = {};
    if (typeof origin === 'string' && allowed.includes(origin)) headers['access-control-allow-origin'] = origin;
    res.writeHead(req.method === 'OPTIONS' ? (headers['access-control-allow-origin'] ? 204 : 403) : 405, headers);
    res.end();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/graphql`, close: () => new Promise((done) => server.close(() => done())) };
}

const world: { dir?: string; page?: Running; stateFile?: string; graphql?: { url: string; close: () => Promise<void> } } = {};

async function writeState(graphqlUrl: string, extra: Record<string, unknown> = {}): Promise<void> {
  const state = {
    graphql_url: graphqlUrl,
    aws_endpoint: 'http://127.0.0.1:9',
    region: 'us-east-1',
    user_pool_id: 'us-east-1_x',
    app_client_id: 'client',
    bucket: 'vend-local-uploads',
    users: [{ username: 'alice', password: 'never-served' }],
    ...extra,
  };
  await writeFile(world.stateFile!, JSON.stringify(state));
}

describe('example page server', () => {
  before(async () => {
    world.dir = await mkdtemp(join(tmpdir(), 'vend-page-'));
    await mkdir(join(world.dir, 'dist'));
    await writeFile(join(world.dir, 'dist', 'index.html'), '<!doctype html><title>t</title>');
    world.stateFile = join(world.dir, 'serve.json');
    world.page = await serve.startExampleServer({ port: 0, stateFile: world.stateFile, distDir: join(world.dir, 'dist') });
  });
  after(async () => {
    await world.page?.close();
    await world.graphql?.close();
    if (world.dir) await rm(world.dir, { recursive: true, force: true });
  });

  const config = async (host: string) => {
    const answer = await get(world.page!.port, '/config.json', host);
    return { status: answer.status, json: JSON.parse(answer.body) as Record<string, unknown> & { problem?: { code: string } } };
  };

  it('answers as 127.0.0.1 and as localhost, and refuses any other Host (DNS rebinding)', async () => {
    const port = world.page!.port;
    assert.deepEqual(world.page!.origins, [`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
    assert.equal((await get(port, '/', `127.0.0.1:${port}`)).status, 200);
    assert.equal((await get(port, '/', `localhost:${port}`)).status, 200);
    assert.equal((await get(port, '/', `evil.example:${port}`)).status, 403);
    assert.equal((await get(port, '/', `localhost:${port + 1}`)).status, 403);
  });

  it('listens on the IPv6 loopback too, where the machine has one', async (t) => {
    const port = world.page!.port;
    const answer = await get(port, '/', `localhost:${port}`, '::1').catch((error: NodeJS.ErrnoException) => error);
    if (answer instanceof Error && ['EADDRNOTAVAIL', 'EAFNOSUPPORT'].includes(answer.code ?? '')) {
      t.skip('no IPv6 loopback on this machine');
      return;
    }
    assert.ok(!(answer instanceof Error), String(answer));
    assert.equal(answer.status, 200);
  });

  it('without a running vend serve: no-server, and the command that starts it for both origins', async () => {
    await rm(world.stateFile!, { force: true });
    const port = world.page!.port;
    const { status, json } = await config(`localhost:${port}`);
    assert.equal(status, 503);
    assert.equal(json.problem?.code, 'no-server');
    assert.equal(json.origin, `http://localhost:${port}`);
    assert.match(String(json.startCommand), new RegExp(`^make serve ARGS="--cors-origin http://127\\.0\\.0\\.1:${port} --cors-origin http://localhost:${port} --state-file `));
  });

  it('with a state file whose server has stopped: server-down', async () => {
    const stopped = await fakeGraphQL([]);
    await stopped.close();
    await writeState(stopped.url);
    const { status, json } = await config(`127.0.0.1:${world.page!.port}`);
    assert.equal(status, 503);
    assert.equal(json.problem?.code, 'server-down');
  });

  it('with a server that does not allow this origin: origin-not-allowed; the allowed origin gets the config', async () => {
    const port = world.page!.port;
    world.graphql = await fakeGraphQL([`http://127.0.0.1:${port}`]);
    await writeState(world.graphql.url);
    const refused = await config(`localhost:${port}`);
    assert.equal(refused.status, 503);
    assert.equal(refused.json.problem?.code, 'origin-not-allowed');
    const allowed = await config(`127.0.0.1:${port}`);
    assert.equal(allowed.status, 200);
    assert.equal(allowed.json.problem, undefined);
    assert.equal(allowed.json.graphqlUrl, world.graphql.url);
    assert.ok(!JSON.stringify(allowed.json).includes('never-served'), 'the demo passwords were served');
  });

  it('a state file of --aws mode: no-embedded-aws', async () => {
    await writeState(world.graphql!.url, { aws_endpoint: null });
    assert.equal((await config(`127.0.0.1:${world.page!.port}`)).json.problem?.code, 'no-embedded-aws');
  });

  it("the page's CSP forbids form submission, with or without a server", async () => {
    const port = world.page!.port;
    await writeState(world.graphql!.url);
    for (const state of ['running', 'absent']) {
      if (state === 'absent') await rm(world.stateFile!, { force: true });
      const csp = String((await get(port, '/', `127.0.0.1:${port}`)).headers['content-security-policy']);
      assert.match(csp, /form-action 'none'/, state);
    }
  });

  it('a port already in use: the start fails with EADDRINUSE, said in one line', async () => {
    const taken = world.page!.port;
    const error = await serve.startExampleServer({ port: taken, stateFile: world.stateFile!, distDir: join(world.dir!, 'dist') }).then(
      () => assert.fail('a second server started on the same port'),
      (e: NodeJS.ErrnoException) => e,
    );
    assert.equal(error.code, 'EADDRINUSE');
    const line = serve.listenFailure(error, taken);
    assert.ok(!line.includes('\n'));
    assert.match(line, new RegExp(`port ${taken} is already in use.*--port`));
  });
});
