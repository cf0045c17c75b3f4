// Unit tests of the pure location rules: the `scopes` answer as locations, the location a credentials request is
// for, and the Storage Browser's paging and filtering.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { VendCredentialsError } from '../src/errors.js';
import { isFolderPrefix, locationFor, locationsFromScopes, pageOfLocations, parseS3Scope } from '../src/locations.js';
import type { VendLocation } from '../src/locations.js';

const SUB = '11111111-2222-4333-8444-555555555555';
const OWN: VendLocation = {
  id: 'S3_OWN_PREFIX',
  bucket: 'uploads',
  prefix: `users/${SUB}/`,
  permissions: ['list', 'get', 'write', 'delete'],
  type: 'PREFIX',
};
const REPORTS: VendLocation = { id: 'REPORTS_READ', bucket: 'uploads', prefix: 'reports/', permissions: ['list', 'get'], type: 'PREFIX' };
const REPORTS_2026: VendLocation = { ...REPORTS, id: 'TENANT_FILES', prefix: 'reports/2026/', permissions: ['list', 'get', 'write'] };
const DROPBOX: VendLocation = { ...REPORTS, id: 'DROP_BOX', prefix: 'drop/', permissions: ['write', 'delete'] };

function entry(name: string, location: unknown, available = true): Record<string, unknown> {
  return { name, available, location, description: 'd', maxDurationSeconds: 900 };
}

function refusal(thunk: () => unknown): VendCredentialsError {
  try {
    thunk();
  } catch (error) {
    assert.ok(error instanceof VendCredentialsError);
    return error;
  }
  assert.fail('expected a VendCredentialsError');
}

describe('locationsFromScopes', () => {
  it('keeps the scopes the caller can get that declare a location, with the permissions in lower case', () => {
    const result = {
      data: {
        scopes: [
          entry('S3_OWN_PREFIX', { bucket: 'uploads', prefix: `users/${SUB}/`, permissions: ['LIST', 'GET', 'WRITE', 'DELETE'] }),
          entry('DYNAMODB_OWN_ITEMS', null),
          entry('REPORTS_READ', null, false),
          entry('TENANT_FILES', { bucket: 'uploads', prefix: 'tenants/acme/', permissions: ['LIST'] }, false),
        ],
      },
    };
    assert.deepEqual(locationsFromScopes(result), [OWN]);
  });

  it('turns an errors answer into the service error', () => {
    const error = refusal(() =>
      locationsFromScopes({ data: null, errors: [{ errorType: 'Unauthorized', message: 'Sign in.', path: ['scopes'] }] }),
    );
    assert.equal(error.errorType, 'Unauthorized');
  });

  for (const [what, location] of [
    ['a bucket that is no bucket name', { bucket: 'Up_Loads', prefix: 'a/', permissions: ['LIST'] }],
    ['a prefix that does not end in /', { bucket: 'uploads', prefix: 'users/x', permissions: ['LIST'] }],
    ['a prefix with a .. segment', { bucket: 'uploads', prefix: 'users/../x/', permissions: ['LIST'] }],
    ['no permissions', { bucket: 'uploads', prefix: 'a/', permissions: [] }],
    ['an unknown permission', { bucket: 'uploads', prefix: 'a/', permissions: ['LIST', 'ADMIN'] }],
  ] as const) {
    it(`refuses an answer with ${what} (InvalidResponse), never guessing a location`, () => {
      const error = refusal(() => locationsFromScopes({ data: { scopes: [entry('S3_OWN_PREFIX', location)] } }));
      assert.equal(error.errorType, 'InvalidResponse');
    });
  }

  it('refuses an answer without scopes', () => {
    assert.equal(refusal(() => locationsFromScopes({ data: {} })).errorType, 'InvalidResponse');
  });
});

