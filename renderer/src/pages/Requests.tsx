import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { getBlob, getJson, messageOf, query } from '../api/client.ts';
import { requestBodies, type RequestBodies } from '../api/requests.ts';
import type { App, RequestAttempt, RequestRow, RequestSearch, Route } from '../api/types.ts';
import { Dialog } from '../components/Dialog.tsx';
import { Icon } from '../components/Icon.tsx';
import { Notice } from '../components/Notice.tsx';
import { Check, SelectField, TextField } from '../components/fields.tsx';
import { DataTable, numeric } from '../components/tables.tsx';
import { Badge, EmptyState, PageHeader, statusTone } from '../components/ui.tsx';
import { download } from '../lib/download.ts';
import {
  formatDateTime,
  formatMs,
  formatStamp,
  formatTokens,
  formatUsd,
  formatUtc,
  plural,
  usdColumn,
} from '../lib/format.ts';
import { useInterval, useResource } from '../lib/hooks.ts';
import './requests.css';
import { RequestConversation } from './RequestConversation.tsx';

const PAGE = 50;
export const POLL_MS = 2000;

/** What the contract's error codes mean, for the detail panel; vendors' own codes are shown as they are. */
export const ERROR_TEXT: Record<string, string> = {
  invalid_request: 'The request was not valid JSON or missed something the endpoint needs.',
  unsupported_parameter: 'The request used a parameter this route’s vendor cannot honour.',
  invalid_api_key: 'The app key was missing, unknown or revoked.',
  route_not_allowed: 'This app may not use this route.',
  model_not_allowed: 'The model is not on the route’s allow-list.',
  filter_blocked:
    'A filter refused the request (a block filter matched, or a script filter blocked or failed).',
  route_not_found: 'There is no route with that id.',
  host_not_allowed: 'The request came with a Host header Switchboard does not accept.',
  request_too_large: 'The request body was over the size limit.',
  budget_exceeded:
    'A budget could not cover the request’s most expensive outcome, so it was not sent. Budget periods are calendar days, weeks and months in UTC.',
  rate_limited: 'A requests- or tokens-per-minute limit was reached.',
  upstream_error: 'The vendor could not be reached, or answered with an error.',
  upstream_timeout: 'The vendor did not answer in time.',
  client_closed: 'The caller closed the connection before the answer ended.',
  shutting_down:
    'Switchboard was shutting down: it refused the request, or cut its answer at the end of the grace.',
};

export interface RequestFilters {
  app: string;
  route: string;
  model: string;
  session: string;
  /** Text within the request id, a model name or the error. */
  text: string;
  /** A status class ("4xx") or one status ("429"). */
  status: string;
  /** Any status outside 2xx. */
  errors: boolean;
  /** `datetime-local` values: the user's own time zone, as they typed them. */
  from: string;
  to: string;
}

const NO_FILTERS: RequestFilters = {
  app: '',
  route: '',
  model: '',
  session: '',
  text: '',
  status: '',
  errors: false,
  from: '',
  to: '',
};
/** The filters typed rather than picked: they apply on Enter or on leaving the field, not at each key. */
type TypedFilter = 'text' | 'model' | 'session';
const NO_DRAFTS: Pick<RequestFilters, TypedFilter> = { text: '', model: '', session: '' };
/** What the status filter offers: the classes, then single statuses. */
const STATUSES = [
  { value: '2xx', label: '2xx: succeeded' },
  { value: '4xx', label: '4xx: client errors' },
  { value: '5xx', label: '5xx: server errors' },
  ...['200', '400', '401', '403', '404', '413', '429', '499', '500', '502', '504'].map((status) => ({
    value: status,
    label: status,
  })),
];

/** A `datetime-local` value (local time) as the instant the admin API takes; undefined when unset or invalid. */
function instant(local: string): string | undefined {
  if (local === '') return undefined;
  const time = new Date(local);
  return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
}

/** The admin API's query parameters for the filters: the log's pages and its exports take the same. */
function searchOf(filters: RequestFilters): RequestSearch {
  const statusClass = /^\dxx$/.test(filters.status);
  return {
    app: filters.app || undefined,
    route: filters.route || undefined,
    model: filters.model || undefined,
    session: filters.session || undefined,
    q: filters.text || undefined,
    status: statusClass ? undefined : filters.status || undefined,
    statusClass: statusClass ? (filters.status as RequestSearch['statusClass']) : undefined,
    errors: filters.errors ? 'true' : undefined,
    from: instant(filters.from),
    to: instant(filters.to),
  };
}

