import { useEffect, useState } from 'react';
import { sendJson } from '../api/client.ts';
import type { App, Filter, FilterList, Route } from '../api/types.ts';
import { ConfirmDialog } from '../components/Dialog.tsx';
import { Icon } from '../components/Icon.tsx';
import { ListPage } from '../components/ListPage.tsx';
import { DataTable } from '../components/tables.tsx';
import { Badge, EmptyState, IconButton } from '../components/ui.tsx';
import { formatCount } from '../lib/format.ts';
import { navigate, useResource } from '../lib/hooks.ts';
import { FilterEditor } from './FilterEditor.tsx';
import { KINDS } from './filter-editor/draft.ts';

/** One line saying what a filter does, from its fields. */
export function describeFilter(filter: Filter): string {
  switch (filter.kind) {
    case 'block':
    case 'redact': {
      const patterns = filter.patterns ?? [];
      const builtins = patterns
        .filter((pattern) => pattern.startsWith('builtin:'))
        .map((pattern) => pattern.slice(8));
      const own = patterns.length - builtins.length;
      const parts = [...builtins, ...(own > 0 ? [`${own} pattern${own === 1 ? '' : 's'} of your own`] : [])];
      const verb = filter.kind === 'block' ? 'Blocks requests with' : 'Redacts';
      return `${verb} ${parts.join(', ') || 'nothing yet'}${filter.kind === 'redact' && filter.responses === false ? ' (requests only)' : ''}`;
    }
    case 'system-prompt':
      return `${filter.mode === 'replace' ? 'Replaces' : filter.mode === 'append' ? 'Appends to' : 'Prepends to'} the system prompt: “${(filter.text ?? '').slice(0, 60)}${(filter.text ?? '').length > 60 ? '…' : ''}”`;
    case 'max-tokens':
      return `Caps answers at ${formatCount(filter.max ?? 0)} tokens`;
    case 'model':
      return Object.entries(filter.aliases ?? {})
        .map(([from, to]) => `${from} → ${to}`)
        .join(', ');
    case 'script':
      return `Script, ${formatCount((filter.code ?? '').split('\n').length)} lines`;
  }
}

export function FiltersPage({ params }: { params: URLSearchParams }) {
  const filters = useResource<FilterList>('/filters');
  const routes = useResource<{ data: Route[] }>('/routes');
  const apps = useResource<{ data: App[] }>('/apps');
  const [editing, setEditing] = useState<Filter | 'new'>();
  const [deleting, setDeleting] = useState<Filter>();

  useEffect(() => {
    if (params.get('new')) {
      setEditing('new');
      navigate('filters');
    }
  }, [params]);

  const list = filters.data?.data;
  const usersOf = (name: string) => [
    ...(routes.data?.data
      .filter((route) => route.filters.includes(name))
      .map((route) => `route ${route.id}`) ?? []),
    ...(apps.data?.data.filter((app) => app.filters.includes(name)).map((app) => `app ${app.name}`) ?? []),
  ];
  const newButton = (
    <button
      type="button"
      className="button primary"
      onClick={() => setEditing('new')}
      disabled={!filters.data}
    >
      <Icon name="plus" /> New filter
    </button>
  );

  return (
    <>
      <ListPage
        title="Filters"
        description="Rules applied to requests before they leave this machine: redact secrets, block topics, set prompts and limits."
        items={list}
        addButton={newButton}
        error={filters.error}
        empty={
          <EmptyState icon="filters" title="No filters yet" action={newButton}>
            <p>
              A filter runs on every request of the routes and apps it is attached to. Start with one that
              redacts API keys and e-mail addresses, so they never reach a vendor.
            </p>
          </EmptyState>
        }
      >
        <div className="table-card card">
          <DataTable columns={['Filter', 'What it does', 'Used by']} actions items={list}>
            {(filter) => {
              const users = usersOf(filter.name);
              return (
                <tr key={filter.name}>
                  <td>
                    <div className="cell-title">
                      <button type="button" className="link-button strong" onClick={() => setEditing(filter)}>
                        {filter.name}
                      </button>
                      {filter.source === 'config' && <Badge>config file</Badge>}
                    </div>
                    <div className="muted small">
                      {KINDS.find((kind) => kind.kind === filter.kind)?.label ?? filter.kind}
                    </div>
                  </td>
                  <td className="describe">{describeFilter(filter)}</td>
                  <td>{users.length > 0 ? users.join(', ') : <span className="muted">Not attached</span>}</td>
                  <td className="actions">
                    <IconButton
                      icon="edit"
                      label={`Edit filter ${filter.name}`}
                      title="Edit"
                      onClick={() => setEditing(filter)}
                    />
                    <IconButton
                      icon="trash"
                      danger
                      label={`Delete filter ${filter.name}`}
                      title="Delete"
                      onClick={() => setDeleting(filter)}
                    />
                  </td>
                </tr>
              );
            }}
          </DataTable>
        </div>
      </ListPage>
      {editing && (
        <FilterEditor
          filter={editing === 'new' ? undefined : editing}
          builtinSets={filters.data?.builtinPatternSets ?? []}
          takenNames={list?.map((filter) => filter.name) ?? []}
          onClose={() => setEditing(undefined)}
          onSaved={() => void filters.reload()}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete filter “${deleting.name}”?`}
          confirmLabel="Delete filter"
          onClose={() => setDeleting(undefined)}
          onConfirm={async () => {
            await sendJson('DELETE', `/filters/${encodeURIComponent(deleting.name)}`);
            await filters.reload();
          }}
        >
          {usersOf(deleting.name).length > 0 ? (
            <p>
              It is attached to {usersOf(deleting.name).join(', ')}. Detach it there first: a filter that is
              named but missing fails closed and blocks every request.
            </p>
          ) : (
            <p>It is not attached to any route or app, so no request changes.</p>
          )}
        </ConfirmDialog>
      )}
    </>
  );
}
