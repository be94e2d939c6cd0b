/**
 * What the admin API answers, derived from the gateway's own types where it exports them, so that a
 * change there fails the type-check here. Only types cross from gateway/: the dashboard talks HTTP.
 */
import type { appView, keyView, routeView } from '../../../gateway/admin/views.ts';
import type { ApplyResult } from '../../../gateway/config/apply.ts';
import type { Budget, VendorId } from '../../../gateway/domain.ts';
import type { BudgetStatus } from '../../../gateway/policy/budgets.ts';
import type { RouteFailure, RouteHealth as RouteHealthRecord } from '../../../gateway/policy/route-health.ts';
import type { AlertRecord } from '../../../gateway/store/budgets.ts';
import type { ModelMap, RateLimit, RequestRecord } from '../../../gateway/store/types.ts';
import type { Bucket, GroupBy, UsagePoint } from '../../../gateway/store/usage.ts';
import type { VendorPreset } from '../../../gateway/providers/presets.ts';

export type { Budget, BudgetStatus, Bucket, GroupBy, ModelMap, RateLimit, VendorId, VendorPreset };

/** A route's last upstream failure; its time as an ISO string. */
export type RouteError = Omit<RouteFailure, 'time'> & { time: string };

/** Whether requests reach a route now, or skip it for its fallbacks until `until` (ISO). */
export type RouteHealth = Omit<RouteHealthRecord, 'until' | 'lastError'> & {
  until: string | null;
  lastError: RouteError | null;
};

export type Route = Omit<ReturnType<typeof routeView>, 'health'> & {
  health: RouteHealth;
  unpricedModels?: string[];
};
export type AppKey = ReturnType<typeof keyView>;
export type App = ReturnType<typeof appView>;
export type CreatedApp = App & { key: string };
export type CreatedKey = AppKey & { key: string };

/** One upstream call made for a request: a retry or a fallback's, or the one that answered. */
export interface RequestAttempt {
  route: string;
  model: string | null;
  /** The upstream's status; null when it could not be reached or did not answer in time. */
  status: number | null;
  errorCode: string | null;
  durationMs: number;
}

/** Times travel as ISO strings; the gateway converts its epoch milliseconds in the views. */
export type RequestRow = Omit<RequestRecord, 'time' | 'errorMessage' | 'retryAfter' | 'attempts'> & {
  time: string;
  /** What the caller was told when the request failed (scrubbed, at most 4 KiB); null: nothing. */
  errorMessage: string | null;
  /** The `Retry-After` the caller was given with its error; null: none. */
  retryAfter: string | null;
  /**
   * The upstream calls in order when there was more than one (retries, fallbacks); the last is the
   * one whose answer the caller got. Empty when one call (or none) was made.
   */
  attempts: RequestAttempt[];
  /** The vendors' time (every upstream call) and Switchboard's own; null where no call was made. */
  upstreamMs?: number | null;
  gatewayMs?: number | null;
};
/**
 * The request log's filters as `GET /requests` and its exports (`/requests.csv`, `/requests.jsonl`)
 * take them; unset ones are left out. A type, not an interface, so that it passes as a query record.
 */
export type RequestSearch = {
  app?: string | undefined;
  route?: string | undefined;
  model?: string | undefined;
  session?: string | undefined;
  /** Text within the request id, a model name, the error code or the error message. */
  q?: string | undefined;
  status?: string | undefined;
  statusClass?: '1xx' | '2xx' | '3xx' | '4xx' | '5xx' | undefined;
  /** Only requests whose status is outside 2xx. */
  errors?: 'true' | undefined;
  /** ISO 8601 instants; from inclusive, to exclusive. */
  from?: string | undefined;
  to?: string | undefined;
};
export type UsageRow = Omit<UsagePoint, 'start'> & { start: string };
export type Alert = Omit<AlertRecord, 'periodStart' | 'createdAt'> & {
  periodStart: string;
  createdAt: string;
};

export interface Status {
  status: string;
  secrets: string;
  routes: number;
}

export interface Totals {
  requests: number;
  errors: number;
  costUsd: number;
  unpriced: number;
}

export interface Overview {
  today: Totals & { errorRate: number; medianLatencyMs: number | null };
  month: Totals;
  last24h: UsageRow[];
  last30d: UsageRow[];
  budgets: BudgetStatus[];
  alerts: Alert[];
  routes: number;
  apps: number;
}

export type FilterKind = 'block' | 'redact' | 'system-prompt' | 'max-tokens' | 'model' | 'script';

/** A filter as stored: its name, kind and the kind's fields, flat (the config-file form). */
export interface Filter {
  name: string;
  kind: FilterKind;
  source?: string;
  patterns?: string[];
  responses?: boolean;
  mode?: 'prepend' | 'append' | 'replace';
  text?: string;
  max?: number;
  aliases?: Record<string, string>;
  code?: string;
  timeoutMs?: number;
  memoryMb?: number;
  [field: string]: unknown;
}

export interface FilterList {
  data: Filter[];
  builtinPatternSets: string[];
}

export type FilterTestResult =
  | { blocked: false; forwarded: Record<string, unknown> }
  | { blocked: true; reason: string; problems?: string[] };

export type ConnectionTest =
  | { ok: true; model: string; answer: string; latencyMs: number }
  | { ok: false; status: number; code: string; message: string };

export interface Price {
  model: string;
  inputPerMTok: number;
  outputPerMTok: number;
  cachedInputPerMTok: number | null;
  source: string;
}

export interface Settings {
  host: string;
  port: number;
  dataDir: string;
  allowedHosts: string[];
  corsOrigins: string[];
  maxBodyMb: number;
  /** With a config file, its server section is applied again at every start. */
  managedByConfig?: boolean;
  secrets: string;
  version: string;
}

export type ConfigImportResult = ApplyResult;
/** The 409 `keys_would_be_dropped` answer of an import: whose stored keys it would remove. */
export interface DroppedKeys {
  routes: string[];
  apps: string[];
}
