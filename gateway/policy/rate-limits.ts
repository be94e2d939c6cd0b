import { GatewayError } from '../errors.ts';
import type { RateLimit } from '../store/types.ts';

const WINDOW_MS = 60_000;

/** Events in the last minute, as (time, weight) pairs; old ones fall off as time moves. */
class SlidingWindow {
  private times: number[] = [];
  private weights: number[] = [];
  private head = 0;
  total = 0;

  trim(now: number): void {
    while (this.head < this.times.length && this.times[this.head]! <= now - WINDOW_MS) {
      this.total -= this.weights[this.head]!;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.weights = this.weights.slice(this.head);
      this.head = 0;
    }
  }

  add(now: number, weight: number): void {
    this.times.push(now);
    this.weights.push(weight);
    this.total += weight;
  }

  /** In ms from now, when enough events will have left the window for the total to drop below `limit`. */
  roomIn(now: number, limit: number): number {
    let total = this.total;
    for (let index = this.head; index < this.times.length; index++) {
      if (total < limit) break;
      total -= this.weights[index]!;
      if (total < limit) return Math.max(0, this.times[index]! + WINDOW_MS - now);
    }
    return 0;
  }
}

export interface RateRule {
  scope: 'app' | 'route';
  name: string;
  limit: RateLimit;
}

/**
 * Requests and tokens per minute, per app and per route, in a one-minute sliding window held in
 * memory (limits protect the vendor account from a runaway agent; they need no durability).
 * Tokens count the estimated input when admitted and the real output when the request ends.
 */
export class RateLimiter {
  private requests = new Map<string, SlidingWindow>();
  private tokens = new Map<string, SlidingWindow>();

  private window(map: Map<string, SlidingWindow>, key: string): SlidingWindow {
    let window = map.get(key);
    if (!window) {
      window = new SlidingWindow();
      map.set(key, window);
    }
    return window;
  }

  /** Refuses with 429 `rate_limited` and Retry-After, or counts the request (and its input tokens). */
  admit(rules: readonly RateRule[], inputTokens: number, now: number): void {
    for (const rule of rules) {
      const key = `${rule.scope}:${rule.name}`;
      if (rule.limit.rpm !== undefined) {
        const window = this.window(this.requests, key);
        window.trim(now);
        if (window.total + 1 > rule.limit.rpm)
          throw this.limited(rule, 'requests', rule.limit.rpm, window.roomIn(now, rule.limit.rpm));
      }
      if (rule.limit.tpm !== undefined) {
        const window = this.window(this.tokens, key);
        window.trim(now);
        if (window.total >= rule.limit.tpm)
          throw this.limited(rule, 'tokens', rule.limit.tpm, window.roomIn(now, rule.limit.tpm));
      }
    }
    for (const rule of rules) {
      const key = `${rule.scope}:${rule.name}`;
      if (rule.limit.rpm !== undefined) this.window(this.requests, key).add(now, 1);
      if (rule.limit.tpm !== undefined) this.window(this.tokens, key).add(now, inputTokens);
    }
  }

  /** Counts the output tokens of a request that has ended. */
  settle(rules: readonly RateRule[], outputTokens: number, now: number): void {
    for (const rule of rules) {
      if (rule.limit.tpm !== undefined && outputTokens > 0) {
        this.window(this.tokens, `${rule.scope}:${rule.name}`).add(now, outputTokens);
      }
    }
  }

  private limited(rule: RateRule, what: string, limit: number, retryInMs: number): GatewayError {
    const seconds = Math.max(1, Math.ceil(retryInMs / 1000));
    return new GatewayError(
      429,
      'rate_limited',
      `The ${rule.scope} "${rule.name}" is limited to ${limit} ${what} per minute; retry in ${seconds} s.`,
      { headers: { 'retry-after': String(seconds) } },
    );
  }
}
