// The one error type the provider throws, and the translation of whatever the GraphQL client threw into it.
// Pure: no I/O. Messages are safe to show in a browser; they never carry credentials or tokens.

/** The service's stable error codes (resolvers/errors.py ERROR_CODES; a contract test keeps them in step). */
export const SERVICE_ERROR_TYPES = [
  'Unauthorized',
  'Revoked',
  'ScopeNotFound',
  'ScopeForbidden',
  'InvalidDuration',
  'InvalidRequest',
  'ClaimMissing',
  'ClaimInvalid',
  'PolicyTooLarge',
  'Throttled',
  'UpstreamUnavailable',
  'Internal',
] as const;

export type ServiceErrorType = (typeof SERVICE_ERROR_TYPES)[number];

/**
 * What went wrong, as a closed set:
 * - a service code (`ScopeForbidden`, ...); AppSync's own `UnauthorizedException` (bad or expired token) and
 *   Amplify's "nobody is signed in" errors both become `Unauthorized`; `Revoked` means an operator cut this user
 *   off (`vend revoke`): not retryable, and the held credentials are already refused by AWS;
 * - `NetworkError`: the request never got a GraphQL answer;
 * - `InvalidResponse`: an answer that is not a complete, usable set of credentials;
 * - `Unknown`: anything else, including an errorType this client does not know (see `reportedType`).
 */
export type VendErrorType = ServiceErrorType | 'NetworkError' | 'InvalidResponse' | 'Unknown';

/** Worth retrying later with the same request; the provider keeps serving still-valid credentials meanwhile. */
const RETRYABLE: ReadonlySet<VendErrorType> = new Set<VendErrorType>([
  'Throttled',
  'UpstreamUnavailable',
  'Internal',
  'NetworkError',
]);

const SERVICE_TYPES: ReadonlySet<string> = new Set<string>(SERVICE_ERROR_TYPES);

// Amplify v6 throws these (by `name`) before sending anything when no user is signed in.
const AMPLIFY_NOT_SIGNED_IN = new Set(['NoValidAuthTokens', 'NoSignedUser']);

const GENERIC_MESSAGE: Record<'NetworkError' | 'InvalidResponse' | 'Unknown' | 'Unauthorized', string> = {
  NetworkError: 'The credential service could not be reached. Check the connection and try again.',
  InvalidResponse: 'The credential service returned an unusable answer.',
  Unknown: 'Vending credentials failed for an unexpected reason.',
  Unauthorized: 'You are not signed in, or your session has expired. Sign in again.',
};

export class VendCredentialsError extends Error {
  override readonly name = 'VendCredentialsError';
  readonly errorType: VendErrorType;
  /** The errorType exactly as the server or client library reported it, when there was one. */
  readonly reportedType: string | undefined;
  readonly retryable: boolean;

