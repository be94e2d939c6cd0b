import type { RuntimeRoute } from '../catalog.ts';
import { GatewayError } from '../errors.ts';
import { NO_USAGE } from '../formats/types.ts';
import type { GatewayContext } from '../http/context.ts';
import type { RouteHealthBook } from '../policy/route-health.ts';
import { addUpstreamTime, endUpstream, type RecordDraft } from '../recorder.ts';
import { backoffMs, retryAfterMs, verdictOf, type AttemptFailure, type RetrySettings } from './retry.ts';
import { VendorAnswerError } from './upstream.ts';

/*
 * A request's upstream calls: its route first, then the route's fallbacks in order; on each, the
 * first call and its retries. Everything here happens before the first byte reaches the client:
 * an attempt is over when its answer is whole (a non-streamed one) or has shown its first byte
 * (a stream), and only then does the client hear anything. A route cooling down is skipped while
 * another can be tried. Every call is noted on the draft for the row.
 */

/** One way to serve the request on one route, admitted by policy and ready to send as often as retries need. */
export interface Plan<Ready = unknown> {
  route: RuntimeRoute;
  /** The model sent; null where the call names none (a pass-through that lists models, or lets the server pick). */
  model: string | null;
  /** Sends one call; resolves once it can be answered from, throws an {@link AttemptError} (or a GatewayError) if not. */
  attempt(controller: AbortController): Promise<Ready>;
  /** Answers the client from a call that succeeded. */
  answer(ready: Ready): Promise<void>;
}

/** An attempt that failed, with what the client gets if it is the last: an error, or (pass-through) the vendor's own answer. */
export class AttemptError extends Error {
  constructor(
    readonly failure: AttemptFailure,
    /** Passes the vendor's failed answer on as it came, where the client speaks the vendor's format. */
    readonly answer?: () => Promise<void>,
  ) {
    super(failure.error.message);
    this.name = 'AttemptError';
  }
}

