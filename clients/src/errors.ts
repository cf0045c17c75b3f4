// The one error type the provider throws, and the translation of whatever the GraphQL client threw into it.
// Pure: no I/O. Messages are safe to show in a browser; they never carry credentials or tokens.

/** The service's stable error codes (resolvers/errors.py ERROR_CODES; a contract test keeps them in step). */
export const SERVICE_ERROR_TYPES = [
  'Unauthorized',
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
 *   Amplify's "nobody is signed in" errors both become `Unauthorized`;
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
  originalError?: { name?: unknown } | null;
}

function firstGraphQLError(value: unknown): GraphQLErrorLike | undefined {
  if (typeof value !== 'object' || value === null || !('errors' in value)) return undefined;
  const errors = (value as { errors: unknown }).errors;
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  const first: unknown = errors[0];
  return typeof first === 'object' && first !== null ? (first as GraphQLErrorLike) : {};
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * A GraphQL result carrying `errors` (Amplify v6 throws the whole result) or a thrown error, as a
 * VendCredentialsError. Classification goes by type names only, never by message text.
 */
export function toVendCredentialsError(thrown: unknown): VendCredentialsError {
  if (thrown instanceof VendCredentialsError) return thrown;

  const gqlError = firstGraphQLError(thrown);
  if (gqlError !== undefined) {
    const errorType = text(gqlError.errorType);
    const message = text(gqlError.message);
    if (errorType !== undefined) {
      if (SERVICE_TYPES.has(errorType)) {
        // The service's messages are written to be shown to the user.
        return new VendCredentialsError(errorType as ServiceErrorType, message ?? errorType, {
          reportedType: errorType,
          cause: thrown,
        });
      }
      if (errorType === 'UnauthorizedException') {
        return new VendCredentialsError('Unauthorized', GENERIC_MESSAGE.Unauthorized, {
          reportedType: errorType,
          cause: thrown,
        });
      }
      return new VendCredentialsError('Unknown', GENERIC_MESSAGE.Unknown, { reportedType: errorType, cause: thrown });
    }
    // No errorType: Amplify wrapped a transport failure; the original error's name says which.
    const originalName = text(gqlError.originalError?.name);
    if (originalName?.startsWith('UnauthorizedException')) {
      return new VendCredentialsError('Unauthorized', GENERIC_MESSAGE.Unauthorized, {
        reportedType: originalName,
        cause: thrown,
      });
    }
    if (originalName === 'NetworkError') {
      return new VendCredentialsError('NetworkError', GENERIC_MESSAGE.NetworkError, {
        reportedType: originalName,
        cause: thrown,
      });
    }
    return new VendCredentialsError('Unknown', GENERIC_MESSAGE.Unknown, {
      ...(originalName === undefined ? {} : { reportedType: originalName }),
      cause: thrown,
    });
  }

  if (thrown instanceof Error) {
    if (AMPLIFY_NOT_SIGNED_IN.has(thrown.name)) {
      return new VendCredentialsError('Unauthorized', GENERIC_MESSAGE.Unauthorized, {
        reportedType: thrown.name,
        cause: thrown,
      });
    }
    // Amplify names a failed fetch "NetworkError". A bare TypeError is more likely a bug than the network: Unknown.
    if (thrown.name === 'NetworkError') {
      return new VendCredentialsError('NetworkError', GENERIC_MESSAGE.NetworkError, {
        reportedType: thrown.name,
        cause: thrown,
      });
    }
  }
  return new VendCredentialsError('Unknown', GENERIC_MESSAGE.Unknown, { cause: thrown });
}

export function invalidResponse(problem: string): VendCredentialsError {
  // `problem` names fields only, never their values: the values may be secrets.
  return new VendCredentialsError('InvalidResponse', `${GENERIC_MESSAGE.InvalidResponse} ${problem}`);
}