  constructor(errorType: VendErrorType, message: string, options: { reportedType?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.errorType = errorType;
    this.reportedType = options.reportedType;
    this.retryable = RETRYABLE.has(errorType);
  }
}

export function isVendCredentialsError(value: unknown): value is VendCredentialsError {
  return value instanceof VendCredentialsError;
}

interface GraphQLErrorLike {
  message?: unknown;
  errorType?: unknown;
  path?: unknown;
  originalError?: { name?: unknown } | null;
}

/** errorTypes this client can classify: the service's codes and AppSync's own 401. */
const KNOWN_TYPES: ReadonlySet<string> = new Set<string>([...SERVICE_ERROR_TYPES, 'UnauthorizedException']);

/** The entries of a GraphQL result's `errors` (non-objects become `{}`), or undefined when it has none. */
function graphQLErrors(value: unknown): GraphQLErrorLike[] | undefined {
  if (typeof value !== 'object' || value === null || !('errors' in value)) return undefined;
  const errors = (value as { errors: unknown }).errors;
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  return errors.map((e: unknown) => (typeof e === 'object' && e !== null ? (e as GraphQLErrorLike) : {}));
}

function isOnField(error: GraphQLErrorLike, field: string | undefined): boolean {
  return field !== undefined && Array.isArray(error.path) && error.path[0] === field;
}

/**
 * The entry that says what went wrong. Order in `errors` means nothing: an AppSync-compatible server may put a
 * `Cannot return null for non-nullable type` entry (no errorType, or one we do not know) ahead of the typed
 * error of the same non-null field. So the first entry, in this order of preference: a known errorType on
 * `field` (its path starts at that response key); a known errorType anywhere; any errorType on `field`; any
 * errorType; anything on `field`; the first entry.
 */
function chooseError(errors: GraphQLErrorLike[], field: string | undefined): GraphQLErrorLike {
  const known = (e: GraphQLErrorLike): boolean => KNOWN_TYPES.has(text(e.errorType) ?? '');
  const typed = (e: GraphQLErrorLike): boolean => text(e.errorType) !== undefined;
  const onField = (e: GraphQLErrorLike): boolean => isOnField(e, field);
  const preferences: Array<(e: GraphQLErrorLike) => boolean> = [
    (e) => known(e) && onField(e),
    known,
    (e) => typed(e) && onField(e),
    typed,
    onField,
  ];
  for (const preferred of preferences) {
    const found = errors.find(preferred);
    if (found !== undefined) return found;
  }
  return errors[0]!;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * A GraphQL result carrying `errors` (Amplify v6 throws the whole result) or a thrown error, as a
 * VendCredentialsError. Classification goes by type names only, never by message text. `field` is the
 * response key of the field that was asked for (`vendCredentials`, `scopes`): its own error wins over others.
 */
export function toVendCredentialsError(thrown: unknown, field?: string): VendCredentialsError {
  if (thrown instanceof VendCredentialsError) return thrown;

  const errors = graphQLErrors(thrown);
  if (errors !== undefined) return fromGraphQLError(chooseError(errors, field), thrown);

  if (thrown instanceof Error) {
    if (AMPLIFY_NOT_SIGNED_IN.has(thrown.name)) return generic('Unauthorized', thrown.name, thrown);
    // Amplify names a failed fetch "NetworkError". A bare TypeError is more likely a bug than the network: Unknown.
    if (thrown.name === 'NetworkError') return generic('NetworkError', thrown.name, thrown);
  }
  return generic('Unknown', undefined, thrown);
}

/** An error whose own text is not shown (it may name internals): the generic message of its type. */
function generic(type: keyof typeof GENERIC_MESSAGE, reportedType: string | undefined, cause: unknown): VendCredentialsError {
  return new VendCredentialsError(type, GENERIC_MESSAGE[type], {
    ...(reportedType === undefined ? {} : { reportedType }),
    cause,
  });
}

function fromGraphQLError(gqlError: GraphQLErrorLike, thrown: unknown): VendCredentialsError {
  const errorType = text(gqlError.errorType);
  if (errorType !== undefined) {
    if (SERVICE_TYPES.has(errorType)) {
      // The service's messages are written to be shown to the user.
      return new VendCredentialsError(errorType as ServiceErrorType, text(gqlError.message) ?? errorType, {
        reportedType: errorType,
        cause: thrown,
      });
    }
    return generic(errorType === 'UnauthorizedException' ? 'Unauthorized' : 'Unknown', errorType, thrown);
  }
  // No errorType: Amplify wrapped a transport failure; the original error's name says which.
  const originalName = text(gqlError.originalError?.name);
  if (originalName?.startsWith('UnauthorizedException')) return generic('Unauthorized', originalName, thrown);
  if (originalName === 'NetworkError') return generic('NetworkError', originalName, thrown);
  return generic('Unknown', originalName, thrown);
}

export function invalidResponse(problem: string): VendCredentialsError {
  // `problem` names fields only, never their values: the values may be secrets.
  return new VendCredentialsError('InvalidResponse', `${GENERIC_MESSAGE.InvalidResponse} ${problem}`);
}
