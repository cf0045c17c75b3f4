// Unit tests of vendedCredentials: caching, sharing, refresh and failure rules, with a manual clock and a
// fake GraphQL client. No network, no timers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { vendedCredentials, VEND_CREDENTIALS_MUTATION, MIN_REUSE_MS, RETRY_BACKOFF_MS } from '../src/provider.js';
import { creds, FakeGraphQL, graphqlFailure, iso, ManualClock, rejection, settle } from './fakes.js';

function setup(options: { durationSeconds?: number } = {}) {
  const clock = new ManualClock();
  const gql = new FakeGraphQL();
  const provider = vendedCredentials({
    scope: 'S3_OWN_PREFIX',
    graphql: gql,
    authMode: 'userPool',
    now: clock.now,
    ...options,
  });
  return { clock, gql, provider };
}

describe('vendedCredentials: the request', () => {
  it('sends the generated vendCredentials statement with the scope, duration and auth mode', async () => {
    // GIVEN a provider for S3_OWN_PREFIX, 900 seconds
    const { clock, gql, provider } = setup({ durationSeconds: 900 });
    // WHEN it is asked for credentials
    const pending = provider();
    gql.answer(creds({ nowMs: clock.ms }));
    await pending;
    // THEN one request carries the codegen statement and the variables
    assert.equal(gql.calls, 1);
    const request = gql.requests[0]!;
    assert.equal(request.query, VEND_CREDENTIALS_MUTATION);
    assert.match(request.query, /mutation VendCredentials\(\$scope: Scope!, \$durationSeconds: Int\)/);
    assert.deepEqual(request.variables, { scope: 'S3_OWN_PREFIX', durationSeconds: 900 });
    assert.equal(request.authMode, 'userPool');
  });

  it('leaves durationSeconds out when not given, so the service applies its default', async () => {
    const { clock, gql, provider } = setup();
    const pending = provider();
    gql.answer(creds({ nowMs: clock.ms }));
    await pending;
    assert.deepEqual(gql.requests[0]!.variables, { scope: 'S3_OWN_PREFIX' });
  });

  it('returns an AWS SDK credential identity with the expiration as a Date', async () => {
    const { clock, gql, provider } = setup();
    const answer = creds({ nowMs: clock.ms, lifetimeS: 3600 });
    const pending = provider();
    gql.answer(answer);
    const identity = await pending;
    assert.deepEqual(identity, {
      accessKeyId: answer.accessKeyId,
      secretAccessKey: answer.secretAccessKey,
      sessionToken: answer.sessionToken,
      expiration: new Date(clock.ms + 3600_000),
    });
  });

  it('refuses bad options up front', () => {
    const gql = new FakeGraphQL();
    for (const durationSeconds of [0, -1, 1.5, Number.NaN]) {
      assert.throws(() => vendedCredentials({ scope: 'S3_OWN_PREFIX', graphql: gql, durationSeconds }), TypeError);
    }
    assert.throws(
      () => vendedCredentials({ scope: 'S3_OWN_PREFIX', graphql: {} as unknown as FakeGraphQL }),
      /generateClient/,
    );
  });
});

describe('vendedCredentials: caching until refreshAfter', () => {
  it('serves the cached set until refreshAfter and vends again at refreshAfter', async () => {
    // GIVEN credentials for an hour, refreshAfter 12 minutes before expiration
    const { clock, gql, provider } = setup();
    const first = provider();
    gql.answer(creds({ nowMs: clock.ms, lifetimeS: 3600, refreshMarginS: 720 }));
    const one = await first;
    // WHEN asked again 1 ms before refreshAfter THEN the same set, no new request
    clock.advance((3600 - 720) * 1000 - 1);
    assert.equal(await provider(), one);
    assert.equal(gql.calls, 1);
    // WHEN asked at refreshAfter THEN a new request and a new set
    clock.advance(1);
    const second = provider();
    assert.equal(gql.calls, 2);
    gql.answer(creds({ nowMs: clock.ms }));
    const two = await second;
    assert.notEqual(two.accessKeyId, one.accessKeyId);
    assert.equal(await provider(), two);
    assert.equal(gql.calls, 2);
  });

  it('forceRefresh skips the cache', async () => {
    const { clock, gql, provider } = setup();
    const first = provider();
    gql.answer(creds({ nowMs: clock.ms }));
    const one = await first;
    const forced = provider({ forceRefresh: true });
    assert.equal(gql.calls, 2);
    gql.answer(creds({ nowMs: clock.ms }));
    assert.notEqual((await forced).accessKeyId, one.accessKeyId);
  });

  it('reuses a set for MIN_REUSE_MS when refreshAfter is already past on arrival (client clock ahead)', async () => {
    // GIVEN a clock two hours ahead of the service: the fresh set's refreshAfter is already in the past
    const { clock, gql, provider } = setup();
    const first = provider();
    gql.answer(creds({ nowMs: clock.ms - 7200_000, lifetimeS: 7200 + 300, refreshMarginS: 720 }));
    const one = await first;
    // WHEN asked again just before MIN_REUSE_MS THEN no new request (not one vend per SDK call)
    clock.advance(MIN_REUSE_MS - 1);
    assert.equal(await provider(), one);
    assert.equal(gql.calls, 1);
    // AND at MIN_REUSE_MS it asks again
    clock.advance(1);
    void provider().catch(() => undefined);
    assert.equal(gql.calls, 2);
  });
});

