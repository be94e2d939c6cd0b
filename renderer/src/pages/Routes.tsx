import { useEffect, useState } from 'react';
import { sendJson, messageOf } from '../api/client.ts';
import type {
  App,
  ConnectionTest,
  FilterList,
  Route,
  RouteError,
  RouteHealth,
  VendorPreset,
} from '../api/types.ts';
import { ConfirmDialog } from '../components/Dialog.tsx';
import { Icon } from '../components/Icon.tsx';
import { ListPage } from '../components/ListPage.tsx';
import { Notice } from '../components/Notice.tsx';
import { DataTable, numeric } from '../components/tables.tsx';
import { Badge, EmptyState, IconButton } from '../components/ui.tsx';
import { formatTime, plural, usdColumn } from '../lib/format.ts';
import { navigate, useInterval, useResource } from '../lib/hooks.ts';
import { LocalServers, useLocalServers } from './Discovery.tsx';
import { PriceDialog } from './PriceDialog.tsx';
import { RouteEditor, TestResult, VENDOR_LABELS, presetOf } from './RouteEditor.tsx';

/** How often the list is read again, so that a cooldown starting or ending shows without a reload. */
export const ROUTES_POLL_MS = 5000;

/** A route's last failure in one line: "503 overloaded_error: Overloaded", or "no answer …" when none came. */
function routeErrorText(error: RouteError): string {
  return `${error.status ?? 'no answer'} ${error.code}: ${error.message}`;
}

/** What deleting a route breaks, in words: UX.md asks a destructive action to say it. */
export function routeDeletionImpact(route: Route, apps: readonly App[]): string[] {
  const lines = [`Requests to /openai/${route.id}/v1 and /proxy/${route.id}/… will be refused.`];
  const named = apps.filter((app) => app.routes?.includes(route.id)).map((app) => app.name);
  const open = apps.filter((app) => app.routes === null).map((app) => app.name);
  if (named.length > 0)
    lines.push(`${named.join(', ')} ${named.length === 1 ? 'loses' : 'lose'} this route.`);
  if (open.length > 0)
    lines.push(
      `${open.join(', ')} can no longer reach its models through /v1 unless another route serves them.`,
    );
  if (route.source === 'config')
    lines.push(
      'It comes from the config file, so it returns at the next start unless you remove it there too.',
    );
  lines.push('Its recorded requests and spend stay.');
  return lines;
}

