// The example page's sentences: every failure it can meet reads as a sentence for a person, with what to do, and
// never as a raw error. Table-driven over example/messages.ts; no DOM, no I/O.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { SERVICE_ERROR_TYPES, VendCredentialsError } from '../src/errors.js';
import type { VendErrorType } from '../src/errors.js';
import { sentence, serverProblemSentence, unavailableSentence } from '../example/messages.js';
import type { MessageContext } from '../example/messages.js';

const START = 'make serve ARGS="--cors-origin http://127.0.0.1:5173 --cors-origin http://localhost:5173"';
const ctx = (action: MessageContext['action'], scope?: string): MessageContext => ({
  action,
  ...(scope === undefined ? {} : { scope }),
  startCommand: START,
  graphqlUrl: 'http://127.0.0.1:4000/graphql',
  awsEndpoint: 'http://127.0.0.1:35555',
});
const named = (name: string, message = 'raw text: TypeError at main.ts:12 arn:aws:iam::123456789012:role/x'): Error =>
  Object.assign(new Error(message), { name });

/** A sentence for a person: starts with a capital, ends with a full stop or a closing parenthesis or the command. */
function assertSentence(text: string): void {
  assert.match(text, /^[A-Z]/);
  assert.match(text, /([.)]|--cors-origin http:\/\/localhost:5173")$/);
  for (const raw of ['TypeError', 'main.ts', 'arn:aws', 'Failed to fetch', 'undefined', '[object']) {
    assert.ok(!text.includes(raw), `"${text}" shows ${raw}`);
  }
}

describe('example page messages', () => {
  const every: VendErrorType[] = [...SERVICE_ERROR_TYPES, 'NetworkError', 'InvalidResponse', 'Unknown'];
  for (const type of every) {
    it(`a ${type} from the provider is a sentence`, () => {
      const text = sentence(new VendCredentialsError(type, 'The service says why.'), ctx('vend', 'TENANT_FILES'));
      assertSentence(text);
    });
  }

  it('says the server is down and how to start it, when the provider cannot reach it', () => {
    const text = sentence(new VendCredentialsError('NetworkError', 'x'), ctx('s3', 'S3_OWN_PREFIX'));
    assert.match(text, /not answering/);
    assert.ok(text.endsWith(START));
  });

  it("says plainly that access was revoked, in the service's own words", () => {
    const message = 'Your access has been revoked. Contact your administrator.';
    const text = sentence(new VendCredentialsError('Revoked', message), ctx('s3', 'S3_OWN_PREFIX'));
    assert.equal(text, `${message} (Revoked)`);
  });

  it("keeps the service's own message (written for users) and its code for support", () => {
    const text = sentence(new VendCredentialsError('ClaimMissing', 'Scope TENANT_FILES needs the custom:tenant_id claim.'), ctx('vend', 'TENANT_FILES'));
    assert.equal(text, 'You cannot use TENANT_FILES: Scope TENANT_FILES needs the custom:tenant_id claim. (ClaimMissing)');
  });

  const raw: Array<[string, MessageContext['action'], unknown, RegExp]> = [
    ['a wrong password', 'sign-in', named('NotAuthorizedException'), /^Wrong username or password\.$/],
    ['an unknown user (same sentence: no user enumeration)', 'sign-in', named('UserNotFoundException'), /^Wrong username or password\.$/],
    ['Cognito down during sign-in', 'sign-in', named('NetworkError'), /sign-in service .* not answering.*make serve/],
    ['fetch failing during sign-in', 'sign-in', new TypeError('Failed to fetch'), /not answering.*make serve/],
    ['an odd sign-in failure', 'sign-in', named('SomethingNew'), /^Sign-in failed for an unexpected reason/],
    ['S3 down', 's3', new TypeError('Failed to fetch'), /storage service .* not answering.*make serve/],
    ['S3 AccessDenied', 's3', named('AccessDenied'), /^Storage refused this request: the credentials do not allow it\.$/],
    ['S3 NoSuchBucket', 's3', named('NoSuchBucket'), /restarted/],
    ['an S3 error without a name', 's3', {}, /^Storage refused the request\. Try again\.$/],
    ['a thrown string', 'vend', 'boom', /^Something went wrong on this page/],
  ];
  for (const [name, action, error, expected] of raw) {
    it(`${name} is a sentence`, () => {
      const text = sentence(error, ctx(action));
      assert.match(text, expected);
      assertSentence(text);
    });
  }

  for (const code of ['no-server', 'server-down', 'origin-not-allowed', 'no-embedded-aws', 'bad-state', 'something-else']) {
    it(`the server problem ${code} names the command that fixes it`, () => {
      const text = serverProblemSentence({ code, graphqlUrl: 'http://127.0.0.1:4000/graphql' }, 'http://localhost:5173', START);
      assert.ok(text.endsWith(START), text);
      assertSentence(text);
    });
  }

  it('says which address is not allowed', () => {
    assert.match(serverProblemSentence({ code: 'origin-not-allowed' }, 'http://localhost:5173', START), /\(http:\/\/localhost:5173\)/);
  });

  it('shows the service message of an unavailable scope, or the meaning of its reason', () => {
    assert.equal(unavailableSentence('CLAIM_MISSING', 'Needs the claim.'), 'Needs the claim.');
    assert.match(unavailableSentence('NOT_IN_GROUP', null), /group/);
    assert.match(unavailableSentence('CLAIM_MISSING', undefined), /attribute/);
    assert.match(unavailableSentence('CLAIM_INVALID', ''), /value/);
  });
});
