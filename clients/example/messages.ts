// Every failure the example page can meet, as one sentence for a person. Pure: no DOM, no I/O (unit-tested in
// test/messages.test.ts). Classifies by error names and types only; never shows an error's own text unless it is the
// credential service's, whose messages are written for users.
import { VendCredentialsError } from '../src/errors.js';

/** What the page was doing, and how to start what it needs. */
export interface MessageContext {
  action: 'sign-in' | 'vend' | 's3';
  scope?: string;
  /** The shell command that starts the local server so that it allows this page. */
  startCommand: string;
  graphqlUrl: string;
  awsEndpoint: string;
}

/** Why /config.json could not give the page a usable server (example/serve.mjs `problem.code`). */
export type ServerProblem = 'no-server' | 'server-down' | 'origin-not-allowed' | 'no-embedded-aws' | 'bad-state';

export function serverProblemSentence(
  problem: { code: string; graphqlUrl?: string },
  origin: string,
  startCommand: string,
): string {
  switch (problem.code as ServerProblem) {
    case 'no-server':
      return `The local server is not running. Start it in another terminal with: ${startCommand}`;
    case 'server-down':
      return `The local server at ${problem.graphqlUrl ?? 'its address'} is not answering: it has stopped. Start it again with: ${startCommand}`;
    case 'origin-not-allowed':
      return `The local server does not allow this page's address (${origin}). Restart it with: ${startCommand}`;
    case 'no-embedded-aws':
      return `The local server runs against your AWS account (--aws); this page needs its embedded AWS. Start it with: ${startCommand}`;
    case 'bad-state':
      return `The local server's state file cannot be read. Restart the server with: ${startCommand}`;
    default:
      return `The page server could not describe the local server. Restart both, the local server with: ${startCommand}`;
  }
}

const NETWORK_NAMES = new Set(['NetworkError', 'TypeError']);

function errorName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const name = (error as { name?: unknown }).name;
  return typeof name === 'string' ? name : undefined;
}

function vendSentence(error: VendCredentialsError, ctx: MessageContext): string {
  const scope = ctx.scope ?? 'this scope';
  switch (error.errorType) {
    case 'NetworkError':
      return `The credential service at ${ctx.graphqlUrl} is not answering. Is the local server still running? Start it with: ${ctx.startCommand}`;
    case 'Unauthorized':
      return 'Your session has ended. Sign in again.';
    case 'Revoked':
      // The service's message says so and what to do; the held credentials are already refused by AWS.
      return `${error.message} (Revoked)`;
    case 'ScopeForbidden':
      return `You are not allowed to use ${scope}: ${error.message} (ScopeForbidden)`;
    case 'ClaimMissing':
    case 'ClaimInvalid':
      return `You cannot use ${scope}: ${error.message} (${error.errorType})`;
    case 'Throttled':
    case 'UpstreamUnavailable':
    case 'Internal':
      return `The credential service could not help just now: ${error.message} (${error.errorType})`;
    case 'InvalidResponse':
      return 'The credential service answered with something this page cannot use. Is the page talking to the right server? (InvalidResponse)';
    case 'Unknown':
      return 'Getting credentials failed for an unexpected reason. Reload the page and try again.';
    default:
      // ScopeNotFound, InvalidDuration, InvalidRequest, PolicyTooLarge: the page or the catalog is at fault.
      return `The credential service refused this page's request for ${scope}: ${error.message} (${error.errorType})`;
  }
}

const SIGN_IN_REFUSED = new Set(['NotAuthorizedException', 'UserNotFoundException']);
const SIGN_IN_EMPTY = new Set(['EmptySignInUsername', 'EmptySignInPassword']);

function signInSentence(name: string | undefined, ctx: MessageContext): string {
  if (name !== undefined && SIGN_IN_REFUSED.has(name)) return 'Wrong username or password.';
  if (name !== undefined && SIGN_IN_EMPTY.has(name)) return 'Enter a username and a password.';
  if (name === 'UserAlreadyAuthenticatedException') return 'You are already signed in. Reload the page.';
  if (name === 'PasswordResetRequiredException') return 'This user must reset the password first.';
  if (name !== undefined && NETWORK_NAMES.has(name)) {
    return `The sign-in service at ${ctx.awsEndpoint} is not answering. Is the local server still running? Start it with: ${ctx.startCommand}`;
  }
  return 'Sign-in failed for an unexpected reason. Reload the page and try again.';
}

function s3Sentence(name: string | undefined, ctx: MessageContext): string {
  if (name !== undefined && NETWORK_NAMES.has(name)) {
    return `The storage service at ${ctx.awsEndpoint} is not answering. Is the local server still running? Start it with: ${ctx.startCommand}`;
  }
  if (name === 'AccessDenied' || name === 'Forbidden') return 'Storage refused this request: the credentials do not allow it.';
  if (name === 'NoSuchBucket') return `The bucket is gone: the local server was restarted. Reload the page.`;
  if (name === 'ExpiredToken' || name === 'InvalidToken') return 'Storage refused the credentials as expired. Try again.';
  return `Storage refused the request${name === undefined ? '' : ` (${name})`}. Try again.`;
}

/** One sentence for a person: what went wrong and, where there is one, what to do. */
export function sentence(error: unknown, ctx: MessageContext): string {
  // A credential failure can surface from any action: the SDK calls the provider before each request.
  if (error instanceof VendCredentialsError) return vendSentence(error, ctx);
  const name = errorName(error);
  if (ctx.action === 'sign-in') return signInSentence(name, ctx);
  if (ctx.action === 's3') return s3Sentence(name, ctx);
  return 'Something went wrong on this page. Reload it and try again.';
}

/** A scope the caller cannot get, as shown next to it (the service's own message, or the reason code's meaning). */
export function unavailableSentence(reason: string | null | undefined, message: string | null | undefined): string {
  if (message) return message;
  switch (reason) {
    case 'NOT_IN_GROUP':
      return 'You are not in a group that may use it.';
    case 'CLAIM_MISSING':
      return 'Your account lacks an attribute it needs.';
    case 'CLAIM_INVALID':
      return 'Your account has a value it does not accept.';
    default:
      return 'Not available to you.';
  }
}

/** "13:00:00" in the viewer's time zone, and how long until then. */
export function when(at: Date, nowMs: number): string {
  const seconds = Math.round((at.getTime() - nowMs) / 1000);
  const clock = at.toLocaleTimeString(undefined, { hour12: false });
  if (seconds <= 0) return `${clock} (now)`;
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return `${clock} (in ${m > 0 ? `${m} min ` : ''}${s} s)`;
}