describe('vendedCredentials: one request in flight', () => {
  it('concurrent callers share one request and get the same credentials', async () => {
    const { clock, gql, provider } = setup();
    const callers = [provider(), provider(), provider()];
    assert.equal(gql.calls, 1);
    gql.answer(creds({ nowMs: clock.ms }));
    const [a, b, c] = await Promise.all(callers);
    assert.equal(a, b);
    assert.equal(b, c);
    assert.equal(gql.calls, 1);
  });

  it('concurrent callers share one failure, and the next call asks again', async () => {
    const { clock, gql, provider } = setup();
    const callers = [provider(), provider()];
    assert.equal(gql.calls, 1);
    gql.fail(graphqlFailure('UpstreamUnavailable', 'The credential service is unavailable. Try again later.'));
    const [e1, e2] = await Promise.all(callers.map(rejection));
    assert.equal(e1, e2);
    assert.equal(e1!.errorType, 'UpstreamUnavailable');
    // THEN the failure was not cached: a new call makes a new request, which can succeed
    const retry = provider();
    assert.equal(gql.calls, 2);
    gql.answer(creds({ nowMs: clock.ms }));
    assert.match((await retry).accessKeyId, /^ASIAFAKE/);
  });

  it('a refresh in flight is shared too, and a caller after it settles starts a new one', async () => {
    const { clock, gql, provider } = setup();
    const first = provider();
    gql.answer(creds({ nowMs: clock.ms, lifetimeS: 900, refreshMarginS: 300 }));
    await first;
    clock.advance(600_000);
    const refreshers = [provider(), provider()];
    assert.equal(gql.calls, 2);
    gql.answer(creds({ nowMs: clock.ms, lifetimeS: 900, refreshMarginS: 300 }));
    await Promise.all(refreshers);
    clock.advance(600_000);
    const again = provider();
    assert.equal(gql.calls, 3);
    gql.answer(creds({ nowMs: clock.ms }));
    await again;
  });
});

describe('vendedCredentials: failures', () => {
  it('surfaces ScopeForbidden as a typed, non-retryable error with the service message', async () => {
    const { gql, provider } = setup();
    const pending = provider();
    gql.fail(graphqlFailure('ScopeForbidden', 'Scope REPORTS_READ is limited to the groups: analysts.'));
    const error = await rejection(pending);
    assert.equal(error.errorType, 'ScopeForbidden');
    assert.equal(error.retryable, false);
    assert.equal(error.message, 'Scope REPORTS_READ is limited to the groups: analysts.');
  });

  it('handles a client that resolves with errors instead of throwing', async () => {
    const { gql, provider } = setup();
    const pending = provider();
    gql.resolveWith(graphqlFailure('InvalidDuration', 'durationSeconds must be between 900 and 3600.'));
    assert.equal((await rejection(pending)).errorType, 'InvalidDuration');
  });

  it('after refreshAfter, a retryable failure serves the still-valid set and backs off', async () => {
    // GIVEN a cached set past its refreshAfter
    const { clock, gql, provider } = setup();
    const first = provider();
    gql.answer(creds({ nowMs: clock.ms, lifetimeS: 3600, refreshMarginS: 720 }));
    const one = await first;
    clock.advance((3600 - 720) * 1000);
    // WHEN the refresh is throttled THEN the caller still gets the valid set
    const refreshing = provider();
    gql.fail(graphqlFailure('Throttled', 'Too many requests. Try again shortly.'));
    assert.equal(await refreshing, one);
    // AND no new request during the backoff
    clock.advance(RETRY_BACKOFF_MS - 1);
    assert.equal(await provider(), one);
    assert.equal(gql.calls, 2);
    // AND after the backoff it asks again and takes the new set
    clock.advance(1);
    const retry = provider();
    assert.equal(gql.calls, 3);
    gql.answer(creds({ nowMs: clock.ms }));
    assert.notEqual((await retry).accessKeyId, one.accessKeyId);
  });

  it('a retryable failure close to expiration is thrown, not hidden', async () => {
    const { clock, gql, provider } = setup();
    const first = provider();
    gql.answer(creds({ nowMs: clock.ms, lifetimeS: 3600, refreshMarginS: 720 }));
    await first;
    clock.advance(3600_000 - 30_000); // 30 s left: too close to hand out
    const refreshing = provider();
    gql.fail(graphqlFailure(undefined, 'Network error', 'NetworkError'));
    const error = await rejection(refreshing);
    assert.equal(error.errorType, 'NetworkError');
    assert.equal(error.retryable, true);
  });

  it('a non-retryable failure drops the cached set: it is never served again', async () => {
    // GIVEN a cached set past refreshAfter, and the user has since lost the scope
    const { clock, gql, provider } = setup();
    const first = provider();
    gql.answer(creds({ nowMs: clock.ms }));
    await first;
    clock.advance(3000_000);
    const refreshing = provider();
    gql.fail(graphqlFailure('ScopeForbidden', 'Scope S3_OWN_PREFIX is not available to you.'));
    assert.equal((await rejection(refreshing)).errorType, 'ScopeForbidden');
    // WHEN asked again, still before the old set's expiration THEN a new request, not the old set
    const again = provider();
    assert.equal(gql.calls, 3);
    gql.fail(graphqlFailure('ScopeForbidden', 'Scope S3_OWN_PREFIX is not available to you.'));
    assert.equal((await rejection(again)).errorType, 'ScopeForbidden');
  });
});

