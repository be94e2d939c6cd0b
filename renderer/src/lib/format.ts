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

/** Axis labels: short, and still money. */
export function formatUsdAxis(value: number): string {
  if (value === 0) return '$0';
  if (Math.abs(value) < 0.01) return usdSmall.format(value);
  if (Math.abs(value) >= 1000) return `$${compact.format(value)}`;
  return usd2.format(value);
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
