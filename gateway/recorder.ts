import { randomBytes } from 'node:crypto';
import type { Catalog } from './catalog.ts';
import type { BudgetGuard, Reservation } from './policy/budgets.ts';
import { priceRequest } from './policy/pricing.ts';
import { scrubSecrets } from './scrub.ts';
import { readJournal, type RowJournal } from './row-journal.ts';
import type { Store } from './store/index.ts';
import type { Attempt, Endpoint, RequestRecord } from './store/types.ts';
import { NO_USAGE, type Usage } from './formats/types.ts';
import { checkUsage } from './formats/usage-check.ts';

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
  /** The model as the client named it, where routing changed it (a model map, an alias). */
  requestedModel: string | null;
  /** The agent session and the tool that sent the request, where the client said them. */
  session: string | null;
  agent: string | null;
  upstreamModel: string | null;
  endpoint: Endpoint;
  stream: boolean;
  status: number;
  errorCode: string | null;
  /**
   * The error message the caller was told, where it was told one (the gateway's own, or the
   * vendor's); scrubbed and capped when the row is built. Null: none.
   */
  errorMessage: string | null;
  /** The `Retry-After` the caller was given with its error; null: none. */
  retryAfter: string | null;
  usage: Usage;
  firstByteAt: number | null;
  partial: boolean;
  /** Set while a stream is still being relayed: the row waits for it, so a cut stream keeps its usage. */
  pending: Promise<void> | null;
  /** Settles what policy reserved for this request (budget, token window), with the real usage and cost. */
  settle: ((usage: Usage, costUsd: number | null) => void) | null;
  /**
   * The request and answer as sent and received, kept only where the route logs bodies; its path
   * too (no query), so that a replay knows what was called: a token count is not a chat.
   */
  bodies: { request: string; response: string; path?: string } | null;
  /** Something the row's fields cannot say (a tool dropped, a limit hit); null: nothing. */
  note: string | null;
  /** Counts the request's input tokens, for a request cut before the vendor said them; set once the body is read. */
  countInput: (() => number) | null;
  /** Every upstream call made for the request, in order (the row keeps them when there was more than one). */
  attempts: Attempt[];
  /** The vendors' time so far (performance.now() ms), and when the call being read began; null: none. */
  upstreamMs: number | null;
  upstreamSince: number | null;
  /** The budget reservation itself, kept in the row journal so that a replayed row settles it. */
  reservation: Reservation | null;
  /**
   * The app's rate limits this request has been counted against already: a fallback route's
   * admission counts only that route's own limits, since the app sent one request, not two.
   */
  appRates: { rpm: boolean; tpm: boolean };
  /**
   * Writes the row now (once; later calls return the same promise). Stream relays await it before
   * they end the response, so that an answer is never complete before its row is durable.
   */
  commit: () => Promise<void>;
}

/** A call that failed held the request this long (ms): the vendor's time. */
export function addUpstreamTime(draft: RecordDraft, ms: number): void {
  draft.upstreamMs = (draft.upstreamMs ?? 0) + ms;
}

/** The answer being read has ended, whole or cut: the time since its call began was the vendor's. */
export function endUpstream(draft: RecordDraft, at: number = performance.now()): void {
  if (draft.upstreamSince === null) return;
  addUpstreamTime(draft, at - draft.upstreamSince);
  draft.upstreamSince = null;
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
    requestedModel: null,
    session: null,
    agent: null,
    upstreamModel: null,
    endpoint,
    stream: false,
    status: 0,
    errorCode: null,
    errorMessage: null,
    retryAfter: null,
    usage: NO_USAGE,
    firstByteAt: null,
    partial: false,
    pending: null,
    settle: null,
    bodies: null,
    note: null,
    countInput: null,
    attempts: [],
    upstreamMs: null,
    upstreamSince: null,
    reservation: null,
    appRates: { rpm: false, tpm: false },
    commit: () => Promise.resolve(),
  };
}

