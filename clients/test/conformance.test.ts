// The TypeScript provider against the language-neutral client conformance vectors (conformance/vectors.json), the
// same file a mobile implementation is tested against (docs/mobile.md). Manual clock, fake GraphQL client: no I/O
// beyond reading the file.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

import { EXPIRY_SAFETY_MS, MIN_REUSE_MS, RETRY_BACKOFF_MS, vendedCredentials } from '../src/provider.js';
import { VendCredentialsError } from '../src/errors.js';
import { FakeGraphQL, ManualClock, settle } from './fakes.js';

// Compiled to dist/test/: the package root is two levels up.
const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const VECTORS_PATH = join(PACKAGE_ROOT, 'conformance', 'vectors.json');

interface Step {
  at: string;
  action: 'use' | 'refresh';
  response?: unknown;
  credentials?: string;
  error?: string;
}
interface Vector {
  name: string;
  steps: Step[];
}
interface VectorFile {
  description: string;
  version: number;
  scope: string;
  constants: { minReuseSeconds: number; retryBackoffSeconds: number; expirySafetySeconds: number };
  retryableErrors: string[];
  transportFailures: Record<string, string>;
  vectors: Vector[];
}

const STEP_KEYS = new Set(['at', 'action', 'response', 'credentials', 'error']);
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** The file's shape, strictly: a typo in a hand-written vector must fail here, not pass as a weaker test. */
function load(): VectorFile {
  const file = JSON.parse(readFileSync(VECTORS_PATH, 'utf8')) as VectorFile;
  assert.equal(file.version, 1);
  assert.ok(file.vectors.length > 0);
  const names = new Set<string>();
  for (const vector of file.vectors) {
    assert.ok(!names.has(vector.name), `duplicate vector name: ${vector.name}`);
    names.add(vector.name);
    let previous = -Infinity;
    for (const step of vector.steps) {
      for (const key of Object.keys(step)) assert.ok(STEP_KEYS.has(key), `${vector.name}: unknown key ${key}`);
      assert.match(step.at, ISO_INSTANT, `${vector.name}: at`);
      assert.ok(Date.parse(step.at) >= previous, `${vector.name}: time goes backwards at ${step.at}`);
      previous = Date.parse(step.at);
      assert.ok((step.credentials === undefined) !== (step.error === undefined), `${vector.name}: exactly one outcome`);
      assert.equal(step.action === 'refresh', step.response !== undefined, `${vector.name}: a response iff refresh`);
      if (step.action === 'use') assert.ok(step.credentials !== undefined, `${vector.name}: use never fails`);
    }
  }
  return file;
}

const FILE = load();

type Transport = { transport: string };
const isTransport = (r: unknown): r is Transport =>
  typeof r === 'object' && r !== null && 'transport' in r && Object.keys(r).length === 1;

/** Deliver the service's answer as Amplify v6 does: a body with errors is thrown, a failed fetch is a NetworkError. */
function deliver(gql: FakeGraphQL, response: unknown): void {
  if (isTransport(response)) {
    const name = { networkError: 'NetworkError', notSignedIn: 'NoValidAuthTokens' }[response.transport];
    assert.ok(name, `unknown transport failure ${response.transport}`);
    gql.fail(Object.assign(new Error(response.transport), { name }));
    return;
  }
  const errors = (response as { errors?: unknown[] }).errors;
  if (Array.isArray(errors) && errors.length > 0) gql.fail(response);
  else gql.resolveWith(response);
}

describe('conformance vectors (conformance/vectors.json) on the TypeScript provider', () => {
  it("the file's constants are the provider's", () => {
    assert.equal(FILE.scope, 'S3_OWN_PREFIX');
    assert.equal(FILE.constants.minReuseSeconds * 1000, MIN_REUSE_MS);
    assert.equal(FILE.constants.retryBackoffSeconds * 1000, RETRY_BACKOFF_MS);
    assert.equal(FILE.constants.expirySafetySeconds * 1000, EXPIRY_SAFETY_MS);
    assert.deepEqual(Object.keys(FILE.transportFailures).sort(), ['networkError', 'notSignedIn']);
  });

  for (const vector of FILE.vectors) {
    it(vector.name, async () => {
      const clock = new ManualClock(Date.parse(vector.steps[0]!.at));
      const gql = new FakeGraphQL();
      const provider = vendedCredentials({ scope: FILE.scope as 'S3_OWN_PREFIX', graphql: gql, authMode: 'userPool', now: clock.now });
      for (const [index, step] of vector.steps.entries()) {
        const where = `step ${index + 1} at ${step.at}`;
        clock.ms = Date.parse(step.at);
        const before = gql.calls;
        const pending = provider().then(
          (identity) => ({ identity }),
          (error: unknown) => ({ error }),
        );
        await settle();
        assert.equal(gql.calls - before, step.action === 'refresh' ? 1 : 0, `${where}: expected ${step.action}`);
        if (step.action === 'refresh') deliver(gql, step.response);
        const outcome = await pending;
        if (step.credentials !== undefined) {
          assert.ok('identity' in outcome, `${where}: expected credentials, got ${String((outcome as { error: unknown }).error)}`);
          assert.equal(outcome.identity.accessKeyId, step.credentials, where);
        } else {
          assert.ok('error' in outcome, `${where}: expected ${step.error}, got credentials`);
          assert.ok(outcome.error instanceof VendCredentialsError, where);
          assert.equal(outcome.error.errorType, step.error, where);
          assert.equal(outcome.error.retryable, FILE.retryableErrors.includes(step.error!), `${where}: retryable`);
          // The caller sees a message fit for a person: never a secret or AWS internals from the answer.
          assert.doesNotMatch(outcome.error.message, /secret-of-|token-of-|arn:aws/, where);
        }
        assert.equal(gql.waiting, 0, `${where}: a request is still waiting`);
      }
    });
  }
});
