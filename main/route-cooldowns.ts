import type { RouteFailure, RouteHealthEvent } from '../gateway/index.ts';

/** A route the gateway skips until `until` (ms since the epoch), for the tray. */
export interface CoolingRoute {
  route: string;
  until: number;
  lastError: RouteFailure | null;
}

export interface RouteCooldownsOptions {
  /** The set of cooling routes changed: redraw the tray. */
  onChange(): void;
  now?: () => number;
}

/**
 * The routes cooling down, from the gateway's health events. A route leaves the set on its
 * 'healthy' event, or when its cooldown ends (a timer): the gateway probes it then and says
 * nothing until the probe answers, so the warning must not outlast the cooldown.
 */
export class RouteCooldowns {
  private readonly cooling = new Map<string, { route: CoolingRoute; timer: ReturnType<typeof setTimeout> }>();
  /** Routes already announced since they were last healthy: a failed probe re-cools without news. */
  private readonly announced = new Set<string>();
  private readonly now: () => number;

  constructor(private readonly options: RouteCooldownsOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Cooling routes, the one that cools longest last. */
  get routes(): CoolingRoute[] {
    return [...this.cooling.values()].map((entry) => entry.route).sort((a, b) => a.until - b.until);
  }

  /** Takes an event in; answers whether it is news for a notification (a route starting to cool down). */
  apply(event: RouteHealthEvent): boolean {
    this.drop(event.route);
    const until = event.until;
    if (event.state === 'healthy' || until === null || until <= this.now()) {
      if (event.state === 'healthy') this.announced.delete(event.route);
      this.options.onChange();
      return false;
    }
    const timer = setTimeout(() => {
      this.cooling.delete(event.route);
      this.options.onChange();
    }, until - this.now());
    this.cooling.set(event.route, {
      route: { route: event.route, until, lastError: event.lastError },
      timer,
    });
    this.options.onChange();
    if (this.announced.has(event.route)) return false;
    this.announced.add(event.route);
    return true;
  }

  /** The gateway stopped: its health book, and what it said, are gone. */
  clear(): void {
    for (const route of [...this.cooling.keys()]) this.drop(route);
    this.announced.clear();
  }

  private drop(route: string): void {
    const entry = this.cooling.get(route);
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    this.cooling.delete(route);
  }
}