function StatusBadge({ row }: { row: RequestRow }) {
  return (
    <span className="status-cell">
      <Badge tone={statusTone(row.status)}>{row.status}</Badge>
      {row.partial && <Badge tone="warn">partial</Badge>}
      {row.errorCode && <span className="muted small">{row.errorCode}</span>}
    </span>
  );
}

/**
 * The live request log. New rows are prepended every two seconds; when the reader has scrolled
 * down, the scroll position is moved by exactly the height the new rows added, so the row being
 * read stays where it was.
 */
export function RequestsPage() {
  const apps = useResource<{ data: App[] }>('/apps');
  const routes = useResource<{ data: Route[] }>('/routes');
  const [filters, setFilters] = useState<RequestFilters>(NO_FILTERS);
  const [drafts, setDrafts] = useState(NO_DRAFTS);
  const [exporting, setExporting] = useState<'csv' | 'jsonl'>();
  const [rows, setRows] = useState<RequestRow[]>();
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  const [unseen, setUnseen] = useState(0);
  const [error, setError] = useState<string>();
  const [more, setMore] = useState(false);
  const [loadingMore, setLoadingMore] = useState(false);
  const [live, setLive] = useState(true);
  const [selected, setSelected] = useState<RequestRow>();
  const table = useRef<HTMLTableElement>(null);
  const anchor = useRef<{ top: number; height: number } | null>(null);
  const generation = useRef(0);
  const rowsRef = useRef<RequestRow[] | undefined>(undefined);
  // One number of decimals for the whole cost column.
  const money = usdColumn(rows?.map((row) => row.costUsd) ?? []);
  rowsRef.current = rows;

  /**
   * What scrolls the rows: the table's own box where requests.css makes it one (its header stays in
   * view as the rows scroll under it), else the page.
   */
  const scroller = (): HTMLElement | null => {
    const own = table.current?.parentElement;
    if (own && ['auto', 'scroll'].includes(getComputedStyle(own).overflowY)) return own;
    return (table.current?.closest('.main') as HTMLElement | null) ?? null;
  };
  const params = (extra: Record<string, string | number | undefined> = {}) =>
    query({ limit: PAGE, ...searchOf(filters), ...extra });

  // A change of filters starts the list afresh.
  useEffect(() => {
    const run = ++generation.current;
    setRows(undefined);
    setFresh(new Set());
    setUnseen(0);
    getJson<{ data: RequestRow[] }>(`/requests${params()}`)
      .then((answer) => {
        if (run !== generation.current) return;
        setRows(answer.data);
        setMore(answer.data.length === PAGE);
        setError(undefined);
      })
      .catch((thrown: unknown) => run === generation.current && setError(messageOf(thrown)));
  }, [filters]);

  const poll = useCallback(async () => {
    const current = rowsRef.current;
    if (!live || current === undefined) return;
    const run = generation.current;
    try {
      const answer = await getJson<{ data: RequestRow[] }>(`/requests${params()}`);
      if (run !== generation.current || rowsRef.current !== current) return;
      const newest = current[0]?.id;
      const known = newest === undefined ? -1 : answer.data.findIndex((row) => row.id === newest);
      const added =
        newest === undefined ? answer.data : known === -1 ? answer.data : answer.data.slice(0, known);
      setError(undefined);
      if (added.length === 0) return;
      const element = scroller();
      if (element && element.scrollTop > 0) {
        anchor.current = { top: element.scrollTop, height: element.scrollHeight };
        setUnseen((count) => count + added.length);
      }
      setFresh(new Set(added.map((row) => row.id)));
      setRows([...added, ...current]);
    } catch (thrown) {
      setError(messageOf(thrown));
    }
  }, [live, filters]);

  useInterval(() => void poll(), live ? POLL_MS : null);

  // Runs after the new rows are in the DOM but before the browser paints them: no visible jump.
  useLayoutEffect(() => {
    const saved = anchor.current;
    anchor.current = null;
    const element = scroller();
    if (!saved || !element) return;
    element.scrollTop = saved.top + (element.scrollHeight - saved.height);
  }, [rows]);

  useEffect(() => {
    const element = scroller();
    if (!element) return;
    const onScroll = () => {
      if (element.scrollTop === 0) setUnseen(0);
    };
    element.addEventListener('scroll', onScroll, { passive: true });
    return () => element.removeEventListener('scroll', onScroll);
  }, [rows === undefined]);

  const loadOlder = async () => {
    const last = rows?.at(-1);
    if (!last) return;
    setLoadingMore(true);
    try {
      const answer = await getJson<{ data: RequestRow[] }>(`/requests${params({ before: last.id })}`);
      setRows((current) => [...(current ?? []), ...answer.data]);
      setMore(answer.data.length === PAGE);
    } catch (thrown) {
      setError(messageOf(thrown));
    } finally {
      setLoadingMore(false);
    }
  };

  /** Every row the filters select, not only the pages shown, as the gateway writes it. */
  const exportLog = async (format: 'csv' | 'jsonl') => {
    setExporting(format);
    try {
      download(
        await getBlob(`/requests.${format}${query(searchOf(filters))}`),
        `switchboard-requests.${format}`,
      );
    } catch (thrown) {
      setError(messageOf(thrown));
    } finally {
      setExporting(undefined);
    }
  };

  const filtered = Object.values(filters).some((value) => value !== '' && value !== false);
  /**
   * Applies a typed filter's draft, only if it changed: leaving the field to click a row must not
   * reload the list under the pointer.
   */
  const apply = (name: TypedFilter) => {
    const value = drafts[name].trim();
    if (value !== filters[name]) setFilters({ ...filters, [name]: value });
  };
  /** A typed filter's field: the draft shows as typed, and applies on Enter, on leaving it, or when emptied. */
  const typed = (name: TypedFilter, label: string, placeholder: string, className = '') => (
    <TextField
      label={label}
      fieldClassName={`inline-field ${className}`}
      type="search"
      value={drafts[name]}
      placeholder={placeholder}
      spellCheck={false}
      onChange={(value) => {
        setDrafts({ ...drafts, [name]: value });
        if (value === '') setFilters({ ...filters, [name]: '' });
      }}
      onBlur={() => apply(name)}
      onKeyDown={(event) => {
        if (event.key === 'Enter') apply(name);
      }}
    />
  );

  return (
    <>
      <PageHeader
        title="Requests"
        description="Every request through Switchboard, newest first. Prompts and answers are kept only for routes with body logging on."
        actions={
          <>
            <button
              type="button"
              className="button"
              onClick={() => void exportLog('csv')}
              disabled={exporting !== undefined}
              title="Download every request the filters select, as CSV"
            >
              {exporting === 'csv' ? 'Exporting…' : 'Export CSV'}
            </button>
            <button
              type="button"
              className="button"
              onClick={() => void exportLog('jsonl')}
              disabled={exporting !== undefined}
              title="Download every request the filters select, one JSON object a line"
            >
              {exporting === 'jsonl' ? 'Exporting…' : 'Export JSONL'}
            </button>
            <button
              type="button"
              className={`button live-toggle ${live ? 'on' : ''}`}
              aria-pressed={live}
              onClick={() => setLive(!live)}
              title={
                live
                  ? 'New requests appear as they end; click to pause'
                  : 'Paused; click to show new requests again'
              }
            >
              {live ? <span className="live-dot" aria-hidden="true" /> : <Icon name="pause" />}
              {live ? 'Live' : 'Paused'}
            </button>
          </>
        }
      />
      <form
        className="filter-bar"
        role="search"
        aria-label="Filter requests"
        onSubmit={(event) => event.preventDefault()}
      >
        {typed('text', 'Search', 'Request id, model or error text', 'search-field')}
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
          label="Route"
          fieldClassName="inline-field"
          value={filters.route}
          options={[
            { value: '', label: 'All routes' },
            ...(routes.data?.data.map((route) => ({ value: route.id, label: route.id })) ?? []),
          ]}
          onChange={(route) => setFilters({ ...filters, route })}
        />
        {typed('model', 'Model', 'Any model')}
        {typed('session', 'Session', 'Any session')}
        <SelectField
          label="Status"
          fieldClassName="inline-field"
          value={filters.status}
          options={[{ value: '', label: 'Any status' }, ...STATUSES]}
          onChange={(status) => setFilters({ ...filters, status })}
        />
        <TextField
          label="From (local time)"
          fieldClassName="inline-field"
          type="datetime-local"
          value={filters.from}
          onChange={(from) => setFilters({ ...filters, from })}
        />
        <TextField
          label="To (local time)"
          fieldClassName="inline-field"
          type="datetime-local"
          value={filters.to}
          onChange={(to) => setFilters({ ...filters, to })}
        />
        <div className="errors-only">
          <Check checked={filters.errors} onChange={(errors) => setFilters({ ...filters, errors })}>
            Errors only
          </Check>
        </div>
        {filtered && (
          <button
            type="button"
            className="button small"
            onClick={() => {
              setDrafts(NO_DRAFTS);
              setFilters(NO_FILTERS);
            }}
          >
            Clear filters
          </button>
        )}
      </form>
      {error && <Notice kind="error">{error}</Notice>}
      {unseen > 0 && (
        <button
          type="button"
          className="new-rows-pill"
          onClick={() => scroller()?.scrollTo({ top: 0, behavior: 'smooth' })}
        >
          ↑ {unseen} new {unseen === 1 ? 'request' : 'requests'}
        </button>
      )}
      {rows && rows.length === 0 ? (
        filtered ? (
          <EmptyState icon="requests" title="No request matches">
            <p>Nothing recorded matches these filters. New requests appear here as they end.</p>
          </EmptyState>
        ) : (
          <EmptyState icon="requests" title="No requests yet">
            <p>
              Requests appear here within a second of ending, with their tokens, cost and latency. To make
              one, <a href="#/apps?new=1">create an app key</a> and paste its set-up into a tool, or run the
              curl example shown with the key.
            </p>
          </EmptyState>
        )
      ) : (
        <div className="card table-card">
          {/* Scrolls sideways in a narrow window: its cells never wrap, and the card clips what overflows. */}
          <div className="requests-scroll">
            <DataTable
              ref={table}
              className="requests-table"
              columns={[
                'Time',
                'App',
                'Route',
                'Model',
                'Status',
                numeric('Tokens in / out'),
                numeric('Cost'),
                numeric('Latency'),
              ]}
              items={rows}
              skeletonRows={8}
            >
              {(row) => (
                <tr
                  key={row.id}
                  className={`clickable ${fresh.has(row.id) ? 'fresh' : ''} ${selected?.id === row.id ? 'selected' : ''}`}
                  onClick={() => setSelected(row)}
                >
                  <td>
                    <button
                      type="button"
                      className="link-button row-open"
                      onClick={() => setSelected(row)}
                      // The visible time starts the name, as speech input users say it (WCAG 2.5.3).
                      aria-label={`${formatStamp(row.time)}: details of the request at ${formatDateTime(row.time)}`}
                    >
                      <time dateTime={row.time} title={formatUtc(row.time)}>
                        {formatStamp(row.time)}
                      </time>
                    </button>
                  </td>
                  <td>{row.app ?? <span className="muted">—</span>}</td>
                  <td>
                    {row.route ?? <span className="muted">—</span>}
                    {fellBack(row) && (
                      <>
                        {' '}
                        <Badge>fallback</Badge>
                      </>
                    )}
                  </td>
                  {/* The model sent, as the filter and the charts name it, after the one asked for where a map or an
                      alias changed it; the vendor's name is in the title and the details. */}
                  <td className="model-cell" title={modelChain(row)}>
                    {row.requestedModel ? (
                      <>
                        {row.requestedModel} <span className="muted">→</span> {row.model}
                      </>
                    ) : (
                      (row.model ?? row.upstreamModel ?? <span className="muted">—</span>)
                    )}
                  </td>
                  <td>
                    <StatusBadge row={row} />
                  </td>
                  <td className="num">
                    {row.inputTokens === null && row.outputTokens === null ? (
                      <span className="muted">—</span>
                    ) : (
                      <>
                        {formatTokens(row.inputTokens)} <span className="muted">/</span>{' '}
                        {formatTokens(row.outputTokens)}
                      </>
                    )}
                  </td>
                  <td className="num">
                    {row.costUsd === null ? (
                      <span className="muted" title="Unknown price">
                        —
                      </span>
                    ) : (
                      money(row.costUsd)
                    )}
                  </td>
                  <td className="num">{formatMs(row.latencyMs)}</td>
                </tr>
              )}
            </DataTable>
          </div>
          {more && (
            <div className="table-footer">
              <button type="button" className="button" onClick={loadOlder} disabled={loadingMore}>
                {loadingMore ? 'Loading…' : 'Show older requests'}
              </button>
            </div>
          )}
        </div>
      )}
      {selected && <RequestDetail row={selected} onClose={() => setSelected(undefined)} />}
    </>
  );
}

