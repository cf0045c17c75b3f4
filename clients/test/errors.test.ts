// Unit tests of the error translation: what Amplify v6 throws becomes a typed VendCredentialsError. Table-driven.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { SERVICE_ERROR_TYPES, toVendCredentialsError, VendCredentialsError } from '../src/errors.js';
import type { VendErrorType } from '../src/errors.js';
import { graphqlFailure } from './fakes.js';

function namedError(name: string, message = 'boom'): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

describe('toVendCredentialsError', () => {
  it('keeps every service errorType and its browser-safe message', () => {
    for (const type of SERVICE_ERROR_TYPES) {
      const error = toVendCredentialsError(graphqlFailure(type, `message for ${type}`));
      assert.equal(error.errorType, type);
      assert.equal(error.reportedType, type);
      assert.equal(error.message, `message for ${type}`);
    }
  });

  const table: Array<[string, unknown, VendErrorType, boolean, string | undefined]> = [
    ['AppSync rejects the token', graphqlFailure('UnauthorizedException', 'Valid authorization header not provided.'), 'Unauthorized', false, 'UnauthorizedException'],
    ['Amplify wraps a 401', graphqlFailure(undefined, 'Unauthorized', 'UnauthorizedException'), 'Unauthorized', false, 'UnauthorizedException'],
    ['Amplify wraps a failed fetch', graphqlFailure(undefined, 'Network error', 'NetworkError'), 'NetworkError', true, 'NetworkError'],
    ['Amplify: no tokens (signed out)', namedError('NoValidAuthTokens'), 'Unauthorized', false, 'NoValidAuthTokens'],
    ['Amplify: fetchAuthSession failed', namedError('NoSignedUser'), 'Unauthorized', false, 'NoSignedUser'],
    ['a thrown NetworkError', namedError('NetworkError'), 'NetworkError', true, 'NetworkError'],
    ['a raw Lambda error', graphqlFailure('Lambda:Unhandled', 'arn:aws:iam::123456789012:role/x is not authorized'), 'Unknown', false, 'Lambda:Unhandled'],
    ['a wrapped error without a name', graphqlFailure(undefined, 'odd'), 'Unknown', false, undefined],
    ['an errors array of non-objects', { errors: ['odd'] }, 'Unknown', false, undefined],
    ['a programming error', new TypeError('x is not a function'), 'Unknown', false, undefined],
    ['a thrown string', 'nope', 'Unknown', false, undefined],
    ['undefined', undefined, 'Unknown', false, undefined],
  ];
  for (const [name, thrown, type, retryable, reported] of table) {
    it(`maps ${name} to ${type}`, () => {
      const error = toVendCredentialsError(thrown);
      assert.ok(error instanceof VendCredentialsError);
      assert.ok(error instanceof Error);
      assert.equal(error.name, 'VendCredentialsError');
      assert.equal(error.errorType, type);
      assert.equal(error.retryable, retryable);
      assert.equal(error.reportedType, reported);
      assert.equal(error.cause, thrown);
    });
  }

  it('retries only what can get better by waiting', () => {
    const retryable = SERVICE_ERROR_TYPES.filter((t) => toVendCredentialsError(graphqlFailure(t, 'm')).retryable);
    assert.deepEqual(retryable, ['Throttled', 'UpstreamUnavailable', 'Internal']);
  });

  it('never passes on the text of an error it does not know (it may name AWS internals)', () => {
    const error = toVendCredentialsError(graphqlFailure('Lambda:Unhandled', 'arn:aws:iam::123456789012:role/x'));
    assert.ok(!error.message.includes('arn:aws'));
  });

  it('returns a VendCredentialsError unchanged', () => {
    const original = new VendCredentialsError('Throttled', 'slow down');
    assert.equal(toVendCredentialsError(original), original);
  });
});
