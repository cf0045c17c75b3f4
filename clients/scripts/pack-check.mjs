// The published npm package, checked as a consumer gets it: `npm pack` holds only dist/src (JavaScript and type
// declarations), README.md, LICENSE and package.json; the tarball installs into a scratch project; the provider
// imports in Node, type-checks with TypeScript, and bundles with Vite. Run by `make clients-test` after the build.
// I/O: writes under a temporary directory (removed at the end) and runs npm, node, tsc and vite there.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const ALWAYS = new Set(['package.json', 'README.md', 'LICENSE']);
const SHIPPED = /^dist\/src\/.+\.(js|d\.ts)$/;
const REQUIRED = ['dist/src/index.js', 'dist/src/index.d.ts', 'README.md', 'LICENSE'];

function fail(message) {
  process.stderr.write(`pack-check: ${message}\n`);
  process.exit(1);
}

function run(command, args, cwd) {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const output = `${error.stdout ?? ''}${error.stderr ?? ''}`.trim().slice(-2000);
    return fail(`${command} ${args.join(' ')} failed (exit ${error.status}):\n${output}`);
  }
}

const work = mkdtempSync(join(tmpdir(), 'vend-pack-'));
try {
  const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], ROOT));
  const files = packed.files.map((f) => f.path).sort();
  const stray = files.filter((f) => !ALWAYS.has(f) && !SHIPPED.test(f));
  if (stray.length > 0) fail(`the tarball holds files it must not: ${stray.join(', ')}`);
  const missing = REQUIRED.filter((f) => !files.includes(f));
  if (missing.length > 0) fail(`the tarball lacks ${missing.join(', ')}`);

  const scratch = join(work, 'scratch');
  run('mkdir', ['-p', scratch], work);
  writeFileSync(
    join(scratch, 'package.json'),
    JSON.stringify({ name: 'scratch', private: true, type: 'module' }, null, 2),
  );
  // The registry's metadata is in npm's cache after `npm ci`; prefer it, fetch only what is missing.
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(work, packed.filename)], scratch);

  // Node: the package's exports resolve and the provider is there.
  const probe =
    `const m = await import(${JSON.stringify(PKG.name)});` +
    `console.log(JSON.stringify([typeof m.vendedCredentials, typeof m.VendCredentialsError, typeof m.isVendCredentialsError]));`;
  const kinds = JSON.parse(run('node', ['--input-type=module', '-e', probe], scratch));
  if (kinds.join() !== 'function,function,function') fail(`Node import gave ${kinds.join()}`);

  // TypeScript: the declared types resolve through `exports` for a consumer's own code. skipLibCheck as in Vite's
  // and Amplify's templates: @smithy/types' own declarations name Node's modules, which a browser app lacks.
  writeFileSync(
    join(scratch, 'app.ts'),
    `import { vendedCredentials, type VendedCredentialsProvider } from ${JSON.stringify(PKG.name)};\n` +
      `export const make = (graphql: Parameters<typeof vendedCredentials>[0]['graphql']): VendedCredentialsProvider =>\n` +
      `  vendedCredentials({ scope: 'S3_OWN_PREFIX', graphql });\n`,
  );
  writeFileSync(
    join(scratch, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'ES2022',
        moduleResolution: 'Bundler',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
      },
      files: ['app.ts'],
    }),
  );
  run('node', [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', scratch], scratch);

  // Vite: a browser bundle of a page that uses the provider.
  writeFileSync(join(scratch, 'index.html'), '<!doctype html><script type="module" src="./main.js"></script>\n');
  writeFileSync(
    join(scratch, 'main.js'),
    `import { vendedCredentials } from ${JSON.stringify(PKG.name)};\ndocument.title = typeof vendedCredentials;\n`,
  );
  run('node', [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], scratch);
  const assets = join(scratch, 'dist', 'assets');
  const bundled = readdirSync(assets)
    .filter((f) => f.endsWith('.js'))
    .map((f) => readFileSync(join(assets, f), 'utf8'))
    .join('\n');
  // The provider's GraphQL statement is in the bundle: the package's code, not an empty stub, was bundled.
  if (!bundled.includes('vendCredentials')) fail('the Vite bundle does not contain the provider');

  process.stdout.write(
    `pack-check: ${packed.filename}: ${files.length} files; installs, imports in Node, type-checks, bundles with Vite\n`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
