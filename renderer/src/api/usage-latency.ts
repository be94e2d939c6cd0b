import type {
  ComparisonRow,
  LatencyBucket,
  LatencyGroup,
  LatencyPoint,
  LatencySample,
  Percentiles,
} from '../../../gateway/store/usage.ts';

export type { ComparisonRow, LatencyBucket, LatencyGroup, LatencySample, Percentiles };

/** A bucket of GET /usage/latency, its start as an ISO string. */
export type LatencyRow = Omit<LatencyPoint, 'start'> & { start: string };

export interface LatencyAnswer {
  data: LatencyRow[];
  sample: LatencySample;
}

/** GET /usage/models: one row per model (as requested) or route. */
export interface ComparisonAnswer {
  data: ComparisonRow[];
  sample: LatencySample;
}
