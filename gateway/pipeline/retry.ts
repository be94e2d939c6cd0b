import type { GatewayError } from '../errors.ts';

/*
 * What a failed upstream call means for the request, decided before any byte reached the client
 * (after that nothing is retried: the client has part of an answer). Retried on the same route:
 * no answer at all (a connection refused or reset, a body cut before its first byte) and the
 * statuses that say "try again": 408, 429, 500, 502, 503, 504, 529. Never retried: an answer that
 * says the account is out of credit or over quota (402, the vendors' billing and quota errors),
 * where waiting does not help, and a call the gateway's own timeouts ended, which already took as
 * long as the user allows one call: the next fallback is tried at once. Any other answer is the
 * client's to see: a 400 would be a 400 on every route.
 */

export interface RetrySettings {
  /** Retries on one route before its next fallback. */
  retries: number;
  /** The longest wait between two attempts; a longer `Retry-After` moves on to the next fallback. */
  maxDelayMs: number;
  /** No new attempt starts this long after the request arrived. */
  deadlineMs: number;
  /** The first backoff; each retry doubles it (with jitter). */
  baseDelayMs: number;
}

export const DEFAULT_RETRY: RetrySettings = {
  retries: 2,
  maxDelayMs: 8_000,
  deadlineMs: 60_000,
  baseDelayMs: 250,
};

const RETRIED_STATUSES = new Set([408, 429, 500, 502, 503, 504, 529]);

/** A failed attempt: the upstream's status where it answered (null: no answer), and the error the client would get. */
export interface AttemptFailure {
  status: number | null;
  error: GatewayError;
}

/** `retry` this route, try the `next` route, or `stop` and give the client this error. */
export type Verdict = 'retry' | 'next' | 'stop';

export function verdictOf(failure: AttemptFailure): Verdict {
  if (failure.error.overQuota || failure.status === 402) return 'next';
  if (failure.status === null) return failure.error.code === 'upstream_timeout' ? 'next' : 'retry';
  return RETRIED_STATUSES.has(failure.status) ? 'retry' : 'stop';
}

/** `Retry-After` in ms: delta-seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now: number): number | null {
  if (value === undefined || value.trim() === '') return null;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/**
 * The wait before retry number `retry` (1 for the first): exponential from the base with full
 * jitter (so that clients failing together do not come back together), or the upstream's
 * `Retry-After` where it says one. Null: the wait would pass `maxDelayMs`, so this route is done.
 */
export function backoffMs(
  retry: number,
  retryAfter: number | null,
  settings: RetrySettings,
  random: () => number = Math.random,
): number | null {
  if (retryAfter !== null) return retryAfter <= settings.maxDelayMs ? retryAfter : null;
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** The settings in force: the server section's `retry`, the route's own `retries` over it. */
export function retrySettings(
  server:
    | { retries?: number | undefined; maxDelayMs?: number | undefined; deadlineMs?: number | undefined }
    | undefined,
  routeRetries: number | null,
): RetrySettings {
  return {
    retries: routeRetries ?? server?.retries ?? DEFAULT_RETRY.retries,
    maxDelayMs: server?.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs,
    deadlineMs: server?.deadlineMs ?? DEFAULT_RETRY.deadlineMs,
    baseDelayMs: DEFAULT_RETRY.baseDelayMs,
  };
}
