/**
 * Numbers the way UX.md asks: money with two decimals (more below a cent, so a $0.0004 request
 * does not read as free), tokens with thousands separators, unknown as a dash, never as zero.
 * en-US throughout: the amounts are US dollars, and the tables must line up the same everywhere.
 */

const DASH = '—';

const usd2 = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});
const usdSmall = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumSignificantDigits: 1,
  maximumSignificantDigits: 2,
});
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

export function formatUsd(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  const size = Math.abs(value);
  if (size > 0 && size < 0.01) return usdSmall.format(value);
  return usd2.format(value);
}

/** Fraction digits for money: fixed ones cached, since a table asks for one format many times. */
const usdFixed = new Map<number, Intl.NumberFormat>();
function usdWith(digits: number): Intl.NumberFormat {
  let format = usdFixed.get(digits);
  if (!format) {
    format = new Intl.NumberFormat('en-US', {
      style: 'currency',
      currency: 'USD',
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
    usdFixed.set(digits, format);
  }
  return format;
}

/** The most decimals a money column shows: a millionth of a dollar is below any request's price. */
const MAX_USD_DIGITS = 6;

/**
 * One money format for a whole table column: every row gets as many decimals as its smallest
 * non-zero amount needs to show two significant digits (two at least), so that the amounts line
 * up and compare at a glance instead of one row reading $0.0066 and the next $1.20.
 */
export function usdColumn(
  values: Iterable<number | null | undefined>,
): (value: number | null | undefined) => string {
  let smallest = Infinity;
  for (const value of values) {
    if (value === null || value === undefined || !Number.isFinite(value) || value === 0) continue;
    smallest = Math.min(smallest, Math.abs(value));
  }
  const digits =
    smallest >= 0.01 ? 2 : Math.min(MAX_USD_DIGITS, Math.max(2, Math.ceil(-Math.log10(smallest) - 1e-9) + 1));
  const format = usdWith(digits);
  return (value) =>
    value === null || value === undefined || !Number.isFinite(value) ? DASH : format.format(value);
}

/** Round ticks from 0 to at least `max` and their step; 0 and 1 (a step of 1) when there is no `max`. */
function roundTicks(max: number, count: number): { ticks: number[]; step: number } {
  if (!Number.isFinite(max) || max <= 0) return { ticks: [0, 1], step: 1 };
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((multiple) => multiple * power >= raw * (1 - 1e-9)) ?? 10) * power;
  const ticks: number[] = [];
  for (let index = 0; ticks.length === 0 || ticks.at(-1)! < max * (1 - 1e-9); index++)
    ticks.push(Number((index * step).toPrecision(12)));
  return { ticks, step };
}

/**
 * Round axis ticks from 0 to at least `max`: steps of 1, 2, 2.5 or 5 times a power of ten, so that
 * a latency axis reads 0, 500 ms, 1 s, 1.5 s rather than wherever the data happened to end.
 */
export const niceTicks = (max: number, count = 4): number[] => roundTicks(max, count).ticks;

/**
 * A money axis on `niceTicks`, with one label format for every tick, as many decimals as the step
 * needs (two below a dollar), so that no two ticks read the same ($0.015 and $0.02 both as "$0.02")
 * and all line up.
 */
export function moneyAxis(max: number, count = 4): { ticks: number[]; format: (value: number) => string } {
  const { ticks, step } = roundTicks(max, count);
  if (step >= 1000) return { ticks, format: (value) => (value === 0 ? '$0' : `$${compact.format(value)}`) };
  // Decimals that write the step exactly (2.5 → 1, 0.005 → 3), two at least below a dollar.
  let exact = 0;
  while (exact < MAX_USD_DIGITS && Math.abs(step * 10 ** exact - Math.round(step * 10 ** exact)) > 1e-6)
    exact++;
  const digits = Math.min(MAX_USD_DIGITS, step < 1 ? Math.max(2, exact) : exact === 0 ? 0 : 2);
  const format = usdWith(digits);
  return { ticks, format: (value) => format.format(value) };
}

export function formatTokens(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return integer.format(value);
}

export function formatCount(value: number | null | undefined): string {
  return formatTokens(value);
}

export function formatCompact(value: number): string {
  return compact.format(value);
}

export function formatMs(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  if (value < 1000) return `${integer.format(value)} ms`;
  if (value < 60_000) return `${(value / 1000).toFixed(2)} s`;
  return `${(value / 60_000).toFixed(1)} min`;
}

export function formatPercent(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return DASH;
  if (rate === 0) return '0%';
  if (rate < 0.001) return '<0.1%';
  const percent = rate * 100;
  return `${percent >= 10 ? Math.round(percent) : percent.toFixed(1)}%`;
}

const timeOnly = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const dateTime = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const fullDateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** A request's time: the clock for today's, the date too for older ones. */
export function formatTime(iso: string, now: Date = new Date()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return DASH;
  return date.toDateString() === now.toDateString() ? timeOnly.format(date) : dateTime.format(date);
}

const stampThisYear = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const stampOtherYear = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/**
 * A log row's time in the user's time zone, always with its date (a log read the next morning or
 * exported must not leave the day to be guessed), the year only when it is not this one.
 */
export function formatStamp(iso: string, now: Date = new Date()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return DASH;
  return (date.getFullYear() === now.getFullYear() ? stampThisYear : stampOtherYear).format(date);
}

/** The same instant in UTC, "2026-12-07 16:45:33 UTC": what the gateway records and budgets count in. */
export function formatUtc(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return DASH;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return DASH;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? DASH : fullDateTime.format(date);
}

/** "in 3 h", "in 2 d": when a budget resets. */
export function formatUntil(iso: string, now: number = Date.now()): string {
  const ms = Date.parse(iso) - now;
  if (!Number.isFinite(ms)) return DASH;
  if (ms <= 60_000) return 'in a minute';
  if (ms < 3_600_000) return `in ${Math.round(ms / 60_000)} min`;
  if (ms < 48 * 3_600_000) return `in ${Math.round(ms / 3_600_000)} h`;
  return `in ${Math.round(ms / 86_400_000)} days`;
}

export const plural = (count: number, one: string, many = `${one}s`): string =>
  `${formatCount(count)} ${count === 1 ? one : many}`;
