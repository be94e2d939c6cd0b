import type { Db } from './database.ts';

export type BudgetScope = 'app' | 'route';

/** One budget's place in the ledger: whose, and which period. */
export interface Hold {
  scope: BudgetScope;
  name: string;
  periodStart: number;
}

export interface UsageRow {
  spentUsd: number;
  reservedUsd: number;
}

export interface AlertRecord {
  id: number;
  scope: BudgetScope;
  name: string;
  periodStart: number;
  threshold: number;
  spentUsd: number;
  limitUsd: number;
  createdAt: number;
}

/**
 * The spend ledger. Every statement here runs inside a transaction the caller opens (budget
 * admission and settlement are single `BEGIN IMMEDIATE` transactions), so concurrent requests, or
 * a second process on the same file, can never both take the last dollar.
 */
export function budgetsTable(db: Db) {
  const usage = db.prepare<[string, string, number], { spent_usd: number; reserved_usd: number }>(
    'SELECT spent_usd, reserved_usd FROM budget_usage WHERE scope = ? AND name = ? AND period_start = ?',
  );
  const create = db.prepare<[string, string, number, number]>(
    'INSERT INTO budget_usage (scope, name, period_start, spent_usd) VALUES (?, ?, ?, ?)',
  );
  const adjust = db.prepare<[number, number, string, string, number]>(
    // Rounded to a millionth of a cent: sums of binary fractions otherwise drift (0.57 becoming
    // 0.5700000000000001, a released reservation leaving 2.8e-17 behind).
    `UPDATE budget_usage SET spent_usd = ROUND(spent_usd + ?, 10), reserved_usd = MAX(ROUND(reserved_usd + ?, 10), 0)
     WHERE scope = ? AND name = ? AND period_start = ?`,
  );
  // Spend recorded before the budget existed (or before this period's ledger row) still counts.
  const recordedSpend = {
    app: db.prepare<[string, number], { total: number | null }>(
      'SELECT SUM(cost_usd) AS total FROM requests WHERE app = ? AND time >= ?',
    ),
    route: db.prepare<[string, number], { total: number | null }>(
      'SELECT SUM(cost_usd) AS total FROM requests WHERE route = ? AND time >= ?',
    ),
  };
  const insertReservation = db.prepare<[string, number, string, number]>(
    'INSERT INTO reservations (request_id, amount_usd, holds, created_at) VALUES (?, ?, ?, ?)',
  );
  // By id and request: a rowid can be given again once the largest one is deleted, and a request
  // replayed from the row journal must never release (and book) a later request's reservation.
  const deleteReservation = db.prepare<[number, string]>(
    'DELETE FROM reservations WHERE id = ? AND request_id = ?',
  );
  const allReservations = db.prepare<
    [],
    { id: number; request_id: string; amount_usd: number; holds: string }
  >('SELECT id, request_id, amount_usd, holds FROM reservations');
  const insertAlert = db.prepare(
    `INSERT OR IGNORE INTO alerts (scope, name, period_start, threshold, spent_usd, limit_usd, created_at)
     VALUES (@scope, @name, @periodStart, @threshold, @spentUsd, @limitUsd, @createdAt)`,
  );
  const listAlerts = db.prepare<[number], Record<string, number | string>>(
    'SELECT * FROM alerts ORDER BY id DESC LIMIT ?',
  );

  return {
    /** The ledger row for a budget's period, created (seeded from recorded spend) on first use. */
    usage(hold: Hold): UsageRow {
      let row = usage.get(hold.scope, hold.name, hold.periodStart);
      if (!row) {
        const seeded = recordedSpend[hold.scope].get(hold.name, hold.periodStart)?.total ?? 0;
        create.run(hold.scope, hold.name, hold.periodStart, seeded);
        row = { spent_usd: seeded, reserved_usd: 0 };
      }
      return { spentUsd: row.spent_usd, reservedUsd: row.reserved_usd };
    },
    adjust(hold: Hold, spentDelta: number, reservedDelta: number): void {
      adjust.run(spentDelta, reservedDelta, hold.scope, hold.name, hold.periodStart);
    },
    reserve(requestId: string, amountUsd: number, holds: readonly Hold[], now: number): number {
      return Number(insertReservation.run(requestId, amountUsd, JSON.stringify(holds), now).lastInsertRowid);
    },
    release(id: number, requestId: string): boolean {
      return deleteReservation.run(id, requestId).changes > 0;
    },
    reservations(): { id: number; requestId: string; amountUsd: number; holds: Hold[] }[] {
      return allReservations.all().map((row) => ({
        id: row.id,
        requestId: row.request_id,
        amountUsd: row.amount_usd,
        holds: JSON.parse(row.holds) as Hold[],
      }));
    },
    alert(alert: Omit<AlertRecord, 'id'>): boolean {
      return insertAlert.run(alert).changes > 0;
    },
    alerts(limit: number): AlertRecord[] {
      return listAlerts.all(limit).map((row) => ({
        id: Number(row['id']),
        scope: row['scope'] as BudgetScope,
        name: String(row['name']),
        periodStart: Number(row['period_start']),
        threshold: Number(row['threshold']),
        spentUsd: Number(row['spent_usd']),
        limitUsd: Number(row['limit_usd']),
        createdAt: Number(row['created_at']),
      }));
    },
  };
}
