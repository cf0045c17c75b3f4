// Unit tests of the Amplify Storage and Storage Browser adapters, with a scripted GraphQL client and a manual clock:
// locations from `scopes`, credentials from the matching scope's provider (one cache), sign-out, typed refusals.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { vendedCredentials } from '../src/provider.js';
import { locationCredentialsProvider, reportedExpiration, SCOPES_QUERY_STATEMENT, storageBrowserConfig } from '../src/storage.js';
import type { AuthEvents, StorageBrowserConfigOptions } from '../src/storage.js';
import { creds, FakeGraphQL, graphqlFailure, ManualClock, rejection, ScriptedGraphQL, settle, T0 } from './fakes.js';

const SUB = '11111111-2222-4333-8444-555555555555';
const OTHER_SUB = '22222222-3333-4444-8555-666666666666';
const OWN_SCOPE = `s3://uploads/users/${SUB}/*`;
const ALL = ['delete', 'get', 'list', 'write'];

function scopesAnswer(): unknown {
  return {
    data: {
      scopes: [
        {
          name: 'S3_OWN_PREFIX',
          available: true,
          location: { bucket: 'uploads', prefix: `users/${SUB}/`, permissions: ['LIST', 'GET', 'WRITE', 'DELETE'] },
        },
        { name: 'DYNAMODB_OWN_ITEMS', available: true, location: null },
        { name: 'REPORTS_READ', available: true, location: { bucket: 'uploads', prefix: 'reports/', permissions: ['LIST', 'GET'] } },
        { name: 'TENANT_FILES', available: false, location: null },
      ],
    },
  };
}

function setup(options: Partial<StorageBrowserConfigOptions> = {}) {
  const clock = new ManualClock();
  const gql = new ScriptedGraphQL(clock);
  gql.scopesResult = scopesAnswer();
  const config = storageBrowserConfig({ graphql: gql, region: 'us-east-1', authMode: 'userPool', now: clock.now, ...options });
  return { clock, gql, config };
}

class FakeHub implements AuthEvents {
  callbacks = new Set<(capsule: { payload: { event: string } }) => void>();
  listen(_channel: 'auth', callback: (capsule: { payload: { event: string } }) => void): () => void {
    this.callbacks.add(callback);
    return () => this.callbacks.delete(callback);
  }
  dispatch(event: string): void {
    for (const callback of [...this.callbacks]) callback({ payload: { event } });
  }
}

describe('locationCredentialsProvider (Amplify Storage)', () => {
  function provider() {
    const clock = new ManualClock();
    const gql = new FakeGraphQL();
    return { clock, gql, vended: vendedCredentials({ scope: 'S3_OWN_PREFIX', graphql: gql, now: clock.now }) };
  }

  it('resolves Amplify temporary credentials from the provider, sharing its cache', async () => {
    const { clock, gql, vended } = provider();
    const forAmplify = locationCredentialsProvider(vended);
    const answer = creds({ nowMs: clock.ms });
    const first = forAmplify();
    gql.answer(answer);
    const { credentials } = await first;
    assert.deepEqual(credentials, {
      accessKeyId: answer.accessKeyId,
      secretAccessKey: answer.secretAccessKey,
      sessionToken: answer.sessionToken,
      expiration: new Date(answer.expiration as string),
    });
    // The provider's own cache answers both the adapter and the SDK: no second vend.
    assert.equal((await forAmplify()).credentials.accessKeyId, answer.accessKeyId);
    assert.equal((await vended()).accessKeyId, answer.accessKeyId);
    assert.equal(gql.calls, 1);
  });

  it('vends again when Amplify asks with forceRefresh (S3 said the credentials expired)', async () => {
    const { clock, gql, vended } = provider();
    const forAmplify = locationCredentialsProvider(vended);
    const first = forAmplify();
    gql.answer(creds({ nowMs: clock.ms }));
    await first;
    const second = forAmplify({ forceRefresh: true });
    await settle();
    assert.equal(gql.calls, 2);
    const fresh = creds({ nowMs: clock.ms });
    gql.answer(fresh);
    assert.equal((await second).credentials.accessKeyId, fresh.accessKeyId);
    assert.equal((await vended()).accessKeyId, fresh.accessKeyId, 'the shared cache holds the new set');
  });

  it('throws the service refusal as a typed error', async () => {
    const { gql, vended } = provider();
    const pending = locationCredentialsProvider(vended)();
    gql.fail(graphqlFailure('ScopeForbidden', 'You are not in a group that may request S3_OWN_PREFIX.'));
    const error = await rejection(pending);
    assert.equal(error.errorType, 'ScopeForbidden');
    assert.equal(error.message, 'You are not in a group that may request S3_OWN_PREFIX.');
  });
});

