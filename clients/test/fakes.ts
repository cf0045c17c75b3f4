// Test doubles: a manual clock and a GraphQL client whose answers the test releases one by one. No I/O.
import assert from 'node:assert/strict';

import { VendCredentialsError } from '../src/errors.js';
import type { VendGraphQLClient, VendGraphQLRequest } from '../src/provider.js';
import { SCOPES_QUERY_STATEMENT } from '../src/storage.js';
import type { ScopesGraphQLRequest, StorageGraphQLClient } from '../src/storage.js';

export const T0 = Date.parse('2030-01-01T12:00:00Z');

export class ManualClock {
  constructor(public ms: number = T0) {}
  readonly now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

interface Pending {
  request: VendGraphQLRequest;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

/** Every graphql() call waits until the test answers it: answer()/fail() settle the oldest pending call. */
export class FakeGraphQL implements VendGraphQLClient {
  readonly requests: VendGraphQLRequest[] = [];
  private readonly pending: Pending[] = [];

  graphql(request: VendGraphQLRequest): Promise<unknown> {
    this.requests.push(request);
    return new Promise((resolve, reject) => this.pending.push({ request, resolve, reject }));
  }

  get calls(): number {
    return this.requests.length;
  }

  get waiting(): number {
    return this.pending.length;
  }

  private next(index = 0): Pending {
    const [p] = this.pending.splice(index, 1);
    if (p === undefined) throw new Error('FakeGraphQL: no request is waiting for an answer');
    return p;
  }

  /** Resolve the oldest waiting call (or the one at `index` among those waiting) with a successful vend. */
  answer(creds: Record<string, unknown>, index = 0): void {
    this.next(index).resolve({ data: { vendCredentials: creds } });
  }

  /** Resolve the oldest waiting call with a raw result. */
  resolveWith(result: unknown): void {
    this.next().resolve(result);
  }

  /** Reject the oldest waiting call, as Amplify v6 does (it throws the GraphQL result or an Error). */
  fail(reason: unknown): void {
    this.next().reject(reason);
  }
}

let serial = 0;

/** A credentials payload as the service returns it; a serial number makes each set distinguishable. */
export function creds(opts: {
  nowMs: number;
  lifetimeS?: number;
  refreshMarginS?: number;
  scope?: string;
}): Record<string, unknown> {
  serial += 1;
  const lifetimeS = opts.lifetimeS ?? 3600;
  const refreshMarginS = opts.refreshMarginS ?? 720;
  const expiration = opts.nowMs + lifetimeS * 1000;
  return {
    __typename: 'VendedCredentials',
    accessKeyId: `ASIAFAKE${serial}`,
    secretAccessKey: `secret-${serial}-never-printed`,
    sessionToken: `token-${serial}-never-printed`,
    expiration: iso(expiration),
    refreshAfter: iso(expiration - refreshMarginS * 1000),
    scope: opts.scope ?? 'S3_OWN_PREFIX',
    region: 'us-east-1',
  };
}

export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The GraphQL result Amplify v6 throws when the service answers with an error. */
export function graphqlFailure(errorType: string | undefined, message: string, originalName?: string): unknown {
  const error: Record<string, unknown> = { message, path: ['vendCredentials'] };
  if (errorType !== undefined) error.errorType = errorType;
  if (originalName !== undefined) error.originalError = { name: originalName, message };
  return { data: null, errors: [error] };
}

/** Let queued promise callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await Promise.resolve();
}

/**
 * A GraphQL client for the Storage Browser adapter: the `scopes` query answers with `scopesResult` (or throws
 * `scopesError`), `vendCredentials` with fresh credentials for the requested scope at `clock` time (or with
 * `vendError`). Every request is recorded. Answers come on the next microtask, never synchronously.
 */
export class ScriptedGraphQL implements StorageGraphQLClient {
  // Method syntax: it takes the scopes query too, as Amplify's client does.
  readonly requests: Array<VendGraphQLRequest | ScopesGraphQLRequest> = [];
  scopesResult: unknown = { data: { scopes: [] } };
  scopesError: unknown = undefined;
  vendError: unknown = undefined;
  /** When set, `scopes` answers wait for release(). */
  private held: Array<() => void> | undefined;

  constructor(private readonly clock: ManualClock = new ManualClock()) {}

  async graphql(request: VendGraphQLRequest | ScopesGraphQLRequest): Promise<unknown> {
    this.requests.push(request);
    if (request.query === SCOPES_QUERY_STATEMENT) {
      if (this.held !== undefined) await new Promise<void>((release) => this.held!.push(release));
      if (this.scopesError !== undefined) throw this.scopesError;
      return this.scopesResult;
    }
    if (this.vendError !== undefined) throw this.vendError;
    const scope = (request as VendGraphQLRequest).variables.scope;
    return { data: { vendCredentials: creds({ nowMs: this.clock.ms, scope }) } };
  }

  hold(): void {
    this.held = [];
  }

  release(): void {
    const waiting = this.held ?? [];
    this.held = undefined;
    for (const go of waiting) go();
  }

  count(kind: 'scopes' | 'vend'): number {
    return this.requests.filter((r) => (r.query === SCOPES_QUERY_STATEMENT) === (kind === 'scopes')).length;
  }
}

/** The VendCredentialsError a promise rejects with (the test fails if it resolves or rejects with anything else). */
export async function rejection(promise: Promise<unknown>): Promise<VendCredentialsError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof VendCredentialsError, `expected a VendCredentialsError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the promise to reject');
}
