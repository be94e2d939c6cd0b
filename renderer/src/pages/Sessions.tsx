import { useCallback, useEffect, useRef, useState } from 'react';
import { gatewayOrigin, getJson, messageOf, query } from '../api/client.ts';
import type { AgentSession } from '../api/sessions.ts';
import type { App } from '../api/types.ts';
import { Notice } from '../components/Notice.tsx';
import { SelectField } from '../components/fields.tsx';
import { DataTable, numeric } from '../components/tables.tsx';
import { Badge, EmptyState, PageHeader } from '../components/ui.tsx';
import { formatCount, formatMs, formatTime, formatTokens, usdColumn } from '../lib/format.ts';
import { navigate, useInterval, useResource } from '../lib/hooks.ts';
import { SessionCost, SessionDetail } from './sessions/SessionDetail.tsx';
import { AGENT_LABELS, agentLabel } from './sessions/time-shares.ts';
import './sessions/sessions.css';

const PAGE = 50;
export const SESSIONS_POLL_MS = 5000;

interface SessionFilters {
  app: string;
  agent: string;
}

const NO_FILTERS: SessionFilters = { app: '', agent: '' };

/** Agent sessions, the latest activity first; `?id=` opens one. */
export function SessionsPage({ params }: { params: URLSearchParams }) {
  const id = params.get('id');
  return id ? <SessionDetail id={id} /> : <SessionList />;
}