export function RoutesPage({ params }: { params: URLSearchParams }) {
  const routes = useResource<{ data: Route[] }>('/routes');
  const presets = useResource<{ data: VendorPreset[] }>('/presets');
  const apps = useResource<{ data: App[] }>('/apps');
  const filters = useResource<FilterList>('/filters');
  const [editing, setEditing] = useState<Route | 'new'>();
  const [deleting, setDeleting] = useState<Route>();
  const [pricing, setPricing] = useState<string>();
  const [tests, setTests] = useState<Record<string, ConnectionTest | 'running' | { error: string }>>({});
  // Shown first while there is no route, and on demand after; it stays once shown, so that a route
  // added from it is seen both there and in the list.
  const [findLocal, setFindLocal] = useState(false);

  useInterval(() => void routes.reload(), ROUTES_POLL_MS);

  // #/routes?new=1 (from the overview's first step) opens the editor at once.
  useEffect(() => {
    if (params.get('new') && presets.data) {
      setEditing('new');
      navigate('routes');
    }
  }, [params, presets.data]);

  const list = routes.data?.data;
  if (list?.length === 0 && !findLocal) setFindLocal(true);
  const localServers = useLocalServers(findLocal, () => routes.reload());
  const presetList = presets.data?.data ?? [];
  const money = usdColumn(list?.map((route) => route.budget?.usd) ?? []);

  const test = async (route: Route) => {
    setTests((current) => ({ ...current, [route.id]: 'running' }));
    try {
      const result = await sendJson<ConnectionTest>('POST', `/routes/${encodeURIComponent(route.id)}/test`);
      setTests((current) => ({ ...current, [route.id]: result }));
    } catch (thrown) {
      setTests((current) => ({ ...current, [route.id]: { error: messageOf(thrown) } }));
    }
  };

  const addButton = (
    <button
      type="button"
      className="button primary"
      onClick={() => setEditing('new')}
      disabled={!presets.data}
    >
      <Icon name="plus" /> Add a route
    </button>
  );

  const local = findLocal && <LocalServers state={localServers} />;

  return (
    <>
      <ListPage
        title="Routes"
        description="Vendors and local servers that apps reach through Switchboard, each with its key, allowed models and limits."
        items={list}
        addButton={
          <>
            {!findLocal && (
              <button type="button" className="button" onClick={() => setFindLocal(true)}>
                <Icon name="refresh" /> Find local servers
              </button>
            )}
            {addButton}
          </>
        }
        error={routes.error}
        empty={
          <>
            {local}
            <EmptyState icon="routes" title="Add a route" action={addButton}>
              <p>
                A route connects Switchboard to one vendor: pick OpenAI, Anthropic, Gemini, OpenRouter or Groq
                and paste its key, or choose Ollama or LM Studio, which run on this machine and need none.
              </p>
            </EmptyState>
          </>
        }
      >
        {local}
        <div className="table-card card">
          <DataTable
            columns={['Route', 'Base URL', 'Models', 'Key', 'Health', numeric('Budget')]}
            actions
            items={list}
          >
            {(route) => {
              const preset = presetOf(route, presetList);
              return (
                <RouteRow
                  key={route.id}
                  route={route}
                  vendorLabel={preset?.label ?? VENDOR_LABELS[route.vendor]}
                  needsKey={preset?.needsKey ?? false}
                  result={tests[route.id]}
                  money={money}
                  onTest={() => test(route)}
                  onDismiss={() =>
                    setTests((current) =>
                      Object.fromEntries(Object.entries(current).filter(([id]) => id !== route.id)),
                    )
                  }
                  onEdit={() => setEditing(route)}
                  onDelete={() => setDeleting(route)}
                  onPrice={setPricing}
                />
              );
            }}
          </DataTable>
        </div>
      </ListPage>
      {editing && (
        <RouteEditor
          route={editing === 'new' ? undefined : editing}
          presets={presetList}
          takenIds={list?.map((route) => route.id) ?? []}
          filters={filters.data?.data.map((filter) => filter.name) ?? []}
          onClose={() => setEditing(undefined)}
          onSaved={() => void routes.reload()}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete route “${deleting.id}”?`}
          confirmLabel="Delete route"
          onClose={() => setDeleting(undefined)}
          onConfirm={async () => {
            await sendJson('DELETE', `/routes/${encodeURIComponent(deleting.id)}`);
            await routes.reload();
          }}
        >
          <ul>
            {routeDeletionImpact(deleting, apps.data?.data ?? []).map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </ConfirmDialog>
      )}
      {pricing && (
        <PriceDialog
          model={pricing}
          onClose={() => setPricing(undefined)}
          onSaved={() => void routes.reload()}
        />
      )}
    </>
  );
}

function RouteRow({
  route,
  vendorLabel,
  needsKey,
  result,
  money,
  onTest,
  onDismiss,
  onEdit,
  onDelete,
  onPrice,
}: {
  route: Route;
  vendorLabel: string;
  needsKey: boolean;
  result: ConnectionTest | 'running' | { error: string } | undefined;
  /** The budget column's one money format. */
  money: (value: number) => string;
  onTest: () => void;
  onDismiss: () => void;
  onEdit: () => void;
  onDelete: () => void;
  onPrice: (model: string) => void;
}) {
  const unpriced = route.unpricedModels ?? [];
  const extra = result !== undefined && result !== 'running';
  const cooling = route.health.state === 'cooling';
  const hasExtra = extra || unpriced.length > 0 || cooling;
  return (
    <>
      <tr className={hasExtra ? 'has-extra' : ''}>
        <td>
          <div className="cell-title">
            <button type="button" className="link-button strong" onClick={onEdit}>
              {route.id}
            </button>
            {route.source === 'config' && <Badge>config file</Badge>}
          </div>
          <div className="muted small">{vendorLabel}</div>
          {route.fallbacks.length > 0 && (
            <div className="muted small">Falls back to {route.fallbacks.join(', then ')}</div>
          )}
        </td>
        <td>
          <code className="url">{route.baseUrl}</code>
        </td>
        <td>
          {route.models.length === 0 ? (
            <span className="muted">All models</span>
          ) : (
            <span className="model-list" title={route.models.join(', ')}>
              {route.models.slice(0, 3).join(', ')}
              {route.models.length > 3 && <span className="muted"> +{route.models.length - 3}</span>}
            </span>
          )}
        </td>
        <td>
          {route.hasApiKey ? (
            <Badge tone="good">Saved</Badge>
          ) : needsKey ? (
            <Badge tone="warn">Missing</Badge>
          ) : (
            <span className="muted">None</span>
          )}
        </td>
        <td>
          <HealthSummary health={route.health} />
        </td>
        <td className="num">
          {route.budget ? (
            <>
              {money(route.budget.usd)}
              <span className="muted"> / {route.budget.period}</span>
            </>
          ) : (
            <span className="muted">—</span>
          )}
        </td>
        <td className="actions">
          <button type="button" className="button small" onClick={onTest} disabled={result === 'running'}>
            <Icon name="play" /> {result === 'running' ? 'Testing…' : 'Test'}
          </button>
          <IconButton icon="edit" label={`Edit route ${route.id}`} title="Edit" onClick={onEdit} />
          <IconButton
            icon="trash"
            danger
            label={`Delete route ${route.id}`}
            title="Delete"
            onClick={onDelete}
          />
        </td>
      </tr>
      {hasExtra && (
        <tr className="extra-row">
          <td colSpan={7}>
            {cooling && <CoolingDetail health={route.health} hasFallbacks={route.fallbacks.length > 0} />}
            {extra && (
              <div className="test-result">
                {'error' in result ? (
                  <Notice kind="error">{result.error}</Notice>
                ) : (
                  <TestResult result={result} />
                )}
                <IconButton icon="x" label={`Dismiss the test result of ${route.id}`} onClick={onDismiss} />
              </div>
            )}
            {unpriced.map((model) => (
              <div key={model} className="unpriced">
                <Icon name="alert" />
                <span>
                  <code>{model}</code>: cost unknown —{' '}
                  <button type="button" className="link-button" onClick={() => onPrice(model)}>
                    add a price
                  </button>
                </span>
              </div>
            ))}
          </td>
        </tr>
      )}
    </>
  );
}

/** The health column: in words, so that it does not rest on the badge's colour. */
function HealthSummary({ health }: { health: RouteHealth }) {
  const last = health.lastError;
  // The tooltip is for a glance; a cooling route's row says the same below it, for every reader.
  const title = last ? `Last error at ${formatTime(last.time)}: ${routeErrorText(last)}` : undefined;
  if (health.state === 'cooling') {
    return (
      <div className="route-health" title={title}>
        <Badge tone="warn">Cooling down</Badge>
        {health.until && <span className="muted small"> until {formatTime(health.until)}</span>}
      </div>
    );
  }
  return (
    <div className="route-health" title={title}>
      <Badge tone="good">Healthy</Badge>
      {health.recentFailures > 0 && (
        <span className="muted small"> {plural(health.recentFailures, 'recent failure')}</span>
      )}
    </div>
  );
}

/** Why a route is skipped, and until when: under its row while it cools down. */
function CoolingDetail({ health, hasFallbacks }: { health: RouteHealth; hasFallbacks: boolean }) {
  const last = health.lastError;
  const until = health.until ? formatTime(health.until) : 'the cooldown ends';
  return (
    <div className="route-cooling">
      <Icon name="alert" />
      <span>
        Cooling down until {until}: requests skip it{hasFallbacks ? ' for its fallbacks' : ''} until then, and
        the first one after tries it again.
        {last && (
          <>
            {' '}
            Last error at {formatTime(last.time)}:{' '}
            <strong>{`${last.status ?? 'no answer'} ${last.code}`}</strong>{' '}
            <q className="route-error">{last.message}</q>
          </>
        )}
      </span>
    </div>
  );
}