describe('vendedCredentials: a refused refresh drops the cached set', () => {
  const NON_NULL = {
    path: ['vendCredentials'],
    message: "Cannot return null for non-nullable type: 'Credentials' within parent 'Mutation' (/vendCredentials)",
  };
  const refusals: Array<[string, unknown, string]> = [
    ['ScopeForbidden', graphqlFailure('ScopeForbidden', 'You are not in a group that may request S3_OWN_PREFIX.'), 'ScopeForbidden'],
    ['ScopeForbidden after a non-null error', { data: null, errors: [NON_NULL, { path: ['vendCredentials'], errorType: 'ScopeForbidden', message: 'No.' }] }, 'ScopeForbidden'],
    ['Unauthorized from the service', graphqlFailure('Unauthorized', 'Sign in with this app\'s user pool to request credentials.'), 'Unauthorized'],
    ["AppSync's 401 after a non-null error", { errors: [NON_NULL, { errorType: 'UnauthorizedException', message: 'Token has expired.' }] }, 'Unauthorized'],
    ['Amplify: nobody is signed in', Object.assign(new Error('no tokens'), { name: 'NoValidAuthTokens' }), 'Unauthorized'],
  ];
  for (const [name, refusal, type] of refusals) {
    for (const how of ['thrown', 'resolved'] as const) {
      if (how === 'resolved' && refusal instanceof Error) continue;
      it(`${name} (${how}): the old set is never served again, though it has not expired`, async () => {
        // GIVEN a cached set, past refreshAfter but far from expiration
        const { clock, gql, provider } = setup();
        const first = provider();
        gql.answer(creds({ nowMs: clock.ms, lifetimeS: 3600, refreshMarginS: 720 }));
        const old = await first;
        clock.advance((3600 - 720) * 1000);
        // WHEN the refresh is refused
        const refreshing = provider();
        if (how === 'thrown') gql.fail(refusal);
        else gql.resolveWith(refusal);
        assert.equal((await rejection(refreshing)).errorType, type);
        // THEN the old set, far from expiration, is gone: a throttled next attempt cannot fall back on it
        const again = provider();
        assert.equal(gql.calls, 3);
        gql.fail(graphqlFailure('Throttled', 'Too many requests. Try again shortly.'));
        assert.equal((await rejection(again)).errorType, 'Throttled');
        // AND the one after that asks again and gets a new set
        const third = provider();
        assert.equal(gql.calls, 4);
        gql.answer(creds({ nowMs: clock.ms }));
        assert.notEqual((await third).accessKeyId, old.accessKeyId);
      });
    }
  }

  it('a forced refresh that is refused drops the set too (control: an unforced call before it is served)', async () => {
    const { clock, gql, provider } = setup();
    const first = provider();
    gql.answer(creds({ nowMs: clock.ms }));
    const old = await first;
    assert.equal(await provider(), old);
    assert.equal(gql.calls, 1);
    const forced = provider({ forceRefresh: true });
    gql.fail(graphqlFailure('Unauthorized', 'Sign in again.'));
    assert.equal((await rejection(forced)).errorType, 'Unauthorized');
    // THEN an unforced call, still long before refreshAfter, no longer gets the old set: it asks
    void provider().catch(() => undefined);
    assert.equal(gql.calls, 3);
  });
});

