import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../gateway/errors.ts';
import {
  backoffMs,
  DEFAULT_RETRY,
  retryAfterMs,
  retrySettings,
  verdictOf,
} from '../../../gateway/pipeline/retry.ts';

const error = (status: number, overQuota = false) =>
  new GatewayError(status, 'upstream_error', 'failed', { overQuota });

describe('what a failed attempt means', () => {
  it('retries no answer and the statuses that say try again', () => {
    expect(verdictOf({ status: null, error: error(502) })).toBe('retry');
    for (const status of [408, 429, 500, 502, 503, 504, 529])
      expect(verdictOf({ status, error: error(status) }), String(status)).toBe('retry');
  });

  it('gives every other answer to the client', () => {
    for (const status of [400, 401, 403, 404, 409, 413, 422, 501])
      expect(verdictOf({ status, error: error(status) }), String(status)).toBe('stop');
  });

  it("moves on at once from a call the gateway's timeouts ended: it took as long as one call may", () => {
    const timeout = new GatewayError(504, 'upstream_timeout', 'The upstream did not answer in time.');
    expect(verdictOf({ status: null, error: timeout })).toBe('next');
    // A vendor's own 504 is an answer that says try again.
    expect(verdictOf({ status: 504, error: timeout })).toBe('retry');
  });

  it('moves on at once from an account out of credit or over quota', () => {
    expect(verdictOf({ status: 402, error: error(402) })).toBe('next');
    expect(verdictOf({ status: 429, error: error(429, true) })).toBe('next');
    expect(verdictOf({ status: 400, error: error(400, true) })).toBe('next');
  });
});

describe('the wait between attempts', () => {
  it('reads Retry-After as seconds or as a date', () => {
    expect(retryAfterMs('2', 0)).toBe(2000);
    expect(retryAfterMs('0.5', 0)).toBe(500);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(retryAfterMs(new Date(1_000).toUTCString(), 4_000)).toBe(0);
    expect(retryAfterMs(undefined, 0)).toBeNull();
    expect(retryAfterMs('soon', 0)).toBeNull();
  });

  it('doubles from the base with jitter, up to the cap', () => {
    const settings = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffMs(1, null, settings, () => 0)).toBe(50);
    expect(backoffMs(1, null, settings, () => 1)).toBe(100);
    expect(backoffMs(3, null, settings, () => 1)).toBe(400);
    expect(backoffMs(10, null, settings, () => 1)).toBe(1000);
    expect(backoffMs(10, null, settings, () => 0)).toBe(500);
  });

  it('waits as long as Retry-After says, unless that passes the cap', () => {
    const settings = { ...DEFAULT_RETRY, maxDelayMs: 1000 };
    expect(backoffMs(1, 800, settings)).toBe(800);
    expect(backoffMs(1, 1001, settings)).toBeNull();
  });

  it('takes the route’s retries over the server’s, and the defaults under both', () => {
    expect(retrySettings(undefined, null)).toEqual({
      retries: 2,
      maxDelayMs: 8000,
      deadlineMs: 60_000,
      baseDelayMs: 250,
    });
    expect(retrySettings({ retries: 4, maxDelayMs: 10, deadlineMs: 99 }, 1)).toMatchObject({
      retries: 1,
      maxDelayMs: 10,
      deadlineMs: 99,
    });
    expect(retrySettings({ retries: 4 }, null).retries).toBe(4);
  });
});
