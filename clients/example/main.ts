// The example page: Amplify Auth sign-in against the local Cognito with Amplify's defaults (the access token goes to
// the API), the `scopes` answer shown as it is, credentials vended by the provider for every scope the user can get,
// and S3 clients that list and upload with them. Every failure is a sentence (messages.ts). A write outside the
// user's prefix shows S3's AccessDenied from the enforcing embedded AWS, in plain words. Never logs credentials.
import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/api';
import { fetchAuthSession, getCurrentUser, signIn, signOut } from 'aws-amplify/auth';
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

import { toVendCredentialsError, vendedCredentials } from '../src/index.js';
import type { VendedCredentialsProvider } from '../src/index.js';
import { Scope } from '../src/graphql/API.js';
import type { ScopesQuery } from '../src/graphql/API.js';
import { scopes as scopesQuery } from '../src/graphql/queries.js';
import { sentence, serverProblemSentence, unavailableSentence, when } from './messages.js';
import type { MessageContext } from './messages.js';

/** Served as /config.json by example/serve.mjs, from the state file of `vend serve`. No secrets in it. */
interface PageConfig {
  region: string;
  graphqlUrl: string;
  /** The embedded AWS (moto): Cognito and S3 on one endpoint. */
  awsEndpoint: string;
  userPoolId: string;
  userPoolClientId: string;
  bucket: string;
  origin: string;
  startCommand: string;
}

type ScopeName = Scope;
type ScopeEntry = ScopesQuery['scopes'][number];

/** A signed-in user's view: one provider per scope they can get, and the S3 prefixes the page lists. */
interface Session {
  prefix: string;
  tenantPrefix: string | undefined;
  providers: Map<ScopeName, VendedCredentialsProvider>;
}

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`missing #${id}`);
  return el as T;
};

