export interface Summary {
  n: number;
  mean: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank quantile of already sorted values. */
export function quantileOfSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index]!;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((total, value) => total + value, 0);
  return {
    n: sorted.length,
    mean: sorted.length ? sum / sorted.length : Number.NaN,
    min: sorted[0] ?? Number.NaN,
    p50: quantileOfSorted(sorted, 0.5),
    p90: quantileOfSorted(sorted, 0.9),
    p99: quantileOfSorted(sorted, 0.99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

export interface Added {
  p50: number;
  p90: number;
  p99: number;
}

/** What a hop adds: each quantile of the path through it minus the same quantile of the direct path. */
export function addedBy(via: Summary, direct: Summary): Added {
  return { p50: via.p50 - direct.p50, p90: via.p90 - direct.p90, p99: via.p99 - direct.p99 };
}

/** The quantiles of the per-iteration differences (via[i] − direct[i]) of interleaved samples. */
export function pairedDifference(via: readonly number[], direct: readonly number[]): Added {
  const n = Math.min(via.length, direct.length);
  const differences = Array.from({ length: n }, (_, index) => via[index]! - direct[index]!).sort(
    (a, b) => a - b,
  );
  return {
    p50: quantileOfSorted(differences, 0.5),
    p90: quantileOfSorted(differences, 0.9),
    p99: quantileOfSorted(differences, 0.99),
  };
}

/** The middle value; the mean of the two middle ones for an even count. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Rounds for JSON: three decimals are microseconds when the unit is milliseconds. */
export function round(value: number, digits = 3): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