export interface AttemptDeps {
  health: RouteHealthBook;
  retry: (route: RuntimeRoute) => RetrySettings;
  now: () => number;
  /** Waits `ms`, or less when `signal` aborts (the client left). */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** A candidate route, planned only when its turn comes (its admission reserves budget). */
export interface Candidate {
  route: RuntimeRoute;
  plan: () => Plan;
}

function failureOf(thrown: unknown): AttemptError {
  if (thrown instanceof AttemptError) return thrown;
  // The vendor answered with an error status: its status says whether trying again can help.
  if (thrown instanceof VendorAnswerError)
    return new AttemptError({ status: thrown.upstreamStatus, error: thrown });
  if (thrown instanceof GatewayError) return new AttemptError({ status: null, error: thrown });
  throw thrown;
}

/** A controller aborted when the client goes away before its answer is whole, and a way to stop watching. */
function untilClientLeaves(ctx: GatewayContext): { controller: AbortController; release(): void } {
  const controller = new AbortController();
  const onClose = () => {
    if (!ctx.res.writableFinished) controller.abort();
  };
  ctx.res.once('close', onClose);
  return { controller, release: () => ctx.res.off('close', onClose) };
}

const clientClosed = () => new GatewayError(499, 'client_closed', 'The client closed the connection.');

/**
 * Serves the request from the first candidate that answers. The primary's planning errors (policy
 * refusals) reach the client; a fallback that policy refuses is skipped, and the row's note says so.
 */
export async function serveFromCandidates(
  ctx: GatewayContext,
  deps: AttemptDeps,
  draft: RecordDraft,
  candidates: readonly Candidate[],
): Promise<void> {
  let last: AttemptError | null = null;
  const skipped: string[] = [];
  for (const [index, candidate] of candidates.entries()) {
    const { route } = candidate;
    const lastChance = index === candidates.length - 1 && draft.attempts.length === 0;
    if (!deps.health.admits(route.id) && !lastChance) {
      skipped.push(`${route.id} (cooling down)`);
      continue;
    }
    let plan: Plan;
    try {
      if (index > 0) releaseAdmission(draft);
      plan = candidate.plan();
    } catch (error) {
      deps.health.released(route.id);
      if (index === 0 || !(error instanceof GatewayError)) throw error;
      skipped.push(`${route.id} (${error.code})`);
      continue;
    }
    const settings = deps.retry(route);
    for (let retry = 0; ; retry++) {
      if (ctx.res.destroyed) {
        deps.health.released(route.id);
        throw clientClosed();
      }
      const { controller, release } = untilClientLeaves(ctx);
      const started = deps.now();
      const sent = performance.now();
      draft.route = route.id;
      draft.vendor = route.vendor;
      draft.model = plan.model;
      let ready: unknown;
      try {
        ready = await plan.attempt(controller);
      } catch (thrown) {
        // This call is over: its watch on the client goes, so that retries do not pile listeners up.
        release();
        addUpstreamTime(draft, performance.now() - sent);
        let failed: AttemptError;
        try {
          failed = failureOf(thrown);
        } catch (bug) {
          // Not a failure the route could have caused (a bug): its probe, if it held one, is given back.
          deps.health.released(route.id);
          throw bug;
        }
        const { failure } = failed;
        draft.attempts.push({
          route: route.id,
          model: plan.model,
          status: failure.status,
          errorCode: failure.error.code,
          durationMs: deps.now() - started,
        });
        if (controller.signal.aborted && ctx.res.destroyed) {
          deps.health.released(route.id);
          throw clientClosed();
        }
        const verdict = verdictOf(failure);
        if (verdict === 'stop') {
          // The vendor answered, and said no to this request: the route itself is well.
          deps.health.succeeded(route.id, started);
          return finish(failed, skipped, draft);
        }
        deps.health.failed(route.id, {
          status: failure.status,
          code: failure.error.code,
          message: failure.error.message,
        });
        last = failed;
        if (verdict === 'next' || retry >= settings.retries) break;
        const wait = backoffMs(
          retry + 1,
          retryAfterMs(failure.error.headers['retry-after'], deps.now()),
          settings,
        );
        if (wait === null || deps.now() + wait - draft.time > settings.deadlineMs) break;
        // A client that leaves during the wait ends it (and the request) at once.
        if (!ctx.res.destroyed) {
          const waiting = untilClientLeaves(ctx);
          await deps.sleep(wait, waiting.controller.signal);
          waiting.release();
        }
        continue;
      }
      draft.attempts.push({
        route: route.id,
        model: plan.model,
        status: statusOf(ready),
        errorCode: null,
        durationMs: deps.now() - started,
      });
      deps.health.succeeded(route.id, started);
      noteSkipped(draft, skipped);
      ctx.set('x-switchboard-route', route.id);
      ctx.set('x-switchboard-model', headerText(plan.model ?? route.defaultModel ?? ''));
      // A stream's call lasts until its relay reads the end; a whole answer's, until it was read.
      const readAt = performance.now();
      draft.upstreamSince = sent;
      try {
        return await plan.answer(ready);
      } finally {
        endUpstream(draft, readAt);
      }
    }
    if (deps.now() - draft.time > settings.deadlineMs) break;
  }
  if (last === null) {
    throw new GatewayError(503, 'upstream_error', `No route could take the request: ${skipped.join(', ')}.`);
  }
  return finish(last, skipped, draft);
}

/**
 * A model name as a header value: the client chose it, and a route without an allow-list takes
 * any string. Visible ASCII goes as it is; anything else (a line break, a control character, a
 * letter outside ASCII) percent-encoded, so that no name can split or fail the answer's headers.
 */
function headerText(text: string): string {
  return /^[\x21-\x7e]*$/.test(text) ? text : encodeURIComponent(text);
}

/** The status of a call that succeeded, where its ready value says it (every plan's does). */
function statusOf(ready: unknown): number | null {
  const status = (ready as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : null;
}

function noteSkipped(draft: RecordDraft, skipped: readonly string[]): void {
  if (skipped.length === 0) return;
  const note = `skipped: ${skipped.join(', ')}`;
  draft.note = draft.note === null ? note : `${draft.note}; ${note}`;
}

/** The last failure, as the client gets it: the vendor's own answer where it is passed through, else the error. */
async function finish(failed: AttemptError, skipped: readonly string[], draft: RecordDraft): Promise<void> {
  noteSkipped(draft, skipped);
  if (failed.answer) return failed.answer();
  throw failed.failure.error;
}

/** What the previous route's admission reserved, released before the next route's is taken. */
function releaseAdmission(draft: RecordDraft): void {
  draft.settle?.(NO_USAGE, 0);
  draft.settle = null;
  draft.reservation = null;
}