function SessionList() {
  const apps = useResource<{ data: App[] }>('/apps');
  const [filters, setFilters] = useState<SessionFilters>(NO_FILTERS);
  const [sessions, setSessions] = useState<AgentSession[]>();
  const [error, setError] = useState<string>();
  const [more, setMore] = useState(false);
  const [loadingMore, setLoadingMore] = useState(false);
  const generation = useRef(0);
  const money = usdColumn(sessions?.map((session) => session.costUsd) ?? []);
  const path = (extra: Record<string, string | number> = {}) =>
    `/sessions${query({ limit: PAGE, app: filters.app, agent: filters.agent, ...extra })}`;

  // A change of filters starts the list afresh.
  useEffect(() => {
    const run = ++generation.current;
    setSessions(undefined);
    getJson<{ data: AgentSession[] }>(path())
      .then((answer) => {
        if (run !== generation.current) return;
        setSessions(answer.data);
        setMore(answer.data.length === PAGE);
        setError(undefined);
      })
      .catch((thrown: unknown) => run === generation.current && setError(messageOf(thrown)));
  }, [filters]);

  // A session still running moves to the top with its new sums; older pages already shown stay below.
  const poll = useCallback(async () => {
    const run = generation.current;
    try {
      const answer = await getJson<{ data: AgentSession[] }>(path());
      if (run !== generation.current) return;
      const fresh = new Set(answer.data.map((session) => session.id));
      setSessions((current) =>
        current === undefined
          ? current
          : [...answer.data, ...current.filter((session) => !fresh.has(session.id))],
      );
      setError(undefined);
    } catch (thrown) {
      setError(messageOf(thrown));
    }
  }, [filters]);

  useInterval(() => void poll(), SESSIONS_POLL_MS);

  const loadOlder = async () => {
    const last = sessions?.at(-1);
    if (!last) return;
    setLoadingMore(true);
    try {
      const answer = await getJson<{ data: AgentSession[] }>(path({ before: last.id }));
      setSessions((current) => [...(current ?? []), ...answer.data]);
      setMore(answer.data.length === PAGE);
    } catch (thrown) {
      setError(messageOf(thrown));
    } finally {
      setLoadingMore(false);
    }
  };

  const open = (session: AgentSession) => navigate('sessions', { id: session.id });
  const filtered = filters.app !== '' || filters.agent !== '';

  return (
    <>
      <PageHeader
        title="Sessions"
        description="Agent runs, one row per session: what each cost and how long it took. Open one to see its requests in order."
      />
      <form
        className="filter-bar"
        role="search"
        aria-label="Filter sessions"
        onSubmit={(event) => event.preventDefault()}
      >
        <SelectField
          label="App"
          fieldClassName="inline-field"
          value={filters.app}
          options={[
            { value: '', label: 'All apps' },
            ...(apps.data?.data.map((app) => ({ value: app.name, label: app.name })) ?? []),
          ]}
          onChange={(app) => setFilters({ ...filters, app })}
        />
        <SelectField
          label="Tool"
          fieldClassName="inline-field"
          value={filters.agent}
          options={[
            { value: '', label: 'Any tool' },
            ...Object.entries(AGENT_LABELS).map(([value, label]) => ({ value, label })),
          ]}
          onChange={(agent) => setFilters({ ...filters, agent })}
        />
        {filtered && (
          <button type="button" className="button small" onClick={() => setFilters(NO_FILTERS)}>
            Clear filters
          </button>
        )}
      </form>
      {error && <Notice kind="error">{error}</Notice>}
      {sessions && sessions.length === 0 ? (
        filtered ? (
          <EmptyState icon="play" title="No session matches">
            <p>No agent session recorded matches these filters.</p>
          </EmptyState>
        ) : (
          <NoSessions />
        )
      ) : (
        <div className="card table-card">
          <div className="requests-scroll">
            <DataTable
              className="requests-table sessions-table"
              columns={[
                'Tool',
                'App',
                'Models',
                numeric('Turns'),
                numeric('Tokens in / out'),
                numeric('Cost'),
                numeric('Duration'),
                'Last activity',
              ]}
              items={sessions}
              skeletonRows={6}
            >
              {(session) => (
                <tr key={session.id} className="clickable" onClick={() => open(session)}>
                  <td>
                    <a
                      href={`#/sessions?id=${encodeURIComponent(session.id)}`}
                      className="row-open"
                      title={session.id}
                      // The visible words start the name, as speech input users say them (WCAG 2.5.3).
                      aria-label={`${agentLabel(session.agent) ?? 'Other'}, session ${session.id}`}
                      onClick={(event) => event.stopPropagation()}
                    >
                      {agentLabel(session.agent) ?? <span className="muted">Other</span>}
                    </a>
                    {session.errors > 0 && (
                      <Badge tone="warn">
                        {session.errors} {session.errors === 1 ? 'error' : 'errors'}
                      </Badge>
                    )}
                    {session.partial && <Badge tone="warn">partial</Badge>}
                  </td>
                  <td>{session.app ?? <span className="muted">—</span>}</td>
                  <td className="model-cell" title={session.models.join(', ')}>
                    {session.models.join(', ') || <span className="muted">—</span>}
                  </td>
                  <td className="num">{formatCount(session.turns)}</td>
                  <td className="num">
                    {formatTokens(session.inputTokens)} <span className="muted">/</span>{' '}
                    {formatTokens(session.outputTokens)}
                  </td>
                  <td className="num">
                    <SessionCost session={session} money={money} />
                  </td>
                  <td className="num">{formatMs(session.durationMs)}</td>
                  <td>
                    <time dateTime={session.lastAt}>{formatTime(session.lastAt)}</time>
                  </td>
                </tr>
              )}
            </DataTable>
          </div>
          {more && (
            <div className="table-footer">
              <button type="button" className="button" onClick={loadOlder} disabled={loadingMore}>
                {loadingMore ? 'Loading…' : 'Show older sessions'}
              </button>
            </div>
          )}
        </div>
      )}
    </>
  );
}

/** How to get sessions: what each tool needs, with this gateway's address filled in. */
function NoSessions() {
  const origin = gatewayOrigin();
  return (
    <EmptyState icon="play" title="No agent sessions yet">
      <p>
        When an agent works through Switchboard, each of its runs appears here with its turns, models, tokens,
        cost and time. Use an <a href="#/apps">app key</a> as the tool&rsquo;s API key, and:
      </p>
      <ul className="session-setup">
        <li>
          <strong>Claude Code</strong>: set <code>ANTHROPIC_BASE_URL={origin}</code>, or run{' '}
          <code>npx switchboard run claude</code>.
        </li>
        <li>
          <strong>Gemini CLI</strong>: set <code>GOOGLE_GEMINI_BASE_URL={origin}/gemini/ROUTE</code>, or run{' '}
          <code>npx switchboard run gemini</code>.
        </li>
        <li>
          <strong>Any other client</strong>: send the header <code>x-switchboard-session: ID</code> with each
          request of a run.
        </li>
      </ul>
    </EmptyState>
  );
}