describe('isFolderPrefix and parseS3Scope', () => {
  it('accepts folder prefixes only', () => {
    assert.deepEqual(
      ['a/', 'a/b/', 'a', '', '/a/', 'a//', './', 'a/../'].map(isFolderPrefix),
      [true, true, false, false, false, false, false, false],
    );
  });

  it('reads the bucket and path of a prefix or object scope', () => {
    assert.deepEqual(parseS3Scope('s3://uploads/users/x/*'), { bucket: 'uploads', path: 'users/x/' });
    assert.deepEqual(parseS3Scope('s3://uploads/users/x/a.txt'), { bucket: 'uploads', path: 'users/x/a.txt' });
    assert.deepEqual(parseS3Scope('s3://uploads/*'), { bucket: 'uploads', path: '' });
    assert.equal(parseS3Scope('https://uploads/users/x/*'), undefined);
    assert.equal(parseS3Scope('s3://uploads'), undefined);
  });
});

describe('locationFor', () => {
  const all = [OWN, REPORTS, REPORTS_2026];

  it('finds the location of its own prefix and of every folder under it', () => {
    assert.equal(locationFor(all, `s3://uploads/users/${SUB}/*`, ['delete', 'get', 'list', 'write']), OWN);
    assert.equal(locationFor(all, `s3://uploads/users/${SUB}/photos/2026/*`, ['list']), OWN);
    assert.equal(locationFor(all, `s3://uploads/users/${SUB}/photos/a.jpg`, ['get']), OWN);
  });

  it('picks the most specific location that grants the permissions', () => {
    assert.equal(locationFor(all, 's3://uploads/reports/2026/q1/*', ['list']), REPORTS_2026);
    assert.equal(locationFor(all, 's3://uploads/reports/2025/*', ['list']), REPORTS);
  });

  for (const [what, scope, permissions] of [
    ["another user's prefix", 's3://uploads/users/22222222-3333-4444-8555-666666666666/*', ['list']],
    ['a prefix that shares the text of its own', `s3://uploads/users/${SUB}x/*`, ['list']],
    ['the parent prefix', 's3://uploads/users/*', ['list']],
    ['the bucket root', 's3://uploads/*', ['list']],
    ['another bucket', `s3://other/users/${SUB}/*`, ['list']],
    ['a permission the location does not grant', 's3://uploads/reports/*', ['write']],
    ['something that is not an S3 URI', `users/${SUB}/*`, ['list']],
  ] as const) {
    it(`refuses ${what} (ScopeNotFound)`, () => {
      const error = refusal(() => locationFor(all, scope, permissions));
      assert.equal(error.errorType, 'ScopeNotFound');
      assert.equal(error.message, 'None of your scopes grants that location with those permissions.');
    });
  }
});

describe('pageOfLocations', () => {
  const all = [OWN, REPORTS, DROPBOX];

  it('leaves out locations with exactly the excluded permissions, as the Storage Browser asks for write-only ones', () => {
    const page = pageOfLocations(all, { exclude: { exactPermissions: ['delete', 'write'] } });
    assert.deepEqual(page.items, [OWN, REPORTS]);
    assert.equal(page.nextToken, undefined);
  });

  it('leaves out locations of an excluded type', () => {
    assert.deepEqual(pageOfLocations(all, { exclude: { type: ['PREFIX'] } }).items, []);
    assert.deepEqual(pageOfLocations(all, { exclude: { type: 'BUCKET' } }).items, all);
  });

  it('pages by offset: pageSize - 1, pageSize and pageSize + 1 locations', () => {
    const first = pageOfLocations(all, { pageSize: 2 });
    assert.deepEqual([first.items, first.nextToken], [[OWN, REPORTS], '2']);
    const second = pageOfLocations(all, { pageSize: 2, nextToken: '2' });
    assert.deepEqual([second.items, second.nextToken], [[DROPBOX], undefined]);
    assert.equal(pageOfLocations(all.slice(0, 2), { pageSize: 2 }).nextToken, undefined);
    assert.equal(pageOfLocations(all.slice(0, 1), { pageSize: 2 }).nextToken, undefined);
  });

  it('answers an unknown token with an empty last page', () => {
    assert.deepEqual(pageOfLocations(all, { pageSize: 2, nextToken: 'x' }), { items: [], nextToken: undefined });
  });
});