describe('vendedCredentials: answers that are not usable credentials', () => {
  const cases: Array<[string, (c: Record<string, unknown>) => void, RegExp]> = [
    ['a missing sessionToken', (c) => delete c.sessionToken, /sessionToken is missing/],
    ['an empty secretAccessKey', (c) => (c.secretAccessKey = ''), /secretAccessKey is missing/],
    ['an expiration without a timezone', (c) => (c.expiration = '2030-01-01T13:00:00'), /expiration is not/],
    ['a refreshAfter that is not a date', (c) => (c.refreshAfter = 'soon'), /refreshAfter is not/],
    ['another scope', (c) => (c.scope = 'REPORTS_READ'), /another scope/],
    ['refreshAfter after expiration', (c) => (c.refreshAfter = iso(Date.parse(String(c.expiration)) + 1000)), /later than/],
  ];
  for (const [name, spoil, message] of cases) {
    it(`refuses ${name} as InvalidResponse, without echoing any value`, async () => {
      const { clock, gql, provider } = setup();
      const answer = creds({ nowMs: clock.ms });
      spoil(answer);
      const pending = provider();
      gql.answer(answer);
      const error = await rejection(pending);
      assert.equal(error.errorType, 'InvalidResponse');
      assert.match(error.message, message);
      for (const secret of [answer.secretAccessKey, answer.sessionToken]) {
        if (typeof secret === 'string' && secret !== '') assert.ok(!error.message.includes(secret));
      }
      // AND nothing was cached
      void provider().catch(() => undefined);
      assert.equal(gql.calls, 2);
    });
  }

  it('refuses an answer without data', async () => {
    const { gql, provider } = setup();
    const pending = provider();
    gql.resolveWith({ data: { vendCredentials: null } });
    assert.equal((await rejection(pending)).errorType, 'InvalidResponse');
  });
});

describe('vendedCredentials: schedule() for display', () => {
  it('is undefined until a set is held, then names its expiration and refresh time, and nothing secret', async () => {
    const { clock, gql, provider } = setup();
    assert.equal(provider.schedule(), undefined);
    const first = provider();
    gql.answer(creds({ nowMs: clock.ms, lifetimeS: 3600, refreshMarginS: 720 }));
    await first;
    assert.deepEqual(provider.schedule(), {
      expiration: new Date(clock.ms + 3600_000),
      refreshAt: new Date(clock.ms + (3600 - 720) * 1000),
    });
    assert.doesNotMatch(JSON.stringify(provider.schedule()), /never-printed/);
  });

  it('shows the 30-second floor when refreshAfter has already passed on arrival', async () => {
    const { clock, gql, provider } = setup();
    const first = provider();
    gql.answer(creds({ nowMs: clock.ms - 7200_000, lifetimeS: 7200 + 300, refreshMarginS: 720 }));
    await first;
    assert.equal(provider.schedule()?.refreshAt.getTime(), clock.ms + MIN_REUSE_MS);
  });

  it('is undefined again after clear() and after a refusal', async () => {
    const { clock, gql, provider } = setup();
    const first = provider();
    gql.answer(creds({ nowMs: clock.ms }));
    await first;
    provider.clear();
    assert.equal(provider.schedule(), undefined);
    const second = provider();
    gql.answer(creds({ nowMs: clock.ms }));
    await second;
    const refused = provider({ forceRefresh: true });
    gql.fail(graphqlFailure('ScopeForbidden', 'No.'));
    await rejection(refused);
    assert.equal(provider.schedule(), undefined);
  });
});

describe('vendedCredentials: clear() on sign-out', () => {
  it('forgets the cached set', async () => {
    const { clock, gql, provider } = setup();
    const first = provider();
    gql.answer(creds({ nowMs: clock.ms }));
    await first;
    provider.clear();
    void provider().catch(() => undefined);
    assert.equal(gql.calls, 2);
  });

  it('a request started before clear() never fills the cache of the next session', async () => {
    // GIVEN a request in flight for user A
    const { clock, gql, provider } = setup();
    const forA = provider();
    // WHEN A signs out, and B asks for credentials before A's answer arrives
    provider.clear();
    const forB = provider();
    assert.equal(gql.calls, 2);
    // AND B's answer arrives first, A's late
    const answerB = creds({ nowMs: clock.ms });
    gql.answer(answerB, 1);
    const answerA = creds({ nowMs: clock.ms });
    gql.answer(answerA, 0);
    await forA;
    await settle();
    // THEN B gets B's set, now and from the cache
    assert.equal((await forB).accessKeyId, answerB.accessKeyId);
    assert.equal((await provider()).accessKeyId, answerB.accessKeyId);
    assert.equal(gql.calls, 2);
  });
});