const ui = {
  serverProblem: $<HTMLElement>('server-problem'),
  signInForm: $<HTMLFormElement>('sign-in'),
  signInFields: $<HTMLFieldSetElement>('sign-in-fields'),
  username: $<HTMLInputElement>('username'),
  password: $<HTMLInputElement>('password'),
  session: $<HTMLElement>('session'),
  who: $<HTMLElement>('who'),
  prefix: $<HTMLElement>('prefix'),
  signOut: $<HTMLButtonElement>('sign-out'),
  scopeList: $<HTMLUListElement>('scope-list'),
  objects: $<HTMLUListElement>('objects'),
  uploadForm: $<HTMLFormElement>('upload'),
  file: $<HTMLInputElement>('file'),
  outside: $<HTMLButtonElement>('outside'),
  outsideResult: $<HTMLElement>('outside-result'),
  reportsSection: $<HTMLElement>('reports-section'),
  reports: $<HTMLButtonElement>('reports'),
  reportList: $<HTMLUListElement>('report-list'),
  tenantSection: $<HTMLElement>('tenant-section'),
  tenantPrefix: $<HTMLElement>('tenant-prefix'),
  tenantFiles: $<HTMLButtonElement>('tenant-files'),
  tenantList: $<HTMLUListElement>('tenant-list'),
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

/** The plain-words outcome of the write outside the caller's prefix; S3's error code stays visible. */
function describeOutside(error: unknown, key: string, prefix: string): string | undefined {
  const name = error instanceof Error ? error.name : '';
  if (name === 'AccessDenied') {
    return `Refused, as it should be: your credentials may write only under ${prefix}, so S3 would not store ${key} (AccessDenied).`;
  }
  return undefined;
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

// ---- the local server ------------------------------------------------------------------------------------------

/** The page's config, or a sentence saying what to start; undefined when the server cannot be used. */
async function loadConfig(): Promise<PageConfig | undefined> {
  let body: { problem?: { code: string; graphqlUrl?: string }; origin?: string; startCommand?: string } & Partial<PageConfig>;
  try {
    body = (await (await fetch('./config.json', { cache: 'no-store' })).json()) as typeof body;
  } catch {
    showServerProblem('The page server itself is not answering. Start it with: cd clients && npm run example');
    return undefined;
  }
  if (body.problem !== undefined) {
    showServerProblem(serverProblemSentence(body.problem, body.origin ?? location.origin, body.startCommand ?? 'make serve'));
    return undefined;
  }
  return body as PageConfig;
}

function showServerProblem(text: string): void {
  ui.serverProblem.textContent = text;
  ui.serverProblem.hidden = text === '';
}

// ---- scopes ------------------------------------------------------------------------------------------------------

/** One row per scope of the catalog: available ones get a button and their credentials' schedule. */
function renderScopes(entries: ScopeEntry[], onGet: (scope: ScopeName) => void): void {
  ui.scopeList.replaceChildren(
    ...entries.map((entry) => {
      const li = document.createElement('li');
      li.dataset.scope = entry.name;
      li.dataset.available = String(entry.available);
      const name = document.createElement('strong');
      name.textContent = entry.name;
      const description = document.createElement('span');
      description.className = 'description';
      description.textContent = ` ${entry.description} `;
      const availability = document.createElement('span');
      availability.className = 'availability';
      li.append(name, description, availability);
      if (entry.available) {
        availability.textContent = 'Available.';
        const get = document.createElement('button');
        get.type = 'button';
        get.className = 'get';
        get.textContent = 'Get credentials';
        get.addEventListener('click', () => onGet(entry.name));
        const schedule = document.createElement('span');
        schedule.className = 'schedule';
        li.append(' ', get, ' ', schedule);
      } else {
        availability.textContent = `Not available: ${unavailableSentence(entry.unavailableReason, entry.unavailableMessage)}`;
        if (entry.unavailableReason) li.dataset.reason = entry.unavailableReason;
      }
      return li;
    }),
  );
}

/** Each held set's expiration and refresh time, next to its scope. Reads the providers' memory only. */
function renderSchedules(session: Session | undefined): void {
  for (const li of ui.scopeList.querySelectorAll<HTMLLIElement>('li[data-available="true"]')) {
    const out = li.querySelector<HTMLElement>('.schedule');
    const schedule = session?.providers.get(li.dataset.scope as ScopeName)?.schedule();
    if (out === null) continue;
    out.textContent =
      schedule === undefined
        ? 'No credentials held yet.'
        : `Credentials expire at ${when(schedule.expiration, Date.now())}; refreshed at ${when(schedule.refreshAt, Date.now())}.`;
  }
}

async function main(): Promise<void> {
  const loaded = await loadConfig();
  if (loaded === undefined) {
    document.body.dataset.ready = 'true';
    return;
  }
  const config: PageConfig = loaded;

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
    // Amplify's default for the API: user pool auth, which sends the ACCESS token. Nothing else is configured.
    API: {
      GraphQL: { endpoint: config.graphqlUrl, region: config.region, defaultAuthMode: 'userPool' },
    },
  });

  const graphql = generateClient();
  let session: Session | undefined;
  const context = (action: MessageContext['action'], scope?: string): MessageContext => ({
    action,
    ...(scope === undefined ? {} : { scope }),
    startCommand: config.startCommand,
    graphqlUrl: config.graphqlUrl,
    awsEndpoint: config.awsEndpoint,
  });
  const fail = (error: unknown, action: MessageContext['action'], scope?: string): void => {
    showStatus('');
    showError(sentence(error, context(action, scope)));
    renderSchedules(session);
  };

  const s3For = (credentials: VendedCredentialsProvider): S3Client =>
    new S3Client({ region: config.region, endpoint: config.awsEndpoint, forcePathStyle: true, credentials });

  /** List `prefix` with the credentials of `scope`; keys are shown relative to the prefix when `relative`. */
  async function listWith(scope: ScopeName, prefix: string, relative: boolean): Promise<string[]> {
    const provider = session?.providers.get(scope);
    if (provider === undefined) return [];
    const out = await s3For(provider).send(new ListObjectsV2Command({ Bucket: config.bucket, Prefix: prefix }));
    renderSchedules(session);
    return (out.Contents ?? []).map((o) => o.Key ?? '').map((k) => (relative ? k.slice(prefix.length) : k)).sort();
  }

  // ---- own files (S3_OWN_PREFIX) -------------------------------------------------------------------------------

  async function refreshObjects(): Promise<void> {
    if (session === undefined) return;
    renderList(ui.objects, await listWith(Scope.S3_OWN_PREFIX, session.prefix, true), '(no objects yet)');
  }

  ui.uploadForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const file = ui.file.files?.[0];
    const provider = session?.providers.get(Scope.S3_OWN_PREFIX);
    if (session === undefined || provider === undefined || file === undefined) return;
    const key = `${session.prefix}${file.name}`;
    showError('');
    showStatus(`Uploading ${file.name}…`);
    void (async () => {
      try {
        const body = new Uint8Array(await file.arrayBuffer());
        await s3For(provider).send(
          new PutObjectCommand({ Bucket: config.bucket, Key: key, Body: body, ContentType: file.type || 'application/octet-stream' }),
        );
        ui.uploadForm.reset();
        await refreshObjects();
        showStatus(`Uploaded ${file.name}.`);
      } catch (error) {
        fail(error, 's3', 'S3_OWN_PREFIX');
      }
    })();
  });

  // ---- outside the caller's prefix: the credentials themselves refuse it (the enforcing embedded AWS, as AWS) --

  ui.outside.addEventListener('click', () => {
    const provider = session?.providers.get(Scope.S3_OWN_PREFIX);
    if (session === undefined || provider === undefined) return;
    const { prefix } = session;
    const key = `${OUTSIDE_PREFIX}${Date.now()}.txt`;
    showError('');
    ui.outsideResult.textContent = '';
    showStatus(`Trying to write ${key}…`);
    void (async () => {
      try {
        await s3For(provider).send(
          new PutObjectCommand({ Bucket: config.bucket, Key: key, Body: 'should not be stored', ContentType: 'text/plain' }),
        );
        // Only without enforcement (vend serve --no-enforce) does this succeed; in AWS it never would.
        showStatus('');
        showError(`The write to ${key} was allowed: is the local server running with --no-enforce?`);
      } catch (error) {
        const refusal = describeOutside(error, key, prefix);
        if (refusal === undefined) {
          fail(error, 's3', 'S3_OWN_PREFIX');
          return;
        }
        showStatus('');
        ui.outsideResult.textContent = refusal;
      }
    })();
  });

  // ---- shared reports (REPORTS_READ) and tenant files (TENANT_FILES) -------------------------------------------

  function listButton(button: HTMLButtonElement, list: HTMLUListElement, scope: ScopeName, prefix: () => string | undefined): void {
    button.addEventListener('click', () => {
      const under = prefix();
      if (session === undefined || under === undefined) return;
      showError('');
      showStatus(`Listing ${under} with ${scope}…`);
      void (async () => {
        try {
          renderList(list, await listWith(scope, under, false), '(nothing there yet)');
          showStatus(`Listed ${under}.`);
        } catch (error) {
          renderList(list, [], '(not available)');
          fail(error, 's3', scope);
        }
      })();
    });
  }
  listButton(ui.reports, ui.reportList, Scope.REPORTS_READ, () => 'reports/');
  listButton(ui.tenantFiles, ui.tenantList, Scope.TENANT_FILES, () => session?.tenantPrefix);

  // ---- credentials on demand, for any available scope -----------------------------------------------------------

  function getCredentials(scope: ScopeName): void {
    const provider = session?.providers.get(scope);
    if (provider === undefined) return;
    showError('');
    showStatus(`Getting credentials for ${scope}…`);
    void provider().then(
      () => {
        renderSchedules(session);
        showStatus(`Got credentials for ${scope}.`);
      },
      (error: unknown) => fail(error, 'vend', scope),
    );
  }

  // ---- session ------------------------------------------------------------------------------------------------

  async function startSession(): Promise<void> {
    const [user, auth] = await Promise.all([getCurrentUser(), fetchAuthSession()]);
    // The service puts each user's objects under users/<sub>/; Amplify's userId is the sub. The tenant prefix is
    // only for display and listing; the service reads the claim from the verified token itself.
    const tenant = auth.tokens?.idToken?.payload['custom:tenant_id'];
    const prefix = `users/${user.userId}/`;
    let scopes: ScopeEntry[];
    try {
      scopes = (await graphql.graphql({ query: scopesQuery, authMode: 'userPool' })).data.scopes;
    } catch (thrown) {
      throw toVendCredentialsError(thrown, 'scopes');
    }
    const providers = new Map<ScopeName, VendedCredentialsProvider>();
    for (const entry of scopes.filter((s) => s.available)) {
      providers.set(entry.name, vendedCredentials({ scope: entry.name, durationSeconds: 900, graphql, authMode: 'userPool' }));
    }
    session = { prefix, tenantPrefix: typeof tenant === 'string' ? `tenants/${tenant}/` : undefined, providers };
    ui.who.textContent = user.username;
    ui.prefix.textContent = prefix;
    renderScopes(scopes, getCredentials);
    ui.reportsSection.hidden = !providers.has(Scope.REPORTS_READ);
    ui.tenantSection.hidden = !providers.has(Scope.TENANT_FILES) || session.tenantPrefix === undefined;
    ui.tenantPrefix.textContent = session.tenantPrefix ?? '';
    ui.signInForm.hidden = true;
    ui.session.hidden = false;
    await refreshObjects();
    renderSchedules(session);
    showStatus('Ready.');
  }

  function endSession(): void {
    // Forget this user's credentials before anyone else can sign in on this page.
    for (const provider of session?.providers.values() ?? []) provider.clear();
    session = undefined;
    for (const list of [ui.objects, ui.reportList, ui.tenantList, ui.scopeList]) list.replaceChildren();
    ui.outsideResult.textContent = '';
    ui.session.hidden = true;
    ui.signInForm.hidden = false;
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
        if (!result.isSignedIn) {
          showStatus('');
          showError('This user needs another sign-in step that this page does not handle.');
          return;
        }
      } catch (error) {
        fail(error, 'sign-in');
        return;
      }
      await startSession().catch((error: unknown) => fail(error, 's3', 'S3_OWN_PREFIX'));
    })();
  });

  ui.signOut.addEventListener('click', () => {
    void (async () => {
      endSession();
      await signOut().catch(() => undefined);
      showError('');
      showStatus('Signed out.');
    })();
  });

  // Expiry and refresh times count down next to each scope.
  setInterval(() => renderSchedules(session), 1000);

  // Only now can the form sign in: until this line it is disabled, so it never submits anything.
  ui.signInFields.disabled = false;

  // Amplify keeps the session in localStorage: resume it after a reload.
  const existing = await fetchAuthSession().catch(() => undefined);
  if (existing?.tokens !== undefined) {
    await startSession().catch((error: unknown) => fail(error, 's3', 'S3_OWN_PREFIX'));
  } else {
    showStatus('Sign in to see your files.');
  }
  document.body.dataset.ready = 'true';
}

main().catch(() => {
  showError('This page failed to start. Reload it; if that does not help, rebuild it with: cd clients && npm run build:example');
  document.body.dataset.ready = 'true';
});
