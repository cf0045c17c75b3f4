// The provider inside a real AWS SDK v3 S3 client: every request is signed with the provider's current
// credentials, and a new set is used from refreshAfter on. The HTTP handler is a local fake: no network.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';

import { vendedCredentials } from '../src/provider.js';
import { creds, FakeGraphQL, ManualClock } from './fakes.js';

const EMPTY_LISTING = new TextEncoder().encode(
  '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>b</Name><KeyCount>0</KeyCount></ListBucketResult>',
);

/** An S3 client whose requests never leave the process; it records the access key each one was signed with. */
function recordingS3(credentials: ReturnType<typeof vendedCredentials>) {
  const signedWith: string[] = [];
  const client = new S3Client({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:9',
    forcePathStyle: true,
    credentials,
    requestHandler: {
      async handle(request: { headers: Record<string, string> }) {
        const match = /Credential=([^/]+)\//.exec(request.headers.authorization ?? '');
        signedWith.push(match?.[1] ?? 'unsigned');
        return { response: { statusCode: 200, headers: {}, body: EMPTY_LISTING } };
      },
    } as never,
  });
  return { client, signedWith };
}

/** Let the SDK's middleware run until `ready()`; bounded by turns of the event loop, not by time. */
async function until(ready: () => boolean): Promise<void> {
  for (let turn = 0; turn < 1000 && !ready(); turn += 1) await new Promise((r) => setImmediate(r));
}

describe('vendedCredentials in an S3Client', () => {
  it('signs every request with the current set, and switches to a new set at refreshAfter', async () => {
    // GIVEN an S3 client supplied by the provider
    const clock = new ManualClock();
    const gql = new FakeGraphQL();
    const provider = vendedCredentials({ scope: 'S3_OWN_PREFIX', graphql: gql, now: clock.now });
    const { client, signedWith } = recordingS3(provider);
    const list = () => client.send(new ListObjectsV2Command({ Bucket: 'b', Prefix: 'users/x/' }));

    // WHEN two requests are sent concurrently THEN one vend signs both
    const first = Promise.all([list(), list()]);
    await until(() => gql.waiting > 0);
    assert.equal(gql.calls, 1);
    const one = creds({ nowMs: clock.ms, lifetimeS: 3600, refreshMarginS: 720 });
    gql.answer(one);
    await first;
    assert.deepEqual(signedWith, [one.accessKeyId, one.accessKeyId]);

    // WHEN the clock reaches refreshAfter (the SDK's own cache would wait until 5 minutes before expiration)
    clock.advance((3600 - 720) * 1000);
    const second = list();
    await until(() => gql.waiting > 0);
    assert.equal(gql.calls, 2);
    const two = creds({ nowMs: clock.ms });
    gql.answer(two);
    await second;
    // THEN the next request is signed with the new set
    assert.equal(signedWith.at(-1), two.accessKeyId);
    client.destroy();
  });
});
