import { useEffect, useState } from 'react';
import { messageOf, sendJson } from '../api/client.ts';
import type { App, AppKey, BudgetStatus, CreatedApp, CreatedKey, FilterList, Route } from '../api/types.ts';
import { ConfirmDialog, Dialog, SaveButtons } from '../components/Dialog.tsx';
import { Check, TextField, toggled } from '../components/fields.tsx';
import {
  BudgetFields,
  CheckList,
  Form,
  RateFields,
  budgetDraft,
  budgetOf,
  rateDraft,
  rateOf,
} from '../components/forms.tsx';
import { Icon } from '../components/Icon.tsx';
import { ListPage } from '../components/ListPage.tsx';
import { DataTable } from '../components/tables.tsx';
import { Badge, EmptyState, IconButton, Meter, Skeleton } from '../components/ui.tsx';
import { formatCount, formatDateTime, formatUsd, plural } from '../lib/format.ts';
import { navigate, useResource, useSubmit } from '../lib/hooks.ts';
import { KeyDialog } from './KeyDialog.tsx';
import { ModelMapFields, mapRows, modelMapOf } from './ModelMapFields.tsx';

/** Routes an app may use: the ones it names, or every route when it names none. */
export const routesOf = (app: Pick<App, 'routes'>, routes: readonly Route[]): Route[] =>
  app.routes === null ? [...routes] : routes.filter((route) => app.routes?.includes(route.id));

function AppEditor({
  app,
  routes,
  filters,
  onClose,
  onSaved,
}: {
  app?: App;
  routes: readonly Route[];
  filters: readonly string[];
  onClose: () => void;
  onSaved: (app: App | CreatedApp) => void;
}) {
  const [name, setName] = useState(app?.name ?? '');
  const [allRoutes, setAllRoutes] = useState(app ? app.routes === null : true);
  const [chosenRoutes, setChosenRoutes] = useState<string[]>(app?.routes ?? []);
  const [budget, setBudget] = useState(budgetDraft(app?.budget));
  const [rate, setRate] = useState(rateDraft(app?.rateLimit));
  const [chosenFilters, setChosenFilters] = useState<string[]>(app?.filters ?? []);
  const [mapping, setMapping] = useState(mapRows(app?.modelMap));
  const { error, busy, submit } = useSubmit();

  const save = () =>
    submit(() => {
      if (!app && name.trim() === '')
        throw new Error('Name: what the key is for, e.g. cursor or nightly-agent.');
      if (!allRoutes && chosenRoutes.length === 0)
        throw new Error('Routes: pick at least one, or allow all routes.');
      const fields = {
        routes: allRoutes ? null : chosenRoutes,
        budget: budgetOf(budget),
        rateLimit: rateOf(rate),
        filters: chosenFilters,
        modelMap: modelMapOf(mapping),
      };
      return async () => {
        const saved = app
          ? await sendJson<App>('PATCH', `/apps/${encodeURIComponent(app.name)}`, fields)
          : await sendJson<CreatedApp>('POST', '/apps', {
              name: name.trim(),
              ...Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== null)),
            });
        onSaved(saved);
        onClose();
      };
    });

  return (
    <Dialog
      title={app ? `Limits for “${app.name}”` : 'Create an app key'}
      description={
        app
          ? 'Which routes this app may use, where its models go, and how much it may spend.'
          : 'One app per tool or agent: each gets its own key, and its own line in the spend charts.'
      }
      onClose={onClose}
      footer={
        <SaveButtons
          label={app ? 'Save changes' : 'Create app and key'}
          busy={busy}
          onSave={save}
          onCancel={onClose}
        />
      }
    >
      <Form onSubmit={save} hiddenSubmit error={error}>
        {!app && (
          <TextField
            label="Name"
            hint="Shown in Requests and in the charts."
            value={name}
            onChange={setName}
            placeholder="cursor"
            autoComplete="off"
            spellCheck={false}
            data-autofocus
          />
        )}
        <fieldset className="checklist">
          <legend>Routes</legend>
          <Check checked={allRoutes} onChange={setAllRoutes}>
            All routes, including ones added later
          </Check>
          {!allRoutes &&
            (routes.length === 0 ? (
              <p className="muted small">No routes yet.</p>
            ) : (
              <div className="checklist-items">
                {routes.map((route) => (
                  <Check
                    key={route.id}
                    checked={chosenRoutes.includes(route.id)}
                    onChange={(checked) => setChosenRoutes(toggled(chosenRoutes, route.id, checked))}
                  >
                    {route.id}
                  </Check>
                ))}
              </div>
            ))}
        </fieldset>
        <ModelMapFields
          rows={mapping}
          onChange={setMapping}
          modelPlaceholder="local/llama3.2"
          hint={
            <>
              Applied first, before a route is chosen: send <code>routeId/model</code> to pick the route too,
              e.g. Claude Code’s <code>claude-*haiku*</code> → <code>local/llama3.2</code>. Tried top to
              bottom, the first match wins; patterns take * and ?. On a route’s own URL only a bare model or
              one of that route applies.
            </>
          }
        />
        <BudgetFields draft={budget} onChange={setBudget} />
        <RateFields draft={rate} onChange={setRate} />
        <CheckList
          legend="Filters"
          hint="Run on this app’s requests, before the route’s own."
          options={filters}
          selected={chosenFilters}
          onChange={setChosenFilters}
          empty={
            <>
              No filters yet. <a href="#/filters">Create one on Filters</a>.
            </>
          }
        />
      </Form>
    </Dialog>
  );
}

