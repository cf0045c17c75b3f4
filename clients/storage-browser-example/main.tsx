// The Storage Browser example: Amplify UI's Storage Browser for S3 on vended scopes. Amplify Auth signs in to the
// local Cognito with Amplify's defaults; storageBrowserConfig() lists the caller's locations from the `scopes` query
// and hands the Storage Browser credentials vended for the scope of each location; customEndpoint points Amplify
// Storage at the embedded S3's HTTPS listener. Amplify Storage calls of the page's own (uploadData) use the same
// providers through locationCredentialsProvider(). Every failure is a sentence (../example/messages.ts).
// Never logs credentials.
import { StrictMode, useEffect, useState } from 'react';
import type { FormEvent, ReactElement } from 'react';
import { createRoot } from 'react-dom/client';
import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/api';
import { getCurrentUser, signIn, signOut } from 'aws-amplify/auth';
import { Hub } from 'aws-amplify/utils';
import { uploadData } from '@aws-amplify/storage/internals';
import { createStorageBrowser } from '@aws-amplify/ui-react-storage/browser';
import '@aws-amplify/ui-react-storage/styles.css';

import { locationCredentialsProvider, storageBrowserConfig, vendedCredentials } from '../src/index.js';
import type { VendedCredentialsProvider } from '../src/index.js';
import { Scope } from '../src/graphql/API.js';
import { sentence, serverProblemSentence } from '../example/messages.js';
import type { MessageContext } from '../example/messages.js';
import './style.css';

/** Served as /config.json by serve.mjs, from the state file of `vend serve`. No secrets in it. */
interface PageConfig {
  region: string;
  graphqlUrl: string;
  /** The embedded AWS (moto) over plain HTTP: Cognito. */
  awsEndpoint: string;
  /** The embedded S3 over HTTPS, as Amplify Storage's customEndpoint ("localhost:<port>"). */
  s3CustomEndpoint?: string;
  userPoolId: string;
  userPoolClientId: string;
  bucket: string;
  origin: string;
  startCommand: string;
}

type Loaded = { config: PageConfig } | { problem: string };

/** Where the "outside" check writes: some other user's prefix, never the caller's own. */
const OUTSIDE_PREFIX = 'users/someone-else/';

async function loadConfig(): Promise<Loaded> {
  let body: { problem?: { code: string; graphqlUrl?: string }; origin?: string; startCommand?: string } & Partial<PageConfig>;
  try {
    body = (await (await fetch('./config.json', { cache: 'no-store' })).json()) as typeof body;
  } catch {
    return { problem: 'The page server itself is not answering. Start it with: cd clients && npm run storage-browser' };
  }
  if (body.problem !== undefined) {
    return { problem: serverProblemSentence(body.problem, body.origin ?? location.origin, body.startCommand ?? 'make serve') };
  }
  const config = body as PageConfig;
  if (config.s3CustomEndpoint === undefined) {
    return { problem: `The local server does not serve S3 over HTTPS; update and restart it with: ${config.startCommand}` };
  }
  // A browser that does not trust the embedded AWS's certificate (made for each run) cannot reach S3 at all.
  const s3 = `https://${config.bucket}.${config.s3CustomEndpoint}`;
  try {
    await fetch(`${s3}/`, { method: 'HEAD', mode: 'no-cors', cache: 'no-store' });
  } catch {
    return {
      problem:
        `This browser cannot reach the embedded S3 at ${s3}/: it does not trust the local certificate yet, or the local ` +
        `server has stopped. Open ${s3}/ once in this browser and accept the certificate, then reload this page.`,
    };
  }
  return { config };
}

/** The app's wiring, made once per page: Amplify, one provider per scope, and the Storage Browser. */
function wire(config: PageConfig) {
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
    // Amplify's default for the API: user pool auth, which sends the ACCESS token.
    API: { GraphQL: { endpoint: config.graphqlUrl, region: config.region, defaultAuthMode: 'userPool' } },
  });
  const graphql = generateClient();
  // One provider per scope, shared by the Storage Browser and the page's own Amplify Storage calls: one cache.
  const providers = new Map<string, VendedCredentialsProvider>();
  const providerFor = (scope: string): VendedCredentialsProvider => {
    let provider = providers.get(scope);
    if (provider === undefined) {
      provider = vendedCredentials({ scope, graphql, authMode: 'userPool' });
      providers.set(scope, provider);
    }
    return provider;
  };
  const browserConfig = storageBrowserConfig({
    graphql,
    authMode: 'userPool',
    region: config.region,
    // Local only: in AWS leave customEndpoint out and Amplify calls S3 itself.
    ...(config.s3CustomEndpoint === undefined ? {} : { customEndpoint: config.s3CustomEndpoint }),
    // Sign-out (and sign-in) on Amplify's Hub forget every credential and location.
    authEvents: Hub,
    providerFor,
  });
  const { StorageBrowser } = createStorageBrowser({ config: browserConfig });
  return { StorageBrowser, providerFor };
}

type Wired = ReturnType<typeof wire>;

function messageContext(config: PageConfig, action: MessageContext['action'], scope?: string): MessageContext {
  return {
    action,
    ...(scope === undefined ? {} : { scope }),
    startCommand: config.startCommand,
    graphqlUrl: config.graphqlUrl,
    awsEndpoint: config.s3CustomEndpoint === undefined ? config.awsEndpoint : `https://${config.bucket}.${config.s3CustomEndpoint}`,
  };
}