/** Without a journal, rows are written in one transaction per turn of the event loop (group commit). */
const FLUSH_AT_ROWS = 512;
/** With a journal, rows wait this long to be written together: they are durable meanwhile. */
const JOURNALED_FLUSH_MS = 20;

interface Queued {
  /** Null when the row could not be built: its settlement still runs. */
  record: RequestRecord | null;
  settle: RecordDraft['settle'];
  usage: Usage;
  resolve: (() => void) | null;
  /** Batches that failed to write it so far. */
  tries: number;
}

/** A row the database refused this many times waits in the journal for the next start. */
const MAX_TRIES = 3;

/**
 * Writes request rows so that an answer never completes before its row is durable, and the budget
 * ledger and the request log land or fail together. With a row journal (`serve` and the desktop
 * app), `commit` appends the row to the journal — one small write — and resolves at once; rows
 * and their budget settlements are then written to SQLite together every few milliseconds, and a
 * crash in between is repaired at the next start (`recover`). Without one (tests of the recorder
 * alone), `commit` resolves once the row's transaction at the end of this turn of the event loop
 * has committed. One commit per burst, never per request: that was the largest item in the
 * gateway's profile.
 */
export class Recorder {
  private queue: Queued[] = [];
  private bodies: { id: string; sealed: string; time: number }[] = [];
  private scheduled = false;
  private timer: NodeJS.Timeout | null = null;
  /** Requests under way whose rows are not committed yet. */
  private active = 0;
  /** Waiting for `active` to reach 0 (shutdown). */
  private idle: (() => void)[] = [];

  constructor(
    private readonly store: Store,
    private readonly catalog: Catalog,
    private readonly onError: (error: unknown) => void,
    /** Seals logged bodies before they reach the database (prompts can hold anything). */
    private readonly seal: (plaintext: string) => string = (plaintext) => plaintext,
    private readonly journal: RowJournal | null = null,
  ) {}

  /**
   * Queues the request's row and the settlement of what policy reserved for it; resolves once the
   * row is durable (or could not be made so: that is logged, never thrown — recording must not
   * take a request, let alone the process, down).
   */
  /** A request began: its row will be committed once. */
  began(): void {
    this.active++;
  }

