import { describe, expect, it } from 'vitest';
import {
  cooldownSettings,
  DEFAULT_COOLDOWN,
  RouteHealthBook,
  type RouteHealthEvent,
} from '../../../gateway/policy/route-health.ts';

/** A route's health on a fake clock: 3 failures in 60 s cool it for 30 s, then one probe decides. */
function book() {
  let now = 1_000_000;
  const events: RouteHealthEvent[] = [];
  const health = new RouteHealthBook(
    () => DEFAULT_COOLDOWN,
    () => now,
    (event) => events.push(event),
  );
  return {
    health,
    events,
    advance: (ms: number) => {
      now += ms;
    },
    now: () => now,
  };
}

const FAILURE = { status: 503, code: 'overloaded', message: 'Overloaded' };

describe('route health', () => {
  it('cools a route down after 3 failures within the window, and says until when', () => {
    const { health, events, advance, now } = book();
    health.failed('claude', FAILURE);
    advance(10_000);
    health.failed('claude', FAILURE);
    expect(health.admits('claude')).toBe(true);
    advance(10_000);
    health.failed('claude', FAILURE);
    expect(health.admits('claude')).toBe(false);
    expect(health.health('claude')).toMatchObject({
      state: 'cooling',
      until: now() + 30_000,
      recentFailures: 3,
      lastError: { time: now(), status: 503, code: 'overloaded' },
    });
    expect(events).toEqual([
      {
        route: 'claude',
        state: 'cooling',
        until: now() + 30_000,
        lastError: expect.objectContaining(FAILURE),
      },
    ]);
    // Other routes are not touched.
    expect(health.admits('gpt')).toBe(true);
  });

  it('forgets failures older than the window', () => {
    const { health, advance } = book();
    health.failed('claude', FAILURE);
    health.failed('claude', FAILURE);
    advance(61_000);
    health.failed('claude', FAILURE);
    expect(health.admits('claude')).toBe(true);
    expect(health.health('claude').recentFailures).toBe(1);
  });

  it('lets one probe through after the cooldown: its success heals the route', () => {
    const { health, events, advance } = book();
    for (let i = 0; i < 3; i++) health.failed('claude', FAILURE);
    advance(29_999);
    expect(health.admits('claude')).toBe(false);
    advance(1);
    expect(health.admits('claude')).toBe(true);
    // The probe is out: the rest still skip the route until it answers.
    expect(health.admits('claude')).toBe(false);
    health.succeeded('claude');
    expect(health.admits('claude')).toBe(true);
    expect(health.health('claude')).toMatchObject({ state: 'healthy', until: null, recentFailures: 0 });
    expect(events.map((event) => event.state)).toEqual(['cooling', 'healthy']);
  });

  it('cools the route again at once when its probe fails', () => {
    const { health, advance, now } = book();
    for (let i = 0; i < 3; i++) health.failed('claude', FAILURE);
    advance(30_000);
    expect(health.admits('claude')).toBe(true);
    health.failed('claude', FAILURE);
    expect(health.admits('claude')).toBe(false);
    expect(health.health('claude').until).toBe(now() + 30_000);
  });

  it('gives the probe back when it ended without an answer', () => {
    const { health, advance } = book();
    for (let i = 0; i < 3; i++) health.failed('claude', FAILURE);
    advance(30_000);
    expect(health.admits('claude')).toBe(true);
    health.released('claude');
    expect(health.admits('claude')).toBe(true);
  });

  it('leaves a busy route alone when its failures are a small share of its calls', () => {
    const { health } = book();
    for (let i = 0; i < 100; i++) health.succeeded('gpt');
    for (let i = 0; i < 5; i++) health.failed('gpt', FAILURE);
    expect(health.admits('gpt')).toBe(true);
    expect(health.health('gpt')).toMatchObject({ state: 'healthy', recentFailures: 5 });
    // Half or more of its calls failing, it cools.
    for (let i = 0; i < 100; i++) health.failed('gpt', FAILURE);
    expect(health.admits('gpt')).toBe(false);
  });

  it('is not ended by a call begun before the cooldown, only by one begun after it', () => {
    const { health, events, advance, now } = book();
    const before = now();
    advance(1_000);
    for (let i = 0; i < 3; i++) health.failed('claude', FAILURE);
    // A stream already under way when the route went bad finishes well: the route still cools.
    health.succeeded('claude', before);
    expect(health.health('claude').state).toBe('cooling');
    // A request with nowhere else to go tries it during the cooldown and is answered: it is well.
    advance(5_000);
    health.succeeded('claude', now());
    expect(health.health('claude').state).toBe('healthy');
    expect(events.map((event) => event.state)).toEqual(['cooling', 'healthy']);
  });

  it('reads its settings from the server section, in seconds', () => {
    expect(cooldownSettings(undefined)).toEqual(DEFAULT_COOLDOWN);
    expect(cooldownSettings({ failures: 5, windowSeconds: 10, seconds: 2 })).toEqual({
      failures: 5,
      windowMs: 10_000,
      cooldownMs: 2_000,
    });
  });
});
