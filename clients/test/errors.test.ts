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

// Entries as AppSync-compatible servers write them. A graphql-js based stand-in adds the non-null entry FIRST
// when a resolver of a non-null field fails; whether AppSync itself adds one is not documented.
const TYPED = {
  path: ['vendCredentials'],
  data: null,
  errorType: 'ScopeForbidden',
  errorInfo: null,
  locations: [{ line: 1, column: 12, sourceName: null }],
  message: 'You are not in a group that may request REPORTS_READ.',
};
const NON_NULL = {
  path: ['vendCredentials'],
  locations: [{ line: 1, column: 12 }],
  message: "Cannot return null for non-nullable type: 'Credentials' within parent 'Mutation' (/vendCredentials)",
};
const NON_NULL_TYPED_NULL = { ...NON_NULL, errorType: null };
const NON_NULL_UNKNOWN_TYPE = { ...NON_NULL, errorType: 'GraphQLError' };
const OTHER_FIELD_KNOWN = { path: ['scopes'], errorType: 'Throttled', message: 'Too many requests.' };

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describe('toVendCredentialsError: the typed error wherever it stands in errors', () => {
  const orderings: Array<[string, unknown[]]> = [
    ['alone', [TYPED]],
    ['first, before a non-null error', [TYPED, NON_NULL]],
    ['last, after a non-null error', [NON_NULL, TYPED]],
    ['between two non-null errors', [NON_NULL, TYPED, NON_NULL_TYPED_NULL]],
    ['after a non-null error whose errorType is null', [NON_NULL_TYPED_NULL, TYPED]],
    ['after a non-null error with an errorType we do not know', [NON_NULL_UNKNOWN_TYPE, TYPED]],
    ['after a non-object entry', ['odd', null, TYPED]],
  ];
  for (const [name, errors] of orderings) {
    it(`finds ScopeForbidden ${name}`, () => {
      const thrown = { data: null, errors };
      const error = toVendCredentialsError(thrown, 'vendCredentials');
      assert.equal(error.errorType, 'ScopeForbidden');
      assert.equal(error.reportedType, 'ScopeForbidden');
      assert.equal(error.message, TYPED.message);
      assert.equal(error.cause, thrown);
      // AND without naming the field, the known type still wins over the entries beside it
      assert.equal(toVendCredentialsError(thrown).errorType, 'ScopeForbidden');
    });
  }

  it('finds it in every order of four different entries', () => {
    const entries: unknown[] = [TYPED, NON_NULL, NON_NULL_UNKNOWN_TYPE, 'odd'];
    const all = permutations(entries);
    assert.equal(all.length, 24);
    for (const errors of all) {
      assert.equal(toVendCredentialsError({ data: null, errors }, 'vendCredentials').errorType, 'ScopeForbidden');
    }
  });

  it("prefers the asked field's own typed error over a known error of another field, in either order", () => {
    for (const errors of [[OTHER_FIELD_KNOWN, TYPED], [TYPED, OTHER_FIELD_KNOWN]]) {
      assert.equal(toVendCredentialsError({ data: null, errors }, 'vendCredentials').errorType, 'ScopeForbidden');
      assert.equal(toVendCredentialsError({ data: null, errors }, 'scopes').errorType, 'Throttled');
    }
    // AND when the asked field has no typed error, a known error elsewhere is still better than none
    const error = toVendCredentialsError({ data: null, errors: [NON_NULL, OTHER_FIELD_KNOWN] }, 'vendCredentials');
    assert.equal(error.errorType, 'Throttled');
  });

  it("AppSync's own 401 is found beside other entries too", () => {
    const unauthorized = { errorType: 'UnauthorizedException', message: 'Valid authorization header not provided.' };
    const error = toVendCredentialsError({ errors: [NON_NULL, unauthorized] }, 'vendCredentials');
    assert.equal(error.errorType, 'Unauthorized');
    assert.equal(error.reportedType, 'UnauthorizedException');
  });

  it('with no known type, reports the unknown type of the asked field (and never its text)', () => {
    const lambda = { path: ['vendCredentials'], errorType: 'Lambda:Unhandled', message: 'arn:aws:iam::123456789012:role/x' };
    for (const errors of [[NON_NULL, lambda], [lambda, NON_NULL]]) {
      const error = toVendCredentialsError({ data: null, errors }, 'vendCredentials');
      assert.equal(error.errorType, 'Unknown');
      assert.equal(error.reportedType, 'Lambda:Unhandled');
      assert.ok(!error.message.includes('arn:aws'));
    }
  });

  it('a non-null error alone is Unknown, with no reported type', () => {
    const error = toVendCredentialsError({ data: null, errors: [NON_NULL] }, 'vendCredentials');
    assert.equal(error.errorType, 'Unknown');
    assert.equal(error.reportedType, undefined);
  });
});