type Pending =
  | { kind: 'create' }
  | { kind: 'edit'; app: App }
  | { kind: 'revoke'; app: App; key: AppKey }
  | { kind: 'delete'; app: App }
  | { kind: 'shown'; app: string; key: string };

export function AppsPage({ params }: { params: URLSearchParams }) {
  const apps = useResource<{ data: App[] }>('/apps');
  const routes = useResource<{ data: Route[] }>('/routes');
  const filters = useResource<FilterList>('/filters');
  const budgets = useResource<{ data: BudgetStatus[] }>('/budgets');
  const [pending, setPending] = useState<Pending>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    if (params.get('new')) {
      setPending({ kind: 'create' });
      navigate('apps');
    }
  }, [params]);

  const reload = () => {
    void apps.reload();
    void budgets.reload();
  };
  const list = apps.data?.data;
  const routeList = routes.data?.data ?? [];

  const newKey = async (app: App) => {
    setError(undefined);
    try {
      const created = await sendJson<CreatedKey>('POST', `/apps/${encodeURIComponent(app.name)}/keys`);
      setPending({ kind: 'shown', app: app.name, key: created.key });
      reload();
    } catch (thrown) {
      setError(messageOf(thrown));
    }
  };

  const createButton = (
    <button type="button" className="button primary" onClick={() => setPending({ kind: 'create' })}>
      <Icon name="plus" /> Create an app key
    </button>
  );

  const shownApp = pending?.kind === 'shown' ? list?.find((app) => app.name === pending.app) : undefined;

  return (
    <>
      <ListPage
        title="Apps & keys"
        description="A key per tool or agent, each with the routes it may use, a budget and rate limits."
        items={list}
        addButton={createButton}
        error={apps.error ?? error}
        empty={
          <EmptyState icon="key" title="Create an app key" action={createButton}>
            <p>
              An app is one tool or agent that calls models through Switchboard: Cursor, a script, a nightly
              job. Its key goes where the tool asks for an OpenAI API key.
            </p>
            {routes.data && routeList.length === 0 && (
              <p className="muted">
                There is no route yet: <a href="#/routes?new=1">add one</a> so the key has somewhere to go.
              </p>
            )}
          </EmptyState>
        }
      >
        <div className="app-list">
          {list ? (
            list.map((app) => (
              <AppCard
                key={app.name}
                app={app}
                budget={budgets.data?.data.find(
                  (budget) => budget.scope === 'app' && budget.name === app.name,
                )}
                onNewKey={() => newKey(app)}
                onEdit={() => setPending({ kind: 'edit', app })}
                onDelete={() => setPending({ kind: 'delete', app })}
                onRevoke={(key) => setPending({ kind: 'revoke', app, key })}
              />
            ))
          ) : (
            <div className="card app-card">
              <Skeleton width="30%" height="1.4em" />
              <Skeleton width="100%" height="4em" />
            </div>
          )}
        </div>
      </ListPage>
      {(pending?.kind === 'create' || pending?.kind === 'edit') && (
        <AppEditor
          app={pending.kind === 'edit' ? pending.app : undefined}
          routes={routeList}
          filters={filters.data?.data.map((filter) => filter.name) ?? []}
          onClose={() => setPending((current) => (current?.kind === 'shown' ? current : undefined))}
          onSaved={(saved) => {
            reload();
            if ('key' in saved) setPending({ kind: 'shown', app: saved.name, key: saved.key });
          }}
        />
      )}
      {pending?.kind === 'shown' && (
        <KeyDialog
          app={pending.app}
          appKey={pending.key}
          routes={routesOf(shownApp ?? { routes: null }, routeList)}
          onClose={() => setPending(undefined)}
        />
      )}
      {pending?.kind === 'revoke' && (
        <ConfirmDialog
          title={`Revoke key ${pending.key.prefix}?`}
          confirmLabel="Revoke key"
          onClose={() => setPending(undefined)}
          onConfirm={async () => {
            await sendJson('DELETE', `/apps/${encodeURIComponent(pending.app.name)}/keys/${pending.key.id}`);
            reload();
          }}
        >
          <p>
            Every tool using this key gets <code>401 invalid_api_key</code> from its next request. This cannot
            be undone.
          </p>
          {pending.app.keys.filter((key) => key.revokedAt === null).length === 1 && (
            <p>
              It is the only key of “{pending.app.name}”: the app cannot make requests until you create a new
              key.
            </p>
          )}
        </ConfirmDialog>
      )}
      {pending?.kind === 'delete' && (
        <ConfirmDialog
          title={`Delete app “${pending.app.name}”?`}
          confirmLabel="Delete app"
          onClose={() => setPending(undefined)}
          onConfirm={async () => {
            await sendJson('DELETE', `/apps/${encodeURIComponent(pending.app.name)}`);
            reload();
          }}
        >
          <p>
            {activeKeysStop(pending.app)} working at once (<code>401</code>). Its recorded requests and spend
            stay in the charts.
          </p>
          {pending.app.builtIn && (
            <p>The Playground creates it again, without limits, the next time it is used.</p>
          )}
          {pending.app.source === 'config' && (
            <p>
              It comes from the config file, so it returns at the next start unless you remove it there too.
            </p>
          )}
        </ConfirmDialog>
      )}
    </>
  );
}

