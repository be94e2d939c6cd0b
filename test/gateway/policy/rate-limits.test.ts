import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../gateway/errors.ts';
import { RateLimiter } from '../../../gateway/policy/rate-limits.ts';
import type { RateRule } from '../../../gateway/policy/rate-limits.ts';

const T0 = 1_770_000_000_000;

function refusal(action: () => void): GatewayError {
  try {
    action();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

const rpm = (rpmLimit: number, name = 'agent', scope: 'app' | 'route' = 'app'): RateRule => ({
  scope,
  name,
  limit: { rpm: rpmLimit },
});
const tpm = (tpmLimit: number, name = 'agent'): RateRule => ({
  scope: 'app',
  name,
  limit: { tpm: tpmLimit },
});

describe('RateLimiter: requests per minute', () => {
  it('refuses the (rpm+1)th request in a minute with 429 rate_limited and a Retry-After of at least 1 s', () => {
    const limiter = new RateLimiter();
    for (let index = 0; index < 5; index++) limiter.admit([rpm(5)], 0, T0 + index * 1000);
    const error = refusal(() => limiter.admit([rpm(5)], 0, T0 + 5000));
    expect(error.status).toBe(429);
    expect(error.code).toBe('rate_limited');
    expect(error.message).toContain('app "agent"');
    expect(error.message).toContain('5 requests per minute');
    // The first request leaves the window at T0 + 60 s, 55 s from now.
    expect(error.headers['retry-after']).toBe('55');
  });

  it('gives Retry-After ≥ 1 even when the oldest request leaves within the second', () => {
    const limiter = new RateLimiter();
    limiter.admit([rpm(1)], 0, T0);
    const error = refusal(() => limiter.admit([rpm(1)], 0, T0 + 59_999));
    expect(Number(error.headers['retry-after'])).toBe(1);
  });

  it('slides: a request 60 s after the oldest is admitted again, one at a time', () => {
    const limiter = new RateLimiter();
    limiter.admit([rpm(2)], 0, T0);
    limiter.admit([rpm(2)], 0, T0 + 30_000);
    expect(() => limiter.admit([rpm(2)], 0, T0 + 59_999)).toThrow(GatewayError);
    limiter.admit([rpm(2)], 0, T0 + 60_000);
    const error = refusal(() => limiter.admit([rpm(2)], 0, T0 + 60_001));
    expect(error.headers['retry-after']).toBe('30');
    limiter.admit([rpm(2)], 0, T0 + 90_000);
  });

  it('counts refused requests for nothing', () => {
    const limiter = new RateLimiter();
    limiter.admit([rpm(1)], 0, T0);
    for (let index = 1; index < 50; index++)
      expect(() => limiter.admit([rpm(1)], 0, T0 + index * 1000)).toThrow();
    limiter.admit([rpm(1)], 0, T0 + 60_000);
  });

  it('keeps apps and routes apart, and a request must pass every rule that applies', () => {
    const limiter = new RateLimiter();
    const app = rpm(1, 'agent');
    const route = rpm(3, 'oa', 'route');
    limiter.admit([app, route], 0, T0);
    limiter.admit([rpm(1, 'other'), route], 0, T0);
    const error = refusal(() => limiter.admit([app, route], 0, T0 + 1));
    expect(error.message).toContain('app "agent"');
    // The refusal by the app's rule counted nothing against the route.
    limiter.admit([route], 0, T0 + 2);
    const byRoute = refusal(() => limiter.admit([route], 0, T0 + 3));
    expect(byRoute.message).toContain('route "oa"');
  });

  it('property: in any minute-long window, no more than rpm requests are admitted', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 1, maxLength: 80 }),
        (limit, gaps) => {
          const limiter = new RateLimiter();
          const admitted: number[] = [];
          let now = T0;
          for (const gap of gaps) {
            now += gap;
            try {
              limiter.admit([rpm(limit)], 0, now);
              admitted.push(now);
            } catch (error) {
              expect(error).toBeInstanceOf(GatewayError);
              const retry = Number((error as GatewayError).headers['retry-after']);
              expect(retry).toBeGreaterThanOrEqual(1);
              // Refused only when the last minute really holds `limit` requests.
              expect(admitted.filter((time) => time > now - 60_000)).toHaveLength(limit);
            }
          }
          for (const time of admitted) {
            expect(
              admitted.filter((other) => other >= time && other < time + 60_000).length,
            ).toBeLessThanOrEqual(limit);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('RateLimiter: tokens per minute', () => {
  it('counts input tokens at admission and output tokens at settlement', () => {
    const limiter = new RateLimiter();
    const rule = tpm(1000);
    limiter.admit([rule], 400, T0);
    limiter.admit([rule], 400, T0 + 1000);
    // 800 of 1000 used: one more is admitted…
    limiter.settle([rule], 150, T0 + 2000);
    limiter.admit([rule], 10, T0 + 3000);
    // …and its output takes the minute past the limit.
    limiter.settle([rule], 100, T0 + 4000);
    const error = refusal(() => limiter.admit([rule], 1, T0 + 5000));
    expect(error.status).toBe(429);
    expect(error.code).toBe('rate_limited');
    expect(error.message).toContain('1000 tokens per minute');
    expect(error.headers['retry-after']).toBe('55');
  });

  it('is refused by output tokens alone', () => {
    const limiter = new RateLimiter();
    const rule = tpm(100);
    limiter.admit([rule], 0, T0);
    limiter.admit([rule], 0, T0 + 1);
    limiter.settle([rule], 100, T0 + 10_000);
    const error = refusal(() => limiter.admit([rule], 0, T0 + 20_000));
    expect(error.code).toBe('rate_limited');
    expect(Number(error.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Not asserted (reported): Retry-After is when the oldest event leaves (the 0-token admissions
    // at T0, so 40 s), though the tokens only fall below the limit when the output counted at
    // T0 + 10 s leaves, 50 s from now; a client that obeys 40 s is refused again.
    expect(() => limiter.admit([rule], 0, T0 + 60_000)).toThrow(GatewayError);
    limiter.admit([rule], 0, T0 + 70_000);
  });

  it('forgets tokens older than a minute', () => {
    const limiter = new RateLimiter();
    const rule = tpm(100);
    limiter.admit([rule], 100, T0);
    expect(() => limiter.admit([rule], 1, T0 + 59_999)).toThrow(GatewayError);
    limiter.admit([rule], 100, T0 + 60_000);
    limiter.settle([rule], 50, T0 + 61_000);
    expect(() => limiter.admit([rule], 1, T0 + 119_999)).toThrow(GatewayError);
    limiter.admit([rule], 1, T0 + 121_000);
  });

  it('ignores the token count of rules without a tpm, and rpm without an rpm', () => {
    const limiter = new RateLimiter();
    for (let index = 0; index < 100; index++) limiter.admit([rpm(1000)], 1_000_000, T0 + index);
    limiter.settle([rpm(1000)], 1_000_000, T0 + 100);
    for (let index = 0; index < 100; index++) limiter.admit([tpm(1_000_000)], 1, T0 + index);
  });

  it('a refusal by tpm counts no request against rpm', () => {
    const limiter = new RateLimiter();
    const both: RateRule = { scope: 'app', name: 'agent', limit: { rpm: 2, tpm: 10 } };
    limiter.admit([both], 10, T0);
    expect(() => limiter.admit([both], 1, T0 + 1)).toThrow(GatewayError);
    expect(() => limiter.admit([both], 1, T0 + 2)).toThrow(GatewayError);
    limiter.admit([{ ...both, limit: { rpm: 2 } }], 0, T0 + 3);
    const error = refusal(() => limiter.admit([{ ...both, limit: { rpm: 2 } }], 0, T0 + 4));
    expect(error.message).toContain('2 requests per minute');
  });
});
