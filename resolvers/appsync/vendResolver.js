// APPSYNC_JS unit resolver for Mutation.vendCredentials and Query.scopes (one Lambda data source).
//
// The Lambda answers with an envelope, {data} or {error: {type, message}}, instead of throwing: a thrown
// error would reach clients as errorType "Lambda:Unhandled". Here the envelope becomes util.error(message,
// type), so clients get a stable errorType such as "ScopeForbidden". The messages are already browser-safe.
import { util } from '@aws-appsync/utils';

const INTERNAL_MESSAGE = 'The credential service failed unexpectedly. Try again later.';

export function request(ctx) {
  // The direct-Lambda event shape, minus request headers: the handler never needs the caller's JWT.
  return {
    operation: 'Invoke',
    payload: {
      arguments: ctx.arguments,
      identity: ctx.identity,
      source: ctx.source,
      info: ctx.info,
      prev: ctx.prev,
      stash: ctx.stash,
    },
  };
}

export function response(ctx) {
  if (ctx.error) {
    // Invocation failed (timeout, throttle, crash): never pass Lambda's own error text to the browser.
    util.error(INTERNAL_MESSAGE, 'Internal');
  }
  const result = ctx.result;
  if (result && result.error) {
    util.error(result.error.message, result.error.type);
  }
  if (!result || result.data === undefined) {
    util.error(INTERNAL_MESSAGE, 'Internal');
  }
  return result.data;
}
