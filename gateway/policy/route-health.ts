/*
 * Route health: a route whose upstream failed `failures` times within `windowMs`, failures being
 * at least half of its calls in that window, is cooling down for `cooldownMs`: requests skip it for
 * their fallbacks while it cools. (A busy route with a few failures among thousands of answers is
 * well; a local server that is down, or a vendor's bad minute, is not.) After the cooldown one
 * request is let through as a probe; its success makes the route healthy again, its failure starts
 * another cooldown. Only calls begun after the cooldown started can end it early: an older call
 * that succeeds late says nothing about the route now. Only failures that say the vendor is
 * unwell count (the retryable ones, and out-of-credit answers): a 400 for a bad request says
 * nothing about the route. Counts are kept in a few buckets per route, whatever the traffic. In
 * memory: a restart forgets a bad minute, which is what a user restarting expects.
 */

export interface CooldownSettings {
  /** Failures within the window that start a cooldown. */
  failures: number;
  windowMs: number;
  cooldownMs: number;
}

export const DEFAULT_COOLDOWN: CooldownSettings = { failures: 3, windowMs: 60_000, cooldownMs: 30_000 };

/** The server section's `cooldown` (seconds), over the defaults. */
export function cooldownSettings(
  config:
    | { failures?: number | undefined; windowSeconds?: number | undefined; seconds?: number | undefined }
    | undefined,
): CooldownSettings {
  return {
    failures: config?.failures ?? DEFAULT_COOLDOWN.failures,
    windowMs: config?.windowSeconds === undefined ? DEFAULT_COOLDOWN.windowMs : config.windowSeconds * 1000,
    cooldownMs: config?.seconds === undefined ? DEFAULT_COOLDOWN.cooldownMs : config.seconds * 1000,
  };
}

/** The last failure seen on a route, as the dashboard shows it. */
export interface RouteFailure {
  /** ms since the epoch. */
  time: number;
  /** The upstream's status, or null when it could not be reached or timed out before answering. */
  status: number | null;
  code: string;
  message: string;
}

export interface RouteHealth {
  state: 'healthy' | 'cooling';
  /** ms since the epoch when the cooldown ends, or null. */
  until: number | null;
  /** Failures within the current window. */
  recentFailures: number;
  lastError: RouteFailure | null;
}

/** A route starting or ending a cooldown, for the tray and notifications. */
export interface RouteHealthEvent {
  route: string;
  state: 'healthy' | 'cooling';
  until: number | null;
  lastError: RouteFailure | null;
}

/** Calls in one slice of the window. */
interface Bucket {
  slot: number;
  ok: number;
  failed: number;
}

/** The window is kept as this many slices. */
const BUCKETS = 20;

interface Entry {
  buckets: Bucket[];
  /** When the current cooldown began, and when it ends; null: not cooling. */
  coolingSince: number | null;
  coolingUntil: number | null;
  /** A probe is out after the cooldown: other requests keep skipping the route until it answers. */
  probing: boolean;
  lastError: RouteFailure | null;
}

export class RouteHealthBook {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly settings: () => CooldownSettings,
    private readonly now: () => number,
    private readonly onChange: (event: RouteHealthEvent) => void = () => {},
  ) {}

  private entry(route: string): Entry {
    let entry = this.entries.get(route);
    if (entry === undefined) {
      entry = { buckets: [], coolingSince: null, coolingUntil: null, probing: false, lastError: null };
      this.entries.set(route, entry);
    }
    return entry;
  }

  /**
   * Whether a request may try `route` now. A route past its cooldown admits one probe (this call
   * claims it); until the probe answers, the rest still skip it.
   */
  admits(route: string): boolean {
    const entry = this.entries.get(route);
    if (entry === undefined || entry.coolingUntil === null) return true;
    if (this.now() < entry.coolingUntil || entry.probing) return false;
    entry.probing = true;
    return true;
  }

  /**
   * Counts one call in the window. Every answer of every request passes here: buckets are pruned
   * only when a new slice of the window begins, so a call usually costs a lookup and an increment.
   */
  private count(entry: Entry, ok: boolean): void {
    const { windowMs } = this.settings();
    const size = Math.max(1, windowMs / BUCKETS);
    const slot = Math.floor(this.now() / size);
    let bucket = entry.buckets.at(-1);
    if (bucket?.slot !== slot) {
      entry.buckets = entry.buckets.filter((old) => old.slot > slot - BUCKETS);
      bucket = { slot, ok: 0, failed: 0 };
      entry.buckets.push(bucket);
    }
    if (ok) bucket.ok++;
    else bucket.failed++;
  }

  /**
   * The upstream answered a call begun at `startedAt`. It ends a cooldown when the call was begun
   * after the cooldown did (the probe, or a request with nowhere else to go), or once it is over.
   */
  succeeded(route: string, startedAt: number = this.now()): void {
    const entry = this.entry(route);
    this.count(entry, true);
    if (entry.coolingSince === null || entry.coolingUntil === null) return;
    if (startedAt < entry.coolingSince && this.now() < entry.coolingUntil) return;
    entry.buckets = [];
    entry.coolingSince = null;
    entry.coolingUntil = null;
    entry.probing = false;
    this.onChange({ route, state: 'healthy', until: null, lastError: entry.lastError });
  }

  /** The upstream failed in a way that says it is unwell. */
  failed(route: string, failure: Omit<RouteFailure, 'time'>): void {
    const settings = this.settings();
    const now = this.now();
    const entry = this.entry(route);
    entry.lastError = { time: now, ...failure };
    this.count(entry, false);
    const { ok, failed } = windowTotals(entry, now, settings.windowMs);
    // A failed probe cools the route again at once; otherwise the window decides.
    const unwell = failed >= settings.failures && failed >= ok;
    if (entry.probing || (unwell && (entry.coolingUntil === null || now >= entry.coolingUntil))) {
      entry.coolingSince = now;
      entry.coolingUntil = now + settings.cooldownMs;
      entry.probing = false;
      this.onChange({ route, state: 'cooling', until: entry.coolingUntil, lastError: entry.lastError });
    }
  }

  /** A probe that ended without an answer either way (the client left): the next request probes. */
  released(route: string): void {
    const entry = this.entries.get(route);
    if (entry !== undefined) entry.probing = false;
  }

  health(route: string): RouteHealth {
    const entry = this.entries.get(route);
    if (entry === undefined) return { state: 'healthy', until: null, recentFailures: 0, lastError: null };
    const now = this.now();
    const settings = this.settings();
    const cooling = entry.coolingUntil !== null && now < entry.coolingUntil;
    return {
      state: cooling ? 'cooling' : 'healthy',
      until: cooling ? entry.coolingUntil : null,
      recentFailures: windowTotals(entry, now, settings.windowMs).failed,
      lastError: entry.lastError,
    };
  }

  /** Forgets a route (deleted, or its settings changed). */
  forget(route: string): void {
    this.entries.delete(route);
  }
}

/** The calls of the window that ends `now`. */
function windowTotals(entry: Entry, now: number, windowMs: number): { ok: number; failed: number } {
  const first = Math.floor(now / Math.max(1, windowMs / BUCKETS)) - BUCKETS + 1;
  let ok = 0;
  let failed = 0;
  for (const bucket of entry.buckets) {
    if (bucket.slot < first) continue;
    ok += bucket.ok;
    failed += bucket.failed;
  }
  return { ok, failed };
}