  /**
   * Resolves once every request under way has committed its row, or after `timeoutMs`: at
   * shutdown, the rows of streams cut at the grace come in as their upstream calls end.
   */
  settled(timeoutMs: number): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.idle.push(done);
    });
  }

  commit(draft: RecordDraft, endedAt: number): Promise<void> {
    this.active = Math.max(0, this.active - 1);
    if (this.active === 0) for (const done of this.idle.splice(0)) done();
    let record: RequestRecord;
    let usage: Usage;
    let body: { id: string; sealed: string; time: number } | null = null;
    try {
      ({ record, usage } = this.toRecord(draft, endedAt));
      if (draft.bodies) {
        body = { id: draft.id, sealed: this.seal(JSON.stringify(draft.bodies)), time: draft.time };
      }
    } catch (error) {
      this.onError(error);
      // No row, but what was reserved is still settled (booked as unknown: nothing).
      return this.enqueue(
        { record: null, settle: draft.settle, usage: NO_USAGE, resolve: null, tries: 0 },
        null,
      );
    }
    if (this.journal) {
      // Alone (no other request under way), nothing could share the write: it goes out now.
      const durable = this.journal.append(
        { record, body, reservation: draft.reservation },
        this.active === 0,
      );
      void this.enqueue({ record, settle: null, usage, resolve: null, tries: 0 }, body);
      const settle = draft.settle;
      if (settle === null) return durable;
      // The budget is settled as soon as the row is durable, before the answer completes: the
      // next request must not find this one's worst case still held (the row's batch comes up to
      // 20 ms later). Should the process die before the batch, the replayed row's settlement
      // finds the reservation already released and books nothing twice.
      const costUsd = record.costUsd ?? null;
      return durable.then(() => {
        try {
          settle(usage, costUsd);
        } catch (error) {
          // The database refused (busy): the settlement goes with the next batch instead.
          this.onError(error);
          void this.enqueue({ record: null, settle, usage, resolve: null, tries: 0 }, null);
        }
      });
    }
    return this.enqueue({ record, settle: draft.settle, usage, resolve: null, tries: 0 }, body);
  }

  private enqueue(item: Queued, body: { id: string; sealed: string; time: number } | null): Promise<void> {
    this.queue.push(item);
    if (body) this.bodies.push(body);
    if (this.journal) {
      if (this.queue.length >= FLUSH_AT_ROWS) this.flush();
      else if (this.timer === null) {
        this.timer = setTimeout(() => this.flush(), JOURNALED_FLUSH_MS);
        this.timer.unref();
      }
      return Promise.resolve();
    }
    const done = new Promise<void>((resolve) => {
      item.resolve = resolve;
    });
    if (this.queue.length >= FLUSH_AT_ROWS) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    return done;
  }

  /**
   * Writes what a crash left in the journal: each row not yet in the database, with its budget
   * settlement, in one transaction. Call at start, before reservations left by the crash are swept.
   */
  recover(budgets: BudgetGuard, file: string): number {
    const entries = readJournal(file);
    let written = 0;
    let refused = 0;
    this.store.transaction(() => {
      for (const entry of entries) {
        try {
          // A savepoint each: a row that is already there (its batch committed) is skipped whole.
          this.store.transaction(() => {
            this.store.requests.insertBatch([entry.record], entry.body ? [entry.body] : []);
            if (entry.reservation)
              budgets.settle(entry.reservation, entry.record.costUsd ?? null, Date.now());
          });
          written++;
        } catch (error) {
          const code = (error as { code?: unknown }).code;
          if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') continue;
          refused++;
          this.onError(error);
        }
      }
    });
    // Rows the database refused for another reason stay in the journal for the next start.
    if (refused === 0) this.journal?.clear();
    return written;
  }

  private toRecord(draft: RecordDraft, endedAt: number): { record: RequestRecord; usage: Usage } {
    const notes: string[] = [];
    const checked = checkUsage(draft.usage);
    notes.push(...checked.problems);
    const usage = checked.usage;
    const route = draft.route === null ? undefined : this.catalog.routes.get(draft.route);
    let costUsd: number | null = null;
    if (route !== undefined) {
      try {
        costUsd = priceRequest(usage, [draft.upstreamModel, draft.model], route, this.catalog.prices);
      } catch (error) {
        // The price library refuses what it cannot price; the row is kept, its cost unknown.
        notes.push(
          `the cost could not be computed (${error instanceof Error ? error.message : String(error)})`,
        );
      }
    }
    if (
      costUsd === null &&
      draft.reservation !== null &&
      draft.reservation.amountUsd > 0 &&
      draft.status >= 200 &&
      draft.status < 400 &&
      usage.inputTokens === null &&
      usage.outputTokens === null
    ) {
      // An answer with no usage (an endpoint whose usage no reader knows) is not free: the budget
      // keeps what it reserved, and the row says so, so that the ledger and the log still agree.
      costUsd = draft.reservation.amountUsd;
      notes.push('the upstream reported no usage; recorded at the cost reserved for it');
    }
    if (draft.note !== null) notes.unshift(draft.note);
    const record: RequestRecord = {
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
      // Checked as strings, not trusted: a field set wrong must not cost the request its row.
      errorMessage:
        typeof draft.errorMessage === 'string'
          ? capBytes(scrubSecrets(draft.errorMessage, [route?.apiKey]), MAX_ERROR_MESSAGE_BYTES)
          : null,
      retryAfter: typeof draft.retryAfter === 'string' ? capBytes(scrubSecrets(draft.retryAfter), 100) : null,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      cachedInputTokens: usage.cachedInputTokens,
      reasoningTokens: usage.reasoningTokens,
      costUsd: costUsd !== null && Number.isFinite(costUsd) ? costUsd : null,
      latencyMs: round(endedAt - draft.startedAt),
      ttfbMs: draft.firstByteAt === null ? null : round(draft.firstByteAt - draft.startedAt),
      partial: draft.partial,
      note: notes.length === 0 ? null : notes.join('; ').slice(0, 1000),
      requestedModel: optionalText(draft.requestedModel, 300),
      session: optionalText(draft.session, 200),
      agent: optionalText(draft.agent, 50),
      attempts: draft.attempts.length > 1 ? draft.attempts : null,
      upstreamMs:
        draft.upstreamMs === null ? null : round(Math.min(draft.upstreamMs, endedAt - draft.startedAt)),
    };
    return { record, usage };
  }

  /** Writes every queued row now (readers such as the admin API call it first, so they never miss one). */
  flush(): void {
    this.scheduled = false;
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.queue.length === 0) return;
    const batch = this.queue;
    const bodies = this.bodies;
    this.queue = [];
    this.bodies = [];
    const failed: Queued[] = [];
    try {
      this.store.transaction(() => this.write(batch, bodies));
    } catch (error) {
      this.onError(error);
      // One bad row must not cost the others theirs: each alone, so that what can land lands.
      for (const item of batch) {
        try {
          this.store.transaction(() =>
            this.write(
              [item],
              bodies.filter((body) => body.id === item.record?.id),
            ),
          );
        } catch (single) {
          this.onError(single);
          failed.push(item);
        }
      }
    }
    if (failed.length === 0) {
      // Everything journaled so far was in this batch (all of it runs in this one synchronous call).
      try {
        this.journal?.clear();
      } catch (error) {
        this.onError(error);
      }
    } else if (this.journal) {
      // The database refused some rows (busy, full, read-only): they are tried again with the
      // next batches, up to a few times, and the journal is not emptied meanwhile.
      for (const item of failed) {
        if (item.record === null || item.tries >= MAX_TRIES) continue;
        item.tries++;
        this.queue.push(item);
        const body = bodies.find((candidate) => candidate.id === item.record?.id);
        if (body) this.bodies.push(body);
      }
      if (this.queue.length > 0 && this.timer === null) {
        this.timer = setTimeout(() => this.flush(), JOURNALED_FLUSH_MS);
        this.timer.unref();
      }
    }
    for (const item of batch) item.resolve?.();
  }

  private write(
    batch: readonly Queued[],
    bodies: readonly { id: string; sealed: string; time: number }[],
  ): void {
    this.store.requests.insertBatch(
      batch.flatMap((item) => (item.record === null ? [] : [item.record])),
      bodies,
    );
    for (const item of batch) {
      try {
        item.settle?.(item.usage, item.record?.costUsd ?? null);
      } catch (error) {
        // Its savepoint is rolled back; the reservation stays held until the next start sweeps it.
        this.onError(error);
      }
    }
  }
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/** A recorded error message keeps at most this much: enough for any vendor's message, not for an echoed prompt. */
export const MAX_ERROR_MESSAGE_BYTES = 4096;

const CUT_MARK = ' […]';

/** `text` cut to at most `limit` UTF-8 bytes, never inside a character, marked where it was cut. */
export function capBytes(text: string, limit: number): string {
  if (Buffer.byteLength(text) <= limit) return text;
  const room = limit - Buffer.byteLength(CUT_MARK);
  // A character cut in two decodes to U+FFFD: dropped, so the text ends on a whole character.
  const head = Buffer.from(text.slice(0, room))
    .subarray(0, room)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  return `${head}${CUT_MARK}`;
}

/** A client-given name for the row: checked as a string, scrubbed and capped, never trusted. */
function optionalText(value: unknown, maxBytes: number): string | null {
  return typeof value === 'string' && value !== '' ? capBytes(scrubSecrets(value), maxBytes) : null;
}
