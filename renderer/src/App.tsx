import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { gatewayOrigin } from './api/client.ts';
import type { Status } from './api/types.ts';
import { CopyButton } from './components/CopyButton.tsx';
import { Icon, Logo, type IconName } from './components/Icon.tsx';
import { Notice } from './components/Notice.tsx';
import { Field } from './components/ui.tsx';
import { useHashRoute, useResource } from './lib/hooks.ts';
import { AppsPage } from './pages/Apps.tsx';
import { FiltersPage } from './pages/Filters.tsx';
import { LatencyPage } from './pages/Latency.tsx';
import { OverviewPage } from './pages/Overview.tsx';
import { PlaygroundPage } from './pages/Playground.tsx';
import { RequestsPage } from './pages/Requests.tsx';
import { RoutesPage } from './pages/Routes.tsx';
import { SessionsPage } from './pages/Sessions.tsx';
import { SettingsPage } from './pages/Settings.tsx';
import { UsagePage } from './pages/Usage.tsx';

interface Page {
  id: string;
  label: string;
  icon: IconName;
  render: (params: URLSearchParams) => ReactNode;
}

const PAGES: readonly Page[] = [
  { id: 'overview', label: 'Overview', icon: 'overview', render: () => <OverviewPage /> },
  { id: 'routes', label: 'Routes', icon: 'routes', render: (params) => <RoutesPage params={params} /> },
  { id: 'apps', label: 'Apps & keys', icon: 'apps', render: (params) => <AppsPage params={params} /> },
  { id: 'filters', label: 'Filters', icon: 'filters', render: (params) => <FiltersPage params={params} /> },
  { id: 'usage', label: 'Spend & usage', icon: 'usage', render: () => <UsagePage /> },
  { id: 'latency', label: 'Latency & models', icon: 'latency', render: () => <LatencyPage /> },
  { id: 'requests', label: 'Requests', icon: 'requests', render: () => <RequestsPage /> },
  { id: 'sessions', label: 'Sessions', icon: 'play', render: (params) => <SessionsPage params={params} /> },
  {
    id: 'playground',
    label: 'Playground',
    icon: 'chat',
    render: (params) => <PlaygroundPage params={params} />,
  },
  {
    id: 'settings',
    label: 'Settings',
    icon: 'settings',
    render: (params) => <SettingsPage params={params} />,
  },
];

/** Shown on every page while vendor keys are sealed with a key anyone with the data folder could read. */
export function SecretsWarning({ secrets }: { secrets: string | undefined }) {
  if (secrets !== 'basic-text') return null;
  return (
    <Notice kind="warning" title="Vendor keys are stored with a fixed key">
      This system has no keyring, so anyone who can read Switchboard's data folder can read your vendor keys.
      Install a keyring (GNOME Keyring or KWallet) and restart Switchboard.
    </Notice>
  );
}

/** Where the gateway serves a login link, also when it was already used (then with status 401). */
const LOGIN_PATH = /\/ui\/login\/?$/;

/** The admin token for a session cookie; the gateway's answer, or why not, as a message to show. */
async function signInWithToken(token: string): Promise<string | null> {
  let response: Response;
  try {
    response = await fetch('/ui/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
      credentials: 'same-origin',
    });
  } catch {
    return 'Switchboard is not answering. Is it still running?';
  }
  if (response.ok) return null;
  try {
    const body = (await response.json()) as { error?: { message?: unknown } };
    if (typeof body.error?.message === 'string') return body.error.message;
  } catch {
    // Not JSON: the status line below is all there is.
  }
  return `Sign-in failed: the gateway answered ${response.status}.`;
}

/**
 * Shown when the admin API answers 401: the session ended (or a used login link was opened).
 * The way back needs no new link and no restart: the admin token, or `npx switchboard login`.
 */