function SignIn({ config, onSignedIn }: { config: PageConfig; onSignedIn: () => void }): ReactElement {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const username = String(form.get('username') ?? '');
    const password = String(form.get('password') ?? '');
    event.currentTarget.reset();
    setBusy(true);
    setError('');
    void signIn({ username, password, options: { authFlowType: 'USER_PASSWORD_AUTH' } }).then(
      (result) => {
        setBusy(false);
        if (result.isSignedIn) onSignedIn();
        else setError('This user needs another sign-in step that this page does not handle.');
      },
      (thrown: unknown) => {
        setBusy(false);
        setError(sentence(thrown, messageContext(config, 'sign-in')));
      },
    );
  };
  // method="post": never a password in a URL, even if the script were bypassed; the CSP forbids any form action.
  return (
    <form id="sign-in" method="post" onSubmit={submit} autoComplete="off">
      <h2>Sign in</h2>
      <fieldset disabled={busy}>
        <label>
          Username <input id="username" name="username" required />
        </label>
        <label>
          Password <input id="password" name="password" type="password" required />
        </label>
        <button type="submit">Sign in</button>
      </fieldset>
      {error === '' ? null : (
        <p id="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

/** Amplify Storage's own calls (not the Storage Browser's) with locationCredentialsProvider: in and out of prefix. */
function AmplifyStorageChecks({ config, wired, sub }: { config: PageConfig; wired: Wired; sub: string }): ReactElement {
  const [result, setResult] = useState('');
  const credentials = locationCredentialsProvider(wired.providerFor(Scope.S3_OWN_PREFIX));
  const write = (path: string, inside: boolean): void => {
    setResult(`Writing ${path}…`);
    const { result: done } = uploadData({
      path,
      data: `Written by Amplify Storage's uploadData at ${new Date().toISOString()}.\n`,
      options: {
        bucket: { bucketName: config.bucket, region: config.region },
        locationCredentialsProvider: credentials,
        contentType: 'text/plain',
        ...(config.s3CustomEndpoint === undefined ? {} : { customEndpoint: config.s3CustomEndpoint }),
      },
    });
    done.then(
      () =>
        setResult(
          inside
            ? `Stored ${path} with Amplify Storage. Refresh the Storage Browser to see it.`
            : `The write to ${path} was allowed: is the local server running with --no-enforce?`,
        ),
      (thrown: unknown) => {
        const name = thrown instanceof Error ? thrown.name : '';
        if (!inside && name === 'AccessDenied') {
          setResult(
            `Refused, as it should be: your credentials may write only under users/${sub}/, so S3 would not store ${path} (AccessDenied).`,
          );
        } else {
          setResult(sentence(thrown, messageContext(config, 's3', 'S3_OWN_PREFIX')));
        }
      },
    );
  };
  return (
    <section id="amplify-storage">
      <h2>Amplify Storage with the same credentials</h2>
      <p className="note">
        <code>uploadData</code> with <code>options.locationCredentialsProvider</code> for <code>S3_OWN_PREFIX</code>.
      </p>
      <button id="write-inside" type="button" onClick={() => write(`users/${sub}/note-from-amplify-storage.txt`, true)}>
        Write a note in my prefix
      </button>{' '}
      <button id="write-outside" type="button" onClick={() => write(`${OUTSIDE_PREFIX}${Date.now()}.txt`, false)}>
        Try to write outside my prefix
      </button>
      <p id="amplify-storage-result" role="status">
        {result}
      </p>
    </section>
  );
}

function App({ config, wired }: { config: PageConfig; wired: Wired }): ReactElement {
  const [user, setUser] = useState<{ username: string; sub: string } | null | undefined>(undefined);
  const [error, setError] = useState('');
  const load = (): void => {
    // Amplify keeps the session in localStorage: a reload resumes it.
    void getCurrentUser().then(
      (u) => setUser({ username: u.username, sub: u.userId }),
      () => setUser(null),
    );
  };
  useEffect(load, []);
  useEffect(() => {
    if (user !== undefined) document.body.dataset.ready = 'true';
  }, [user]);
  if (user === undefined) return <p>Loading…</p>;
  if (user === null) return <SignIn config={config} onSignedIn={load} />;
  const { StorageBrowser } = wired;
  return (
    <>
      <p id="session">
        Signed in as <strong id="who">{user.username}</strong>.{' '}
        <button
          id="sign-out"
          type="button"
          onClick={() => {
            // Amplify's Hub tells storageBrowserConfig, which forgets every credential and location.
            void signOut().then(
              () => setUser(null),
              (thrown: unknown) => setError(sentence(thrown, messageContext(config, 'sign-in'))),
            );
          }}
        >
          Sign out
        </button>
      </p>
      {error === '' ? null : (
        <p id="error" role="alert">
          {error}
        </p>
      )}
      <section id="browser">
        <StorageBrowser />
      </section>
      <AmplifyStorageChecks config={config} wired={wired} sub={user.sub} />
    </>
  );
}

async function main(): Promise<void> {
  const root = createRoot(document.getElementById('root')!);
  const loaded = await loadConfig();
  if ('problem' in loaded) {
    root.render(
      <p id="server-problem" role="alert">
        {loaded.problem}
      </p>,
    );
    document.body.dataset.ready = 'true';
    return;
  }
  const wired = wire(loaded.config);
  root.render(
    <StrictMode>
      <header>
        <h1>Your files, in the Storage Browser for S3</h1>
        <p className="note">
          Amplify UI&apos;s Storage Browser on credentials vended per scope: it offers each location you may use, and
          the credentials allow nothing outside it.
        </p>
      </header>
      <main>
        <App config={loaded.config} wired={wired} />
      </main>
    </StrictMode>,
  );
}

main().catch(() => {
  document.body.textContent =
    'This page failed to start. Reload it; if that does not help, rebuild it with: cd clients && npm run build:storage-browser';
  document.body.dataset.ready = 'true';
});
