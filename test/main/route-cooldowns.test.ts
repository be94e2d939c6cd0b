// @vitest-environment node
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RouteHealthEvent } from '../../gateway/index.ts';
import { RouteCooldowns } from '../../main/route-cooldowns.ts';

const NOW = Date.UTC(2025, 5, 9, 12, 0, 0);
const failure = { time: NOW, status: 529, code: 'overloaded_error', message: 'Overloaded' };

const cooling = (route: string, seconds: number): RouteHealthEvent => ({
  route,
  state: 'cooling',
  until: Date.now() + seconds * 1000,
  lastError: failure,
});
const healthy = (route: string): RouteHealthEvent => ({
  route,
  state: 'healthy',
  until: null,
  lastError: failure,
});

let changes: number;
let cooldowns: RouteCooldowns;

beforeEach(() => {
  vi.useFakeTimers({ now: NOW });
  changes = 0;
  cooldowns = new RouteCooldowns({ onChange: () => changes++ });
});

afterEach(() => {
  cooldowns.clear();
  vi.useRealTimers();
});

describe('the routes cooling down, as the tray tracks them', () => {
  it('holds a route from its cooling event until its healthy event', () => {
    expect(cooldowns.apply(cooling('claude', 30))).toBe(true);
    expect(cooldowns.routes).toEqual([{ route: 'claude', until: NOW + 30_000, lastError: failure }]);
    expect(changes).toBe(1);
    expect(cooldowns.apply(healthy('claude'))).toBe(false);
    expect(cooldowns.routes).toEqual([]);
    expect(changes).toBe(2);
  });

  it('lets a route go when its cooldown ends, even with no healthy event (the probe is still out)', () => {
    cooldowns.apply(cooling('claude', 30));
    vi.advanceTimersByTime(29_999);
    expect(cooldowns.routes).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(cooldowns.routes).toEqual([]);
    expect(changes).toBe(2);
  });

  it('announces a route once until it is healthy again: a failed probe re-cools it quietly', () => {
    expect(cooldowns.apply(cooling('claude', 30))).toBe(true);
    vi.advanceTimersByTime(30_000);
    // The probe failed: cooling again.
    expect(cooldowns.apply(cooling('claude', 30))).toBe(false);
    expect(cooldowns.routes.map((route) => route.route)).toEqual(['claude']);
    cooldowns.apply(healthy('claude'));
    expect(cooldowns.apply(cooling('claude', 30))).toBe(true);
  });

  it('keeps one timer per route: a new cooldown replaces the old one', () => {
    cooldowns.apply(cooling('claude', 10));
    cooldowns.apply(cooling('claude', 60));
    vi.advanceTimersByTime(10_000);
    expect(cooldowns.routes).toEqual([{ route: 'claude', until: NOW + 60_000, lastError: failure }]);
    expect(vi.getTimerCount()).toBe(1);
  });

  it('lists several routes, the soonest back first', () => {
    cooldowns.apply(cooling('gemini', 60));
    cooldowns.apply(cooling('claude', 30));
    expect(cooldowns.routes.map((route) => route.route)).toEqual(['claude', 'gemini']);
    vi.advanceTimersByTime(30_000);
    expect(cooldowns.routes.map((route) => route.route)).toEqual(['gemini']);
  });

  it('ignores a cooldown already over, and forgets everything when cleared', () => {
    expect(cooldowns.apply({ ...cooling('claude', 0), until: NOW - 1 })).toBe(false);
    expect(cooldowns.routes).toEqual([]);
    cooldowns.apply(cooling('claude', 30));
    cooldowns.clear();
    expect(cooldowns.routes).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
    // Cleared with the gateway that stopped: the next one's first cooldown is news again.
    expect(cooldowns.apply(cooling('claude', 30))).toBe(true);
  });
});
