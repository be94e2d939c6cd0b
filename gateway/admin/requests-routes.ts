import { Readable } from 'node:stream';
import type Router from '@koa/router';
import { GatewayError } from '../errors.ts';
import type { GatewayState } from '../http/context.ts';
import type { SecretBox } from '../secrets/types.ts';
import type { Store } from '../store/index.ts';
import type { RequestFilter } from '../store/requests.ts';
import type { RequestRecord } from '../store/types.ts';
import { csvField, csvNumber, inert } from './csv.ts';
import { notFound } from './errors.ts';
import { param } from './params.ts';
import { requestView } from './views.ts';

export interface RequestsAdminDeps {
  store: Store;
  secrets: SecretBox;
  flushRecords: () => void;
}

type Query = Record<string, string | string[] | undefined>;

/** Rows an export reads from the database at a time: its memory stays bounded whatever the log's size. */
const EXPORT_PAGE = 1000;
/** Longer search text than anyone types is a mistake, and would only make every row's match slower. */
const MAX_TEXT = 500;

function invalid(name: string, message: string): never {
  throw new GatewayError(400, 'invalid_request', `${name}: ${message}`, { param: name });
}

/** A query parameter's one value; undefined when it is missing or empty. */
function text(query: Query, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) invalid(name, 'give it once');
  return value === undefined || value === '' ? undefined : value;
}

/**
 * A point in time: a date (midnight UTC) or a date and time with its offset. A time without an
 * offset is refused rather than read in the gateway's own time zone, which the caller may not share.
 */
const INSTANT = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

function instant(query: Query, name: string): number | undefined {
  const value = text(query, name);
  if (value === undefined) return undefined;
  const time = INSTANT.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(time))
    invalid(name, 'an ISO 8601 date, or date and time with an offset (2026-12-07T09:30:00Z)');
  return time;
}

/** The filters every listing and export of the log shares, checked: a bad one is a 400 naming it. */
function requestFilter(query: Query): RequestFilter {
  const status = text(query, 'status');
  if (status !== undefined && !/^[1-5]\d\d$/.test(status)) invalid('status', 'an HTTP status code (100–599)');
  const statusClass = text(query, 'statusClass');
  if (statusClass !== undefined && !/^[1-5]xx$/.test(statusClass))
    invalid('statusClass', 'one of 2xx, 4xx, 5xx (or 1xx, 3xx)');
  const errors = text(query, 'errors');
  if (errors !== undefined && !['true', 'false'].includes(errors)) invalid('errors', 'true or false');
  const search = text(query, 'q')?.trim();
  if (search !== undefined && search.length > MAX_TEXT) invalid('q', `at most ${MAX_TEXT} characters`);
  const from = instant(query, 'from');
  const to = instant(query, 'to');
  if (from !== undefined && to !== undefined && to <= from) invalid('to', 'later than from');
  return {
    app: text(query, 'app'),
    route: text(query, 'route'),
    model: text(query, 'model'),
    session: text(query, 'session'),
    status: status === undefined ? undefined : Number(status),
    statusClass: statusClass === undefined ? undefined : Number(statusClass[0]),
    errors: errors === 'true',
    from,
    to,
    text: search === '' ? undefined : search,
  };
}

/** The export's columns: the recorded fields (CONTRACT §4) and what the details show, never a body. */
const CSV_COLUMNS = [
  'id',
  'time',
  'app',
  'route',
  'vendor',
  'model',
  'requestedModel',
  'upstreamModel',
  'endpoint',
  'stream',
  'status',
  'errorCode',
  'errorMessage',
  'retryAfter',
  'inputTokens',
  'outputTokens',
  'cachedInputTokens',
  'reasoningTokens',
  'costUsd',
  'latencyMs',
  'ttfbMs',
  'partial',
  'session',
  'agent',
  'attempts',
] as const;

function csvLine(view: ReturnType<typeof requestView>): string {
  return CSV_COLUMNS.map((column) => {
    const value = view[column];
    if (value === null || value === undefined) return '';
    if (column === 'attempts') return view.attempts.length === 0 ? '' : csvField(JSON.stringify(value));
    // Costs are products of token counts and prices: no float noise, no exponent form.
    if (column === 'costUsd' && typeof value === 'number') return csvNumber(value, 10);
    return csvField(typeof value === 'string' ? inert(value) : String(value));
  }).join(',');
}

/** The whole filtered log as text, produced a page at a time as the client reads it. */
function exported(
  store: Store,
  filter: RequestFilter,
  header: string | null,
  line: (record: RequestRecord) => string,
): Readable {
  return Readable.from(
    (function* () {
      if (header !== null) yield `${header}\n`;
      for (const records of store.requests.pages(filter, EXPORT_PAGE))
        yield records.map((record) => `${line(record)}\n`).join('');
    })(),
  );
}

/** The request log, newest first, its exports, one request, and its bodies where its route logs them. */
export function addRequestsRoutes(router: Router<GatewayState>, deps: RequestsAdminDeps): void {
  const { store, secrets } = deps;

  router.get('/requests', (ctx) => {
    const query = ctx.query;
    const filter = requestFilter(query);
    const limit = Math.min(Math.max(Number(text(query, 'limit') ?? 50) || 50, 1), 1000);
    deps.flushRecords();
    ctx.body = {
      data: store.requests.query({ ...filter, limit, before: text(query, 'before') }).map(requestView),
    };
  });

  router.get('/requests.csv', (ctx) => {
    const filter = requestFilter(ctx.query);
    deps.flushRecords();
    ctx.type = 'text/csv; charset=utf-8';
    ctx.set('content-disposition', 'attachment; filename="switchboard-requests.csv"');
    ctx.body = exported(store, filter, CSV_COLUMNS.join(','), (record) => csvLine(requestView(record)));
  });

  router.get('/requests.jsonl', (ctx) => {
    const filter = requestFilter(ctx.query);
    deps.flushRecords();
    ctx.type = 'application/x-ndjson; charset=utf-8';
    ctx.set('content-disposition', 'attachment; filename="switchboard-requests.jsonl"');
    ctx.body = exported(store, filter, null, (record) => JSON.stringify(requestView(record)));
  });

  /** A request's bodies, where its route logs them (opened from their sealed form); `logged: false` otherwise. */
  router.get('/requests/:id/bodies', (ctx) => {
    deps.flushRecords();
    const sealed = store.requests.sealedBodies(param(ctx, 'id'));
    if (sealed === undefined) {
      ctx.body = { logged: false };
      return;
    }
    const { request, response } = JSON.parse(secrets.open(sealed)) as { request: string; response: string };
    ctx.body = { logged: true, request, response };
  });

  /** One row by its id: the details view reads it without searching the log for its id. */
  router.get('/requests/:id', (ctx) => {
    deps.flushRecords();
    const id = param(ctx, 'id');
    ctx.body = requestView(store.requests.get(id) ?? notFound(`Request "${id}"`));
  });
}