describe('storageBrowserConfig: listLocations', () => {
  it('lists the locations of the scopes the caller can get, as the Storage Browser reads them', async () => {
    const { gql, config } = setup();
    const page = await config.listLocations();
    assert.deepEqual(page, {
      items: [
        { id: 'S3_OWN_PREFIX', bucket: 'uploads', prefix: `users/${SUB}/`, permissions: ['list', 'get', 'write', 'delete'], type: 'PREFIX' },
        { id: 'REPORTS_READ', bucket: 'uploads', prefix: 'reports/', permissions: ['list', 'get'], type: 'PREFIX' },
      ],
      nextToken: undefined,
    });
    assert.ok(!JSON.stringify(page).includes(OTHER_SUB));
    assert.equal(gql.requests[0]!.query, SCOPES_QUERY_STATEMENT);
    assert.match(gql.requests[0]!.query, /location \{\s+bucket\s+prefix\s+permissions/);
    assert.equal(gql.requests[0]!.authMode, 'userPool');
  });

  it('asks the service again for each first page, and pages later ones from the same answer', async () => {
    const { gql, config } = setup();
    const first = await config.listLocations({ options: { pageSize: 1 } });
    assert.equal(first.nextToken, '1');
    const second = await config.listLocations({ options: { pageSize: 1, nextToken: first.nextToken } });
    assert.deepEqual(second.items.map((l) => l.id), ['REPORTS_READ']);
    assert.equal(gql.count('scopes'), 1);
    await config.listLocations();
    assert.equal(gql.count('scopes'), 2);
  });

  it('honours the Storage Browser exclude option', async () => {
    const { config } = setup();
    const page = await config.listLocations({ options: { exclude: { exactPermissions: ['get', 'list'] } } });
    assert.deepEqual(page.items.map((l) => l.id), ['S3_OWN_PREFIX']);
  });

  it('throws a refused scopes query as a typed error', async () => {
    const { gql, config } = setup();
    gql.scopesError = { data: null, errors: [{ errorType: 'UnauthorizedException', message: 'x', path: ['scopes'] }] };
    const error = await rejection(config.listLocations());
    assert.equal(error.errorType, 'Unauthorized');
  });
});

describe('storageBrowserConfig: getLocationCredentials', () => {
  it("vends the matching scope once for the location and every folder under it, reporting the refresh time", async () => {
    const { clock, gql, config } = setup();
    await config.listLocations();
    const { credentials } = await config.getLocationCredentials({ scope: OWN_SCOPE, permissions: ALL });
    const again = await config.getLocationCredentials({ scope: `s3://uploads/users/${SUB}/photos/*`, permissions: ALL });
    assert.equal(again.credentials.accessKeyId, credentials.accessKeyId);
    const vends = gql.requests.filter((r) => r.query !== SCOPES_QUERY_STATEMENT);
    assert.equal(vends.length, 1);
    assert.deepEqual((vends[0] as { variables: unknown }).variables, { scope: 'S3_OWN_PREFIX' });
    // fakes.creds: a one-hour set to refresh 720 s before it expires.
    assert.equal(credentials.expiration.getTime(), clock.ms + (3600 - 720) * 1000);
    assert.match(credentials.sessionToken, /^token-/);
  });

  it('fetches the locations first when the Storage Browser asks before listing them', async () => {
    const { gql, config } = setup();
    await config.getLocationCredentials({ scope: 's3://uploads/reports/*', permissions: ['get', 'list'] });
    assert.equal(gql.count('scopes'), 1);
    assert.deepEqual((gql.requests[1] as { variables: unknown }).variables, { scope: 'REPORTS_READ' });
  });

  for (const [what, scope, permissions] of [
    ["another user's prefix", `s3://uploads/users/${OTHER_SUB}/*`, ['list']],
    ['more than the location grants', 's3://uploads/reports/*', ['list', 'write']],
  ] as const) {
    it(`refuses ${what} without vending anything`, async () => {
      const { gql, config } = setup();
      const error = await rejection(config.getLocationCredentials({ scope, permissions }));
      assert.equal(error.errorType, 'ScopeNotFound');
      assert.equal(gql.count('vend'), 0);
    });
  }

  it("surfaces the service's refusal of the vend as the typed error", async () => {
    const { gql, config } = setup();
    gql.vendError = graphqlFailure('Unauthorized', 'You are not signed in, or your session has expired. Sign in again.');
    const error = await rejection(config.getLocationCredentials({ scope: OWN_SCOPE, permissions: ALL }));
    assert.equal(error.errorType, 'Unauthorized');
  });

  it("shares the app's provider, and so its cache, when given one", async () => {
    const clock = new ManualClock();
    const gql = new ScriptedGraphQL(clock);
    gql.scopesResult = scopesAnswer();
    const shared = vendedCredentials({ scope: 'S3_OWN_PREFIX', graphql: gql, now: clock.now });
    const asked: string[] = [];
    const config = storageBrowserConfig({
      graphql: gql,
      region: 'us-east-1',
      providerFor: (scope) => {
        asked.push(scope);
        return shared;
      },
    });
    const held = await shared();
    const { credentials } = await config.getLocationCredentials({ scope: OWN_SCOPE, permissions: ALL });
    assert.equal(credentials.accessKeyId, held.accessKeyId);
    assert.equal(gql.count('vend'), 1);
    assert.deepEqual(asked, ['S3_OWN_PREFIX']);
    // Sign-out clears the shared provider as well.
    config.clear();
    assert.equal(shared.schedule(), undefined);
  });
});

describe('reportedExpiration', () => {
  const expiration = new Date(T0 + 3600_000);
  it("is the provider's refresh time while it lies ahead and before the real expiry", () => {
    assert.deepEqual(reportedExpiration(expiration, new Date(T0 + 2880_000), T0), new Date(T0 + 2880_000));
  });
  it('is the real expiry once the refresh time has passed (a set kept after a failed refresh)', () => {
    assert.deepEqual(reportedExpiration(expiration, new Date(T0 - 1), T0), expiration);
    assert.deepEqual(reportedExpiration(expiration, new Date(T0), T0), expiration);
  });
  it('is never later than the real expiry, and is the real one when nothing is scheduled', () => {
    assert.deepEqual(reportedExpiration(expiration, new Date(T0 + 7200_000), T0), expiration);
    assert.deepEqual(reportedExpiration(expiration, undefined, T0), expiration);
  });
});

describe('storageBrowserConfig: sign-out', () => {
  it('clear() forgets credentials and locations, and calls the Storage Browser back once', async () => {
    const { gql, config } = setup();
    const first = await config.getLocationCredentials({ scope: OWN_SCOPE, permissions: ALL });
    let called = 0;
    config.registerAuthListener(() => {
      called += 1;
    });
    config.clear();
    config.clear();
    assert.equal(called, 1, 'each registered callback runs once; the Storage Browser registers again');
    const second = await config.getLocationCredentials({ scope: OWN_SCOPE, permissions: ALL });
    assert.notEqual(second.credentials.accessKeyId, first.credentials.accessKeyId);
    assert.equal(gql.count('vend'), 2);
    assert.equal(gql.count('scopes'), 2);
  });

  it("clears on Amplify Hub's signedOut and signedIn, not on other auth events, until disposed", async () => {
    const hub = new FakeHub();
    const { config } = setup({ authEvents: hub });
    const clearedOn: string[] = [];
    let current = '';
    // The Storage Browser registers (again) after each call back.
    const register = (): void => config.registerAuthListener(() => {
      clearedOn.push(current);
      register();
    });
    register();
    for (const event of ['tokenRefresh', 'signedOut', 'customOAuthState', 'signedIn']) {
      current = event;
      hub.dispatch(event);
    }
    assert.deepEqual(clearedOn, ['signedOut', 'signedIn']);
    config.dispose();
    assert.equal(hub.callbacks.size, 0);
  });

  it('a scopes answer that arrives after a sign-out does not fill the next user\'s cache', async () => {
    const { gql, config } = setup();
    gql.hold();
    const pending = config.listLocations();
    await settle();
    config.clear();
    gql.scopesResult = { data: { scopes: [] } };
    gql.release();
    await pending;
    // The next user's request asks the service again instead of using the first user's locations.
    const error = await rejection(config.getLocationCredentials({ scope: OWN_SCOPE, permissions: ALL }));
    assert.equal(error.errorType, 'ScopeNotFound');
    assert.equal(gql.count('scopes'), 2);
  });
});

describe('storageBrowserConfig: options', () => {
  it('passes customEndpoint and region through for the Storage Browser', () => {
    const { config } = setup({ customEndpoint: 'localhost:4443' });
    assert.equal(config.customEndpoint, 'localhost:4443');
    assert.equal(config.region, 'us-east-1');
    assert.equal('customEndpoint' in setup().config, false);
  });

  for (const customEndpoint of ['https://localhost:4443', '']) {
    it(`refuses customEndpoint ${JSON.stringify(customEndpoint)}: Amplify takes a host without a scheme`, () => {
      assert.throws(() => setup({ customEndpoint }), TypeError);
    });
  }

  it('refuses a missing region or GraphQL client', () => {
    assert.throws(() => setup({ region: '' }), TypeError);
    assert.throws(() => storageBrowserConfig({ region: 'us-east-1' } as unknown as StorageBrowserConfigOptions), TypeError);
  });
});
