import { useEffect, useRef, useState, type ReactNode } from 'react';
import { gatewayOrigin } from './api/client.ts';
import type { Status } from './api/types.ts';
import { CopyButton } from './components/CopyButton.tsx';
import { Icon, Logo, type IconName } from './components/Icon.tsx';
import { Notice } from './components/Notice.tsx';
import { useHashRoute, useResource } from './lib/hooks.ts';
import { AppsPage } from './pages/Apps.tsx';
import { FiltersPage } from './pages/Filters.tsx';
import { OverviewPage } from './pages/Overview.tsx';
import { RequestsPage } from './pages/Requests.tsx';
import { RoutesPage } from './pages/Routes.tsx';
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
  { id: 'requests', label: 'Requests', icon: 'requests', render: () => <RequestsPage /> },
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

function SignedOut() {
  return (
    <main className="signed-out" id="main">
      <div className="signed-out-card">
        <Logo className="brand-mark large" />
        <h1>Signed out</h1>
        <p>
          This dashboard session has ended, usually because Switchboard restarted. Open the dashboard link it
          printed when it started (each link works once), or run <code>npm run serve</code> again for a new
          one.
        </p>
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
