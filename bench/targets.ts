import type { BenchResults, TargetCheck } from './results.ts';

export const ms = (value: number) => {
  if (!Number.isFinite(value)) return 'n/a';
  const digits = Math.abs(value) < 10 ? 3 : Math.abs(value) < 100 ? 2 : 1;
  return `${value.toFixed(digits)} ms`;
};
export const mb = (value: number | null | undefined) => (value == null ? 'n/a' : `${value.toFixed(1)} MB`);
export const times = (value: number) => (Number.isFinite(value) ? `${value.toFixed(1)}×` : 'n/a');
export const percent = (value: number) => `${(value * 100).toFixed(0)}%`;

function check(
  id: string,
  target: string,
  value: number | null | undefined,
  format: (value: number) => string,
  passes: (value: number) => boolean,
  note?: string,
): TargetCheck {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    return { id, target, figure: 'not measured', value: null, pass: null, ...(note ? { note } : {}) };
  }
  return {
    id,
    target,
    figure: format(value),
    value,
    // A note means the figure was measured on a smaller case than the target's: no verdict.
    pass: note ? null : passes(value),
    ...(note ? { note } : {}),
  };
}

/** Issue 4's targets against this run's figures. */
export function checkTargets(results: Omit<BenchResults, 'targets'>): TargetCheck[] {
  const sequential = results.latency?.via;
  const switchboard = sequential?.['switchboard'];
  const portkey = sequential?.['portkey'];
  const c64 = results.throughput?.byConcurrency['64'];
  const stream = results.streaming?.via['switchboard'];
  const store = results.store;
  const slowestQuery = store ? Math.max(...store.queries.map((query) => query.medianMs)) : undefined;
  const shipped = results.startup?.variants[0];
  const portkeyRatio =
    switchboard && portkey && switchboard.added.p50 > 0
      ? portkey.added.p50 / switchboard.added.p50
      : undefined;
  return [
    check(
      'sequential-p50',
      'sequential added latency p50 ≤ 0.3 ms',
      switchboard?.added.p50,
      ms,
      (v) => v <= 0.3,
    ),
    check('sequential-p99', 'sequential added latency p99 ≤ 1 ms', switchboard?.added.p99, ms, (v) => v <= 1),
    check(
      'vs-portkey',
      'at least 3× less added latency than Portkey (p50)',
      portkeyRatio,
      (v) => `${times(v)} less`,
      (v) => v >= 3,
    ),
    check(
      'throughput-c64',
      'throughput at concurrency 64 ≥ 70% of the bare proxy',
      c64?.['switchboard']?.ratioToBare,
      percent,
      (v) => v >= 0.7,
    ),
    check(
      'streaming-ttfb',
      'streaming time to first byte added ≤ 0.5 ms (p50)',
      stream?.addedTtfb.p50,
      ms,
      (v) => v <= 0.5,
    ),
    check('rss-idle', 'RSS idle ≤ 80 MB', results.memory.idle['switchboard']?.rssMb, mb, (v) => v <= 80),
    check('rss-load', 'RSS under load (c=64) ≤ 150 MB', c64?.['switchboard']?.peakRssMb, mb, (v) => v <= 150),
    check(
      'store-queries',
      'each dashboard query over 1M rows ≤ 100 ms (slowest, median of runs)',
      slowestQuery,
      ms,
      (v) => v <= 100,
      store && store.rows < 1_000_000
        ? `only ${store.rows.toLocaleString('en-US')} rows in this run`
        : undefined,
    ),
    check('startup', 'ready line ≤ 500 ms after launch (median)', shipped?.medianMs, ms, (v) => v <= 500),
  ];
}

/** The targets a CPU profile of the request path can explain. */
export const HOT_PATH_TARGETS = new Set([
  'sequential-p50',
  'sequential-p99',
  'vs-portkey',
  'throughput-c64',
  'streaming-ttfb',
]);
