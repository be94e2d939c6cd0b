import type Router from '@koa/router';
import { GatewayError } from '../errors.ts';
import type { GatewayState } from '../http/context.ts';
import { budgetRules, type BudgetGuard } from '../policy/budgets.ts';
import { periodStart } from '../policy/periods.ts';
import type { Store } from '../store/index.ts';
import {
  HOUR_MS,
  type Bucket,
  type GroupBy,
  type LatencyBucket,
  type LatencyGroup,
  type LatencyPoint,
  type UsagePoint,
} from '../store/usage.ts';
import { csvField, csvNumber, inert } from './csv.ts';

export interface UsageAdminDeps {
  store: Store;
  budgets: BudgetGuard;
  now: () => number;
  flushRecords: () => void;
}

const BUCKETS: readonly Bucket[] = ['hour', 'day', 'week', 'month'];
const GROUPS: readonly GroupBy[] = ['app', 'route', 'model', 'none'];
const LATENCY_BUCKETS: readonly LatencyBucket[] = ['hour', 'day'];
const LATENCY_GROUPS: readonly LatencyGroup[] = ['model', 'route', 'none'];
const COMPARISON_GROUPS: readonly Exclude<LatencyGroup, 'none'>[] = ['model', 'route'];
const DAY_MS = 24 * HOUR_MS;

const point = (row: UsagePoint | LatencyPoint) => ({ ...row, start: new Date(row.start).toISOString() });

function time(value: unknown, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const parsed = typeof value === 'string' ? Date.parse(value) : NaN;
  if (Number.isNaN(parsed))
    throw new GatewayError(400, 'invalid_request', `${name}: an ISO 8601 date or time`, { param: name });
  return parsed;
}

function choice<T extends string>(value: unknown, allowed: readonly T[], name: string, fallback: T): T {
  if (value === undefined || value === '') return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new GatewayError(400, 'invalid_request', `${name}: one of ${allowed.join(', ')}`, { param: name });
}

/** Decimal places per numeric column of the CSV (the others are whole numbers). */
const CSV_DECIMALS: Partial<Record<string, number>> = { costUsd: 10, latencyMsAvg: 3 };

// The key is a name the client chose (a model's): quoted where needed, never a formula.
const csvCell = (value: unknown) => csvField(typeof value === 'string' ? inert(value) : String(value ?? ''));

/** Usage time series and the overview the dashboard opens on; all read from the hourly rollups. */
export function addUsageRoutes(router: Router<GatewayState>, deps: UsageAdminDeps): void {
  const { store } = deps;

  /** The period and the app and route filters every usage query takes; 30 days to now by default. */
  const filter = (query: Record<string, unknown>) => {
    deps.flushRecords();
    const now = deps.now();
    const text = (name: string) =>
      typeof query[name] === 'string' && query[name] !== '' ? (query[name] as string) : undefined;
    return {
      from: time(query['from'], 'from', now - 30 * DAY_MS),
      to: time(query['to'], 'to', now + HOUR_MS),
      app: text('app'),
      route: text('route'),
    };
  };

  const series = (query: Record<string, unknown>) =>
    store.usage.series({
      ...filter(query),
      bucket: choice(query['bucket'], BUCKETS, 'bucket', 'day'),
      groupBy: choice(query['groupBy'], GROUPS, 'groupBy', 'none'),
    });

  router.get('/usage', (ctx) => {
    ctx.body = { data: series(ctx.query).map(point) };
  });

  /** p50/p95/p99 latency and time to first token, and stream speed, per hour or day. */
  router.get('/usage/latency', (ctx) => {
    const { points, sample } = store.usage.latency.series({
      ...filter(ctx.query),
      bucket: choice(ctx.query['bucket'], LATENCY_BUCKETS, 'bucket', 'day'),
      groupBy: choice(ctx.query['groupBy'], LATENCY_GROUPS, 'groupBy', 'model'),
    });
    ctx.body = { data: points.map(point), sample };
  });

  /** "Which model is better for this?": one row per model or route over the period. */
  router.get('/usage/models', (ctx) => {
    const { rows, sample } = store.usage.latency.comparison({
      ...filter(ctx.query),
      groupBy: choice(ctx.query['groupBy'], COMPARISON_GROUPS, 'groupBy', 'model'),
    });
    ctx.body = { data: rows, sample };
  });

  router.get('/usage.csv', (ctx) => {
    const rows = series(ctx.query);
    const columns = [
      'start',
      'key',
      'requests',
      'errors',
      'inputTokens',
      'outputTokens',
      'cachedInputTokens',
      'reasoningTokens',
      'costUsd',
      'unpriced',
      'latencyMsAvg',
    ] as const;
    const lines = [
      columns.join(','),
      ...rows.map((row) =>
        columns
          .map((column) => {
            if (column === 'start') return csvCell(new Date(row.start).toISOString());
            const decimals = CSV_DECIMALS[column];
            const value = row[column];
            return decimals !== undefined && typeof value === 'number'
              ? csvNumber(value, decimals)
              : csvCell(value);
          })
          .join(','),
      ),
    ];
    ctx.type = 'text/csv; charset=utf-8';
    ctx.set('content-disposition', 'attachment; filename="switchboard-usage.csv"');
    ctx.body = `${lines.join('\n')}\n`;
  });

  /** "Is everything fine, and what did it cost?" in one answer. */
  router.get('/overview', (ctx) => {
    deps.flushRecords();
    const now = deps.now();
    const today = periodStart('day', now);
    const month = periodStart('month', now);
    const sum = (points: UsagePoint[]) =>
      points.reduce(
        (total, item) => ({
          requests: total.requests + item.requests,
          errors: total.errors + item.errors,
          costUsd: total.costUsd + item.costUsd,
          unpriced: total.unpriced + item.unpriced,
        }),
        { requests: 0, errors: 0, costUsd: 0, unpriced: 0 },
      );
    const todayTotals = sum(
      store.usage.series({ from: today, to: now + HOUR_MS, bucket: 'day', groupBy: 'none' }),
    );
    const monthTotals = sum(
      store.usage.series({ from: month, to: now + HOUR_MS, bucket: 'month', groupBy: 'none' }),
    );
    const rules = budgetRules(store.apps.list(), store.routes.list());
    ctx.body = {
      today: {
        ...todayTotals,
        errorRate: todayTotals.requests === 0 ? 0 : todayTotals.errors / todayTotals.requests,
        medianLatencyMs: store.requests.medianLatencySince(today),
      },
      month: monthTotals,
      last24h: store.usage
        .series({ from: now - 24 * HOUR_MS, to: now + HOUR_MS, bucket: 'hour', groupBy: 'none' })
        .map(point),
      last30d: store.usage
        .series({ from: today - 29 * DAY_MS, to: now + HOUR_MS, bucket: 'day', groupBy: 'none' })
        .map(point),
      budgets: deps.budgets.status(rules, now),
      alerts: store.budgets.alerts(10).map((alert) => ({
        ...alert,
        periodStart: new Date(alert.periodStart).toISOString(),
        createdAt: new Date(alert.createdAt).toISOString(),
      })),
      routes: store.routes.list().length,
      apps: store.apps.list().length,
    };
  });
}
