// The example page: Amplify Auth sign-in against the local Cognito, credentials vended for S3_OWN_PREFIX by
// the provider, and an S3 client that lists and uploads under the user's own prefix -- and that is refused,
// with S3's AccessDenied, when it tries to write anywhere else. Never logs credentials.
import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/api';
import { fetchAuthSession, getCurrentUser, signIn, signOut } from 'aws-amplify/auth';
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

import { vendedCredentials, VendCredentialsError } from '../src/index.js';
import type { VendedCredentialsProvider } from '../src/index.js';
import { scopes as scopesQuery } from '../src/graphql/queries.js';

/** Served as /config.json by example/serve.mjs, from the state file of `vend serve`. No secrets in it. */
interface PageConfig {
  region: string;
  graphqlUrl: string;
  /** The embedded AWS (moto): Cognito and S3 on one endpoint. */
  awsEndpoint: string;
  userPoolId: string;
  userPoolClientId: string;
  bucket: string;
}

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`missing #${id}`);
  return el as T;
};

const ui = {
  signInForm: $<HTMLFormElement>('sign-in'),
  username: $<HTMLInputElement>('username'),
  password: $<HTMLInputElement>('password'),
  session: $<HTMLElement>('session'),
  who: $<HTMLElement>('who'),
  prefix: $<HTMLElement>('prefix'),
  scopes: $<HTMLElement>('scopes'),
  signOut: $<HTMLButtonElement>('sign-out'),
  objects: $<HTMLUListElement>('objects'),
  uploadForm: $<HTMLFormElement>('upload'),
  file: $<HTMLInputElement>('file'),
  outside: $<HTMLButtonElement>('outside'),
  outsideResult: $<HTMLElement>('outside-result'),
  reports: $<HTMLButtonElement>('reports'),
  reportList: $<HTMLUListElement>('report-list'),
  status: $<HTMLElement>('status'),
  error: $<HTMLElement>('error'),
};

function showStatus(text: string): void {
  ui.status.textContent = text;
}

function showError(text: string): void {
  ui.error.textContent = text;
  ui.error.hidden = text === '';
}

/** Where the "outside your prefix" control writes: some other user's prefix, never the caller's own. */
const OUTSIDE_PREFIX = 'users/someone-else/';

/** The plain-words outcome of the write outside the caller's prefix; the service's error code stays visible. */
function describeOutside(error: unknown, key: string, prefix: string): string | undefined {
  const name = error instanceof Error ? error.name : '';
  if (name === 'AccessDenied') {
    return `Refused, as it should be: your credentials may write only under ${prefix}, so S3 would not store ${key} (AccessDenied).`;
  }
  return undefined;
}

/** A message for people; the errorType stays visible so support can tell the cases apart. */
function describe(error: unknown, scope: string): string {
  if (error instanceof VendCredentialsError) {
    switch (error.errorType) {
      case 'ScopeForbidden':
        return `You are not allowed to use ${scope}: ${error.message} (ScopeForbidden)`;
      case 'Unauthorized':
        return `${error.message} (Unauthorized)`;
      default:
        return `Could not get credentials for ${scope}: ${error.message} (${error.errorType})`;
    }
  }
  // An S3 or Amplify error: its name and message never contain the credentials.
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  return `${name}: ${message}`;
}

function renderList(list: HTMLUListElement, keys: string[], empty: string): void {
  list.replaceChildren(
    ...(keys.length === 0 ? [empty] : keys).map((text) => {
      const li = document.createElement('li');
      li.textContent = text;
      return li;
    }),
  );
}

