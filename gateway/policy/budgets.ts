import type { Budget } from '../domain.ts';
import { GatewayError } from '../errors.ts';
import type { Store } from '../store/index.ts';
import type { AlertRecord, BudgetScope, Hold } from '../store/budgets.ts';
import { periodEnd, periodStart } from './periods.ts';

export interface BudgetRule {
  scope: BudgetScope;
  name: string;
  budget: Budget;
}

export interface Reservation {
  id: number;
  /** The request it is for: with the id, what a settlement releases. */
  requestId: string;
  amountUsd: number;
  holds: (Hold & { limitUsd: number })[];
}

export interface BudgetStatus {
  scope: BudgetScope;
  name: string;
  limitUsd: number;
  period: Budget['period'];
  spentUsd: number;
  reservedUsd: number;
  resetsAt: string;
}

export const ALERT_THRESHOLDS = [50, 80, 100] as const;

/** The budgets of these apps and routes, apps first: what a request must fit in, or what the admin API lists. */
export function budgetRules(
  apps: readonly { name: string; budget: Budget | null }[],
  routes: readonly { id: string; budget: Budget | null }[],
): BudgetRule[] {
  const rules: BudgetRule[] = [];
  for (const app of apps) if (app.budget) rules.push({ scope: 'app', name: app.name, budget: app.budget });
  for (const route of routes)
    if (route.budget) rules.push({ scope: 'route', name: route.id, budget: route.budget });
  return rules;
}

const money = (usd: number) => `$${usd < 0.01 && usd > 0 ? usd.toFixed(4) : usd.toFixed(2)}`;

/** Room left in a budget for one more request: the arithmetic admission rests on. */
export function fits(limitUsd: number, spentUsd: number, reservedUsd: number, estimateUsd: number): boolean {
  const committed = spentUsd + reservedUsd;
  // A request of unknown price (estimate 0) still needs some room left.
  return committed + estimateUsd <= limitUsd && committed < limitUsd;
}

/** The thresholds (percent) that spending from `before` to `after` crosses. */
export function crossedThresholds(limitUsd: number, before: number, after: number): number[] {
  return ALERT_THRESHOLDS.filter((threshold) => {
    const line = (limitUsd * threshold) / 100;
    return before < line && after >= line;
  });
}

/**
 * Budgets that cannot be overspent: a request is admitted only if every budget that applies (its
 * app's, its route's) has room for its most expensive outcome, decided and reserved in one
 * `BEGIN IMMEDIATE` transaction; the reservation is settled with the real cost when the request
 * ends, however it ends.
 */
export class BudgetGuard {
  constructor(
    private readonly store: Store,
    private readonly onAlert: (alert: Omit<AlertRecord, 'id'>) => void = () => undefined,
  ) {}

  /** Refuses with 429 `budget_exceeded`, or reserves `estimateUsd` (null: price unknown) in each budget. */
  admit(
    requestId: string,
    rules: readonly BudgetRule[],
    estimateUsd: number | null,
    now: number,
  ): Reservation | null {
    if (rules.length === 0) return null;
    const amountUsd = estimateUsd ?? 0;
    return this.store.transaction(() => {
      const holds = rules.map((rule) => ({
        scope: rule.scope,
        name: rule.name,
        periodStart: periodStart(rule.budget.period, now),
        limitUsd: rule.budget.usd,
      }));
      holds.forEach((hold, index) => {
        const usage = this.store.budgets.usage(hold);
        if (!fits(hold.limitUsd, usage.spentUsd, usage.reservedUsd, amountUsd)) {
          const rule = rules[index]!;
          const resets = new Date(periodEnd(rule.budget.period, now)).toISOString();
          const reserved =
            usage.reservedUsd > 0 ? ` (and ${money(usage.reservedUsd)} held by requests in flight)` : '';
          throw new GatewayError(
            429,
            'budget_exceeded',
            `The ${rule.scope} budget of "${rule.name}" (${money(hold.limitUsd)} per ${rule.budget.period}) cannot cover ` +
              `this request: ${money(usage.spentUsd)} spent${reserved}, this request may cost up to ${money(amountUsd)}. ` +
              `It resets at ${resets}.`,
            { type: 'insufficient_quota' },
          );
        }
      });
      for (const hold of holds) this.store.budgets.adjust(hold, 0, amountUsd);
      const id = this.store.budgets.reserve(requestId, amountUsd, holds, now);
      return { id, requestId, amountUsd, holds };
    });
  }

  /** The request ended: release its reservation and book what it really cost (null: unknown, books 0). */
  settle(reservation: Reservation, costUsd: number | null, now: number): void {
    const alerts: Omit<AlertRecord, 'id'>[] = [];
    this.store.transaction(() => {
      // Already released (by a sweep)? Then its holds were too.
      if (!this.store.budgets.release(reservation.id, reservation.requestId)) return;
      for (const hold of reservation.holds) {
        const before = this.store.budgets.usage(hold).spentUsd;
        this.store.budgets.adjust(hold, costUsd ?? 0, -reservation.amountUsd);
        // As the ledger holds it (rounded), so that alerts agree with what the dashboard shows.
        const after = this.store.budgets.usage(hold).spentUsd;
        for (const threshold of crossedThresholds(hold.limitUsd, before, after)) {
          const alert = { ...hold, threshold, spentUsd: after, createdAt: now };
          if (this.store.budgets.alert(alert)) alerts.push(alert);
        }
      }
    });
    for (const alert of alerts) this.onAlert(alert);
  }

  /** Releases reservations a crash left behind; returns how many. */
  sweep(): number {
    return this.store.transaction(() => {
      const left = this.store.budgets.reservations();
      for (const reservation of left) {
        for (const hold of reservation.holds) this.store.budgets.adjust(hold, 0, -reservation.amountUsd);
        this.store.budgets.release(reservation.id, reservation.requestId);
      }
      return left.length;
    });
  }

  status(rules: readonly BudgetRule[], now: number): BudgetStatus[] {
    return this.store.transaction(() =>
      rules.map((rule) => {
        const usage = this.store.budgets.usage({
          scope: rule.scope,
          name: rule.name,
          periodStart: periodStart(rule.budget.period, now),
        });
        return {
          scope: rule.scope,
          name: rule.name,
          limitUsd: rule.budget.usd,
          period: rule.budget.period,
          spentUsd: usage.spentUsd,
          reservedUsd: usage.reservedUsd,
          resetsAt: new Date(periodEnd(rule.budget.period, now)).toISOString(),
        };
      }),
    );
  }
}
