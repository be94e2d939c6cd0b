import { randomBytes } from 'node:crypto';
import type { Catalog } from './catalog.ts';
import { priceRequest } from './policy/pricing.ts';
import type { Store } from './store/index.ts';
import type { Endpoint, RequestRecord } from './store/types.ts';
import { NO_USAGE, type Usage } from './vendors/types.ts';

/** What the pipeline learns about a request as it goes; becomes one row when the response closes. */
export interface RecordDraft {
  id: string;
  time: number;
  startedAt: number;
  app: string | null;
  route: string | null;
  vendor: string | null;
  vendorBaseUrl: string | null;
  model: string | null;
  upstreamModel: string | null;
  endpoint: Endpoint;
  stream: boolean;
  status: number;
  errorCode: string | null;
  usage: Usage;
  firstByteAt: number | null;
  partial: boolean;
  /** Set while a stream is still being relayed: the row waits for it, so a cut stream keeps its usage. */
  pending: Promise<void> | null;
  /** Settles what policy reserved for this request (budget, token window), with the real usage and cost. */
  settle: ((usage: Usage, costUsd: number | null) => void) | null;
}

let counter = 0;
const instance = randomBytes(3).toString('hex');

/** Sortable, unique request ids: time, process, counter. */
export function newRequestId(now: number): string {
  counter = (counter + 1) % 0x1000000;
  return `req_${now.toString(36)}${instance}${counter.toString(36).padStart(5, '0')}`;
}

export function newDraft(endpoint: Endpoint, now: number, startedAt: number): RecordDraft {
  return {
    id: newRequestId(now),
    time: now,
    startedAt,
    app: null,
    route: null,
    vendor: null,
    vendorBaseUrl: null,
    model: null,
    upstreamModel: null,
    endpoint,
    stream: false,
    status: 0,
    errorCode: null,
    usage: NO_USAGE,
    firstByteAt: null,
    partial: false,
    pending: null,
    settle: null,
  };
}

/** How long a row may wait to be written; readers (the admin API) flush first, so they never miss one. */
const FLUSH_INTERVAL_MS = 20;
const FLUSH_AT_ROWS = 512;

/**
 * Writes request rows off the request's path: rows queue up and are written together in one
 * transaction every few milliseconds (or when many wait, or at close), so recording adds no I/O
 * wait to a response and costs one commit per burst rather than one per request — a commit per
 * request was the largest item in the gateway's profile.
 */
export class Recorder {
  private queue: RequestRecord[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: Store,
    private readonly catalog: Catalog,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Queues the request's row; returns its cost (null: unknown). */
  add(draft: RecordDraft, endedAt: number): number | null {
    const route = draft.route === null ? undefined : this.catalog.routes.get(draft.route);
    const costUsd =
      route === undefined
        ? null
        : priceRequest(draft.usage, [draft.upstreamModel, draft.model], route, this.catalog.prices);
    this.queue.push({
      id: draft.id,
      time: draft.time,
      app: draft.app,
      route: draft.route,
      vendor: draft.vendor,
      model: draft.model,
      upstreamModel: draft.upstreamModel ?? draft.model,
      endpoint: draft.endpoint,
      stream: draft.stream,
      status: draft.status,
      errorCode: draft.errorCode,
      inputTokens: draft.usage.inputTokens,
      outputTokens: draft.usage.outputTokens,
      cachedInputTokens: draft.usage.cachedInputTokens,
      reasoningTokens: draft.usage.reasoningTokens,
      costUsd,
      latencyMs: round(endedAt - draft.startedAt),
      ttfbMs: draft.firstByteAt === null ? null : round(draft.firstByteAt - draft.startedAt),
      partial: draft.partial,
    });
    if (this.queue.length >= FLUSH_AT_ROWS) this.flush();
    else if (this.timer === null) {
      this.timer = setTimeout(() => this.flush(), FLUSH_INTERVAL_MS);
      this.timer.unref();
    }
    return costUsd;
  }

  flush(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    try {
      this.store.requests.insertMany(batch);
    } catch (error) {
      this.onError(error);
    }
  }
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;