/** "Its 1 active key stops", "Its 2 active keys stop": what deleting the app ends. */
function activeKeysStop(app: App): string {
  const active = app.keys.filter((key) => key.revokedAt === null).length;
  return `Its ${plural(active, 'active key')} ${active === 1 ? 'stops' : 'stop'}`;
}

function AppCard({
  app,
  budget,
  onNewKey,
  onEdit,
  onDelete,
  onRevoke,
}: {
  app: App;
  budget: BudgetStatus | undefined;
  onNewKey: () => void;
  onEdit: () => void;
  onDelete: () => void;
  onRevoke: (key: AppKey) => void;
}) {
  const active = app.keys.filter((key) => key.revokedAt === null);
  const revoked = app.keys.filter((key) => key.revokedAt !== null);
  return (
    <section className="card app-card" aria-labelledby={`app-${app.name}`}>
      <div className="card-header">
        <div className="cell-title">
          <h2 id={`app-${app.name}`}>{app.name}</h2>
          {app.source === 'config' && <Badge>config file</Badge>}
          {app.builtIn && <Badge tone="accent">built in</Badge>}
          {active.length === 0 && !app.builtIn && <Badge tone="warn">no active key</Badge>}
        </div>
        <div className="toolbar">
          {/* The built-in app's key is the gateway's own: nobody else is meant to send as it. */}
          {!app.builtIn && (
            <button type="button" className="button small" onClick={onNewKey}>
              <Icon name="key" /> New key
            </button>
          )}
          <button type="button" className="button small" onClick={onEdit}>
            <Icon name="edit" /> Limits
          </button>
          <IconButton
            icon="trash"
            danger
            label={`Delete app ${app.name}`}
            title="Delete app"
            onClick={onDelete}
          />
        </div>
      </div>
      {app.builtIn && (
        <p className="muted small app-note">
          The <a href="#/playground">Playground</a> sends its prompts and replays as this app, so its limits
          and budget cap what they spend. Deleted, it comes back the next time the Playground is used.
        </p>
      )}
      <dl className="facts">
        <div>
          <dt>Routes</dt>
          <dd>{app.routes === null ? <span className="muted">All</span> : app.routes.join(', ') || '—'}</dd>
        </div>
        <div>
          <dt>Budget</dt>
          <dd>
            {app.budget ? (
              <>
                <span>
                  <span className="num">
                    {budget ? `${formatUsd(budget.spentUsd)} of ` : ''}
                    {formatUsd(app.budget.usd)}
                  </span>
                  <span className="muted"> / {app.budget.period}</span>
                </span>
                {budget && (
                  <Meter
                    spent={budget.spentUsd}
                    reserved={budget.reservedUsd}
                    limit={budget.limitUsd}
                    label={`${app.name} budget`}
                  />
                )}
              </>
            ) : (
              <span className="muted">No limit</span>
            )}
          </dd>
        </div>
        <div>
          <dt>Rate limit</dt>
          <dd>
            {app.rateLimit?.rpm || app.rateLimit?.tpm ? (
              [
                app.rateLimit.rpm && `${formatCount(app.rateLimit.rpm)} req/min`,
                app.rateLimit.tpm && `${formatCount(app.rateLimit.tpm)} tokens/min`,
              ]
                .filter(Boolean)
                .join(' · ')
            ) : (
              <span className="muted">No limit</span>
            )}
          </dd>
        </div>
        <div>
          <dt>Filters</dt>
          <dd>{app.filters.length > 0 ? app.filters.join(', ') : <span className="muted">None</span>}</dd>
        </div>
        {app.modelMap && (
          <div>
            <dt>Model map</dt>
            <dd>
              {Object.entries(app.modelMap).map(([pattern, model]) => (
                <div key={pattern} className="model-list">
                  {pattern} <span className="muted">→</span> {model}
                </div>
              ))}
            </dd>
          </div>
        )}
      </dl>
      <DataTable
        columns={['Key', 'Created', 'Status']}
        actions
        items={[...active, ...revoked]}
        caption={<>Keys of {app.name}</>}
        className="keys-table"
      >
        {(key) => (
          <tr key={key.id} className={key.revokedAt ? 'revoked' : ''}>
            <td>
              <code>{key.prefix}</code>
            </td>
            <td className="muted">{formatDateTime(key.createdAt)}</td>
            <td>
              {key.revokedAt ? (
                <Badge tone="bad">Revoked {formatDateTime(key.revokedAt)}</Badge>
              ) : (
                <Badge tone="good">Active</Badge>
              )}
            </td>
            <td className="actions">
              {!key.revokedAt && (
                <button
                  type="button"
                  className="button small danger-text"
                  onClick={() => onRevoke(key)}
                  aria-label={`Revoke key ${key.prefix}`}
                >
                  Revoke
                </button>
              )}
            </td>
          </tr>
        )}
      </DataTable>
    </section>
  );
}