async function main(): Promise<void> {
  const config = (await (await fetch('./config.json', { cache: 'no-store' })).json()) as PageConfig;

  Amplify.configure({
    Auth: {
      Cognito: {
        userPoolId: config.userPoolId,
        userPoolClientId: config.userPoolClientId,
        // The local (embedded) Cognito instead of cognito-idp.<region>.amazonaws.com.
        userPoolEndpoint: config.awsEndpoint,
        loginWith: { username: true },
      },
    },
    API: {
      GraphQL: { endpoint: config.graphqlUrl, region: config.region, defaultAuthMode: 'userPool' },
    },
  });

  const graphql = generateClient();
  let session:
    | { prefix: string; s3: S3Client; own: VendedCredentialsProvider; reports: VendedCredentialsProvider }
    | undefined;

  const s3For = (credentials: VendedCredentialsProvider): S3Client =>
    new S3Client({ region: config.region, endpoint: config.awsEndpoint, forcePathStyle: true, credentials });

  async function refreshObjects(): Promise<void> {
    if (session === undefined) return;
    const out = await session.s3.send(new ListObjectsV2Command({ Bucket: config.bucket, Prefix: session.prefix }));
    const keys = (out.Contents ?? []).map((o) => o.Key ?? '').map((k) => k.slice(session!.prefix.length));
    renderList(ui.objects, keys.sort(), '(no objects yet)');
  }

  async function startSession(): Promise<void> {
    const user = await getCurrentUser();
    // The service puts each user's objects under users/<sub>/; Amplify's userId is the sub.
    const prefix = `users/${user.userId}/`;
    const own = vendedCredentials({ scope: 'S3_OWN_PREFIX', durationSeconds: 900, graphql, authMode: 'userPool' });
    const reports = vendedCredentials({ scope: 'REPORTS_READ', durationSeconds: 900, graphql, authMode: 'userPool' });
    session = { prefix, s3: s3For(own), own, reports };
    ui.who.textContent = user.username;
    ui.prefix.textContent = prefix;
    ui.signInForm.hidden = true;
    ui.session.hidden = false;
    const [listed, scopes] = await Promise.allSettled([
      refreshObjects(),
      graphql.graphql({ query: scopesQuery, authMode: 'userPool' }),
    ]);
    if (scopes.status === 'fulfilled') {
      ui.scopes.textContent = scopes.value.data.scopes.map((s) => s.name).join(', ');
    }
    if (listed.status === 'rejected') throw listed.reason;
    showStatus('Ready.');
  }

  ui.signInForm.addEventListener('submit', (event) => {
    event.preventDefault();
    showError('');
    showStatus('Signing in…');
    void (async () => {
      try {
        const result = await signIn({
          username: ui.username.value,
          password: ui.password.value,
          options: { authFlowType: 'USER_PASSWORD_AUTH' },
        });
        ui.password.value = '';
        if (!result.isSignedIn) throw new Error(`Sign-in needs another step: ${result.nextStep.signInStep}`);
        await startSession();
      } catch (error) {
        showStatus('');
        showError(describe(error, 'S3_OWN_PREFIX'));
      }
    })();
  });

  ui.uploadForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const file = ui.file.files?.[0];
    if (session === undefined || file === undefined) return;
    showError('');
    showStatus(`Uploading ${file.name}…`);
    void (async () => {
      try {
        const body = new Uint8Array(await file.arrayBuffer());
        await session!.s3.send(
          new PutObjectCommand({
            Bucket: config.bucket,
            Key: `${session!.prefix}${file.name}`,
            Body: body,
            ContentType: file.type || 'application/octet-stream',
          }),
        );
        ui.uploadForm.reset();
        await refreshObjects();
        showStatus(`Uploaded ${file.name}.`);
      } catch (error) {
        showStatus('');
        showError(describe(error, 'S3_OWN_PREFIX'));
      }
    })();
  });

  ui.outside.addEventListener('click', () => {
    if (session === undefined) return;
    const { prefix, s3 } = session;
    const key = `${OUTSIDE_PREFIX}${Date.now()}.txt`;
    showError('');
    ui.outsideResult.textContent = '';
    showStatus(`Trying to write ${key}…`);
    void (async () => {
      try {
        await s3.send(
          new PutObjectCommand({ Bucket: config.bucket, Key: key, Body: 'should not be stored', ContentType: 'text/plain' }),
        );
        // Only without enforcement (vend serve --no-enforce) does this succeed; in AWS it never would.
        showStatus('');
        showError(`The write to ${key} was allowed: is the local server running with --no-enforce?`);
      } catch (error) {
        showStatus('');
        const refusal = describeOutside(error, key, prefix);
        if (refusal === undefined) showError(describe(error, 'S3_OWN_PREFIX'));
        else ui.outsideResult.textContent = refusal;
      }
    })();
  });

  ui.reports.addEventListener('click', () => {
    if (session === undefined) return;
    showError('');
    showStatus('Listing shared reports…');
    void (async () => {
      try {
        const out = await s3For(session!.reports).send(
          new ListObjectsV2Command({ Bucket: config.bucket, Prefix: 'reports/' }),
        );
        renderList(ui.reportList, (out.Contents ?? []).map((o) => o.Key ?? ''), '(no reports)');
        showStatus('Listed shared reports.');
      } catch (error) {
        showStatus('');
        renderList(ui.reportList, [], '(not available)');
        showError(describe(error, 'REPORTS_READ'));
      }
    })();
  });

  ui.signOut.addEventListener('click', () => {
    void (async () => {
      // Forget this user's credentials before anyone else can sign in on this page.
      session?.own.clear();
      session?.reports.clear();
      session = undefined;
      await signOut();
      ui.objects.replaceChildren();
      ui.reportList.replaceChildren();
      ui.outsideResult.textContent = '';
      ui.session.hidden = true;
      ui.signInForm.hidden = false;
      showError('');
      showStatus('Signed out.');
    })();
  });

  // Amplify keeps the session in localStorage: resume it after a reload.
  const existing = await fetchAuthSession().catch(() => undefined);
  if (existing?.tokens !== undefined) {
    await startSession().catch((error: unknown) => showError(describe(error, 'S3_OWN_PREFIX')));
  } else {
    showStatus('Sign in to see your files.');
  }
  document.body.dataset.ready = 'true';
}

main().catch((error: unknown) => showError(describe(error, 'S3_OWN_PREFIX')));
