export type Period = 'day' | 'week' | 'month';

/** The start of the calendar period (UTC) that `now` falls in; weeks start on Monday (ISO 8601). */
export function periodStart(period: Period, now: number): number {
  const date = new Date(now);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  const day = date.getUTCDate();
  if (period === 'month') return Date.UTC(year, month, 1);
  if (period === 'day') return Date.UTC(year, month, day);
  const sinceMonday = (date.getUTCDay() + 6) % 7;
  return Date.UTC(year, month, day - sinceMonday);
}

/** When the period that `now` falls in ends and the budget starts again from zero. */
export function periodEnd(period: Period, now: number): number {
  const start = new Date(periodStart(period, now));
  const year = start.getUTCFullYear();
  const month = start.getUTCMonth();
  const day = start.getUTCDate();
  if (period === 'month') return Date.UTC(year, month + 1, 1);
  if (period === 'day') return Date.UTC(year, month, day + 1);
  return Date.UTC(year, month, day + 7);
}