/** Asked for → sent → as the vendor named it, where they differ; undefined when it is one name. */
function modelChain(row: RequestRow): string | undefined {
  const names = [row.requestedModel, row.model, row.upstreamModel].filter(
    (name, index, all): name is string => Boolean(name) && name !== all[index - 1],
  );
  return names.length > 1 ? names.join(' → ') : undefined;
}

/** Served (or last tried) by another route than the first one tried. */
const fellBack = (row: RequestRow): boolean =>
  row.attempts.length > 0 && row.attempts[0]!.route !== row.route;

/**
 * The upstream calls made for one request, in order; the last one's answer is the one the caller
 * got, so it is marked as the one that served (or, for a failed request, the one that ended it).
 */
function Attempts({ attempts, succeeded }: { attempts: readonly RequestAttempt[]; succeeded: boolean }) {
  // Four columns, each holding two lines, so that the table fits the drawer's width.
  return (
    <div className="attempts">
      <table className="table attempts-table">
        <caption className="sr-only">Upstream attempts, in the order they were made</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Route and model</th>
            <th scope="col">Status and error</th>
            <th scope="col" className="num">
              Duration
            </th>
          </tr>
        </thead>
        <tbody>
          {attempts.map((attempt, index) => {
            const last = index === attempts.length - 1;
            return (
              <tr key={index} className={last ? 'final-attempt' : undefined}>
                <td className="muted">{index + 1}</td>
                <td>
                  <span className="attempt-line">
                    {attempt.route}
                    {last && (
                      <>
                        {' '}
                        <Badge tone={succeeded ? 'good' : 'bad'}>{succeeded ? 'answered' : 'final'}</Badge>
                      </>
                    )}
                  </span>{' '}
                  <span className="attempt-line mono muted">{attempt.model ?? '—'}</span>
                </td>
                <td>
                  <span className="attempt-line">
                    {attempt.status === null ? (
                      'no answer'
                    ) : (
                      <Badge tone={statusTone(attempt.status)}>{attempt.status}</Badge>
                    )}
                  </span>
                  {attempt.errorCode && (
                    <>
                      {' '}
                      <span className="attempt-line mono muted">{attempt.errorCode}</span>
                    </>
                  )}
                </td>
                <td className="num">{formatMs(attempt.durationMs)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** The request's logged prompt and answer, where its route keeps them (body logging). */
function LoggedBodies({ id }: { id: string }) {
  const [bodies, setBodies] = useState<RequestBodies | 'off' | 'loading'>('loading');
  useEffect(() => {
    let live = true;
    requestBodies(id).then(
      (value) => live && setBodies(value ?? 'off'),
      () => live && setBodies('off'),
    );
    return () => {
      live = false;
    };
  }, [id]);
  if (bodies === 'loading') return null;
  if (bodies === 'off') {
    return (
      <p className="muted small">Bodies are not kept for this request: turn on body logging for its route.</p>
    );
  }
  return (
    <>
      <p>
        <a href={`#/playground?replay=${encodeURIComponent(id)}`}>Replay on another route or model</a>
        <span className="muted small"> — both answers side by side</span>
      </p>
      <RequestConversation request={bodies.request} response={bodies.response} />
    </>
  );
}

export function RequestDetail({ row, onClose }: { row: RequestRow; onClose: () => void }) {
  const translated = row.model !== null && row.upstreamModel !== null && row.model !== row.upstreamModel;
  const succeeded = row.status < 400;
  return (
    <Dialog title="Request" description={<code>{row.id}</code>} size="drawer" onClose={onClose}>
      <div className="detail">
        <div className="detail-status">
          <StatusBadge row={row} />
          <time className="muted" dateTime={row.time} title={formatUtc(row.time)}>
            {formatDateTime(row.time)}
          </time>
        </div>
        {(row.errorCode || row.errorMessage) && (
          <Notice kind={row.status >= 500 ? 'error' : 'warning'} title={row.errorCode ?? 'Error'}>
            {row.errorCode && (ERROR_TEXT[row.errorCode] ?? 'The vendor’s own error code, passed through.')}
            {row.errorMessage && (
              <>
                <span className="error-message-label">What the caller was told:</span>
                <q className="error-message">{row.errorMessage}</q>
              </>
            )}
            {row.retryAfter && (
              <span className="error-retry">
                Retry after {/^\d+$/.test(row.retryAfter) ? `${row.retryAfter} s` : row.retryAfter}
              </span>
            )}
          </Notice>
        )}
        {row.partial && (
          <Notice kind="warning" title="Partial">
            The stream was cut before it ended, by the caller or the vendor; its tokens may be estimated.
          </Notice>
        )}
        <h3>Where it went</h3>
        <dl className="detail-list">
          <dt>App</dt>
          <dd>{row.app ?? '—'}</dd>
          <dt>{row.attempts.length === 0 ? 'Route' : succeeded ? 'Served by' : 'Last tried'}</dt>
          <dd>
            {row.route ?? '—'}
            {row.vendor && <span className="muted"> · {row.vendor}</span>}
          </dd>
          <dt>Model asked for</dt>
          <dd className="mono">{row.requestedModel ?? row.model ?? '—'}</dd>
          {row.requestedModel && (
            <>
              <dt>Mapped to</dt>
              <dd className="mono">
                {row.model ?? '—'}
                <span className="muted"> (by a model map or alias)</span>
              </dd>
            </>
          )}
          <dt>Model used</dt>
          <dd className="mono">
            {row.upstreamModel ?? row.model ?? '—'}
            {translated && <span className="muted"> (as the vendor named it)</span>}
          </dd>
          <dt>Endpoint</dt>
          <dd>
            {row.endpoint}
            {row.stream && <Badge>stream</Badge>}
          </dd>
        </dl>
        {row.attempts.length > 0 && (
          <>
            <h3>Attempts</h3>
            <p className="muted small">
              {plural(row.attempts.length, 'upstream call')}, in order: retries and fallbacks before the first
              byte. The last one’s answer is what the caller got.
            </p>
            <Attempts attempts={row.attempts} succeeded={succeeded} />
          </>
        )}
        <h3>Timings</h3>
        <dl className="detail-list">
          <dt>Total</dt>
          <dd className="num">{formatMs(row.latencyMs)}</dd>
          <dt>First byte</dt>
          <dd className="num">{formatMs(row.ttfbMs)}</dd>
          {row.upstreamMs !== null && row.upstreamMs !== undefined && (
            <>
              <dt>The vendor</dt>
              <dd className="num">{formatMs(row.upstreamMs)}</dd>
              <dt>Switchboard itself</dt>
              <dd className="num">{formatMs(row.gatewayMs ?? null)}</dd>
            </>
          )}
        </dl>
        <h3>Tokens and cost</h3>
        <dl className="detail-list">
          <dt>Input</dt>
          <dd className="num">{formatTokens(row.inputTokens)}</dd>
          <dt>of which cached</dt>
          <dd className="num">{formatTokens(row.cachedInputTokens)}</dd>
          <dt>Output</dt>
          <dd className="num">{formatTokens(row.outputTokens)}</dd>
          <dt>of which reasoning</dt>
          <dd className="num">{formatTokens(row.reasoningTokens)}</dd>
          <dt>Cost</dt>
          <dd className="num">
            {row.costUsd === null ? (
              row.inputTokens === null ? (
                '—'
              ) : (
                <>
                  Unknown: no price for this model.{' '}
                  <a href={`#/settings?price=${encodeURIComponent(row.upstreamModel ?? row.model ?? '')}`}>
                    Add a price
                  </a>
                </>
              )
            ) : (
              formatUsd(row.costUsd)
            )}
          </dd>
        </dl>
        <h3>Bodies</h3>
        <LoggedBodies id={row.id} />
      </div>
    </Dialog>
  );
}
