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
  /** The request and answer as sent and received, kept only where the route logs bodies. */
  bodies: { request: string; response: string } | null;
}

/** A logged answer keeps at most this much (a long stream's tail is cut, and says so). */
export const MAX_LOGGED_BODY = 1024 * 1024;

/** Appends to a logged body, up to MAX_LOGGED_BODY. */
export function appendLoggedBody(draft: RecordDraft, text: string): void {
  if (!draft.bodies) return;
  const room = MAX_LOGGED_BODY - draft.bodies.response.length;
  if (room <= 0) return;
  draft.bodies.response += text.length <= room ? text : `${text.slice(0, room)}\n[cut at 1 MiB]`;
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
    bodies: null,
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
  private bodies: { id: string; sealed: string; time: number }[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: Store,
    private readonly catalog: Catalog,
    private readonly onError: (error: unknown) => void,
    /** Seals logged bodies before they reach the database (prompts can hold anything). */
    private readonly seal: (plaintext: string) => string = (plaintext) => plaintext,
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
    if (draft.bodies) {
      this.bodies.push({ id: draft.id, sealed: this.seal(JSON.stringify(draft.bodies)), time: draft.time });
    }
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
    const bodies = this.bodies;
    this.queue = [];
    this.bodies = [];
    try {
      this.store.requests.insertMany(batch, bodies);
    } catch (error) {
      this.onError(error);
    }
  }
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;