function SignedOut() {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const linkUsed = LOGIN_PATH.test(window.location.pathname);
  const desktop = Boolean(window.switchboard?.baseUrl);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (token.trim() === '') {
      setError('Enter the admin token.');
      input.current?.focus();
      return;
    }
    setBusy(true);
    const failure = await signInWithToken(token);
    if (failure === null) {
      // A fresh load, so that every page fetches again with the new session; a used link's URL is left behind.
      window.location.replace(`/ui/${window.location.hash}`);
      return;
    }
    setBusy(false);
    setError(failure);
    input.current?.select();
  };

  return (
    <main className="signed-out" id="main">
      <div className="signed-out-card">
        <Logo className="brand-mark large" />
        <h1>Signed out</h1>
        {desktop ? (
          <p>The gateway no longer accepts this window&rsquo;s admin token. Restart Switchboard.</p>
        ) : (
          <>
            <p>
              {linkUsed
                ? 'This login link was already used or has expired: each link works once.'
                : 'This dashboard session has ended.'}{' '}
              Sign in with the admin token, or run <code>npx switchboard login</code> (add{' '}
              <code>--data-dir</code> if the gateway uses one) for a new login link.
            </p>
            <form className="form" style={{ width: '100%' }} onSubmit={submit} noValidate>
              <Field
                label="Admin token"
                hint="The one Switchboard was started with (--admin-token, --admin-token-file or SWITCHBOARD_ADMIN_TOKEN)."
                error={error ?? undefined}
              >
                {(id, describedBy) => (
                  <input
                    id={id}
                    ref={input}
                    type="password"
                    name="token"
                    autoComplete="current-password"
                    autoFocus
                    aria-describedby={describedBy}
                    aria-invalid={error !== null}
                    value={token}
                    onChange={(event) => setToken(event.target.value)}
                  />
                )}
              </Field>
              <div className="form-actions">
                <button type="submit" className="button primary" disabled={busy}>
                  {busy ? 'Signing in…' : 'Sign in'}
                </button>
              </div>
            </form>
          </>
        )}
      </div>
    </main>
  );
}

export function App() {
  const { page, params } = useHashRoute();
  const current = PAGES.find((candidate) => candidate.id === page) ?? PAGES[0]!;
  const status = useResource<Status>('/status');
  const [signedOut, setSignedOut] = useState(false);
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);

  useEffect(() => {
    const onSignedOut = () => setSignedOut(true);
    window.addEventListener('switchboard:signed-out', onSignedOut);
    return () => window.removeEventListener('switchboard:signed-out', onSignedOut);
  }, []);

  useEffect(() => {
    document.title = `${current.label} · Switchboard`;
    // After a navigation, start the keyboard and the screen reader at the new page, not in the sidebar.
    if (first.current) first.current = false;
    else main.current?.focus({ preventScroll: true });
    main.current?.scrollTo?.({ top: 0 });
  }, [current]);

  if (signedOut) return <SignedOut />;
  const origin = gatewayOrigin();

  return (
    <div className="shell">
      <button type="button" className="skip-link" onClick={() => main.current?.focus()}>
        Skip to content
      </button>
      <aside className="sidebar">
        <div className="brand">
          <Logo className="brand-mark" />
          <span>Switchboard</span>
        </div>
        <nav aria-label="Main">
          <ul>
            {PAGES.map((item) => (
              <li key={item.id}>
                <a
                  href={`#/${item.id}`}
                  aria-current={item === current ? 'page' : undefined}
                  title={item.label}
                >
                  <Icon name={item.icon} />
                  <span>{item.label}</span>
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="sidebar-footer">
          <div className="gateway-state">
            <span
              className={`status-dot ${status.error ? 'bad' : status.data ? 'good' : ''}`}
              aria-hidden="true"
            />
            <span>{status.error ? 'Not answering' : 'Running'}</span>
          </div>
          <div className="base-url">
            <code title={`${origin}/v1`}>{origin.replace(/^https?:\/\//, '')}</code>
            <CopyButton text={`${origin}/v1`} label="Copy base URL" />
          </div>
        </div>
      </aside>
      <main className="main" id="main" ref={main} tabIndex={-1}>
        <div className="page">
          <SecretsWarning secrets={status.data?.secrets} />
          {current.render(params)}
        </div>
      </main>
    </div>
  );
}
