// Contract tests between this package and the rest of the repository: the generated GraphQL code matches
// ../schema.graphql, and the error codes match the service's. Reads files; no network.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';

import { SERVICE_ERROR_TYPES } from '../src/errors.js';
import { Scope } from '../src/graphql/API.js';

// Compiled to dist/test/: the package root is two levels up.
const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const REPO_ROOT = join(PACKAGE_ROOT, '..');

describe('contract with the repository', () => {
  it('the checked-in generated GraphQL code is what Amplify codegen makes of schema.graphql (drift)', async () => {
    const codegen = (await import(pathToFileURL(join(PACKAGE_ROOT, 'scripts', 'codegen.mjs')).href)) as {
      generate: () => Promise<Record<string, string>>;
    };
    const generated = await codegen.generate();
    assert.ok(Object.keys(generated).includes('mutations.ts'));
    for (const [name, text] of Object.entries(generated)) {
      const checkedIn = await readFile(join(PACKAGE_ROOT, 'src', 'graphql', name), 'utf8');
      assert.equal(checkedIn, text, `src/graphql/${name} is stale: run \`npm run codegen\` in clients/`);
    }
  });

  it('the Scope enum lists exactly the scopes in schema.graphql', async () => {
    const schema = await readFile(join(REPO_ROOT, 'schema.graphql'), 'utf8');
    const block = /enum Scope \{([^}]*)\}/.exec(schema);
    assert.ok(block, 'schema.graphql has no enum Scope');
    const names = block[1]!.split(/\s+/).filter((s) => s !== '');
    assert.deepEqual(Object.values(Scope), names);
  });

  it('SERVICE_ERROR_TYPES are exactly the codes of resolvers/errors.py', async () => {
    const source = await readFile(join(REPO_ROOT, 'resolvers', 'errors.py'), 'utf8');
    const codes = [...source.matchAll(/^\s+code(?:: ClassVar\[str\])? = "(\w+)"$/gm)].map((m) => m[1]);
    assert.ok(codes.length >= 5, 'found no error codes in resolvers/errors.py');
    assert.deepEqual(new Set(SERVICE_ERROR_TYPES), new Set(codes));
  });
});
