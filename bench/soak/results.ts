import type { Summary } from '../stats.ts';
import type { SoakOptions } from './options.ts';
import type { LoopDelay } from './probe.ts';
import type { RowTally } from './tally.ts';

/** One fake upstream's count of calls, as GET /_stats answers it. */
export interface UpstreamCalls {
  calls: number;
  ok: number;
  /** Calls that failed on purpose, by fault kind (fake-upstreams.ts FAULTS). */
  faults: Record<string, number>;
}

/** The gateway, sampled every few seconds while the load runs. */
export interface Sample {
  atSeconds: number;
  requests: number;
  clientErrors: number;
  rssMb: number | null;
  /** V8's live heap: growth here over a long run is a leak; RSS alone may be the allocator. */
  heapUsedMb: number;
  /** The event-loop delay since the previous sample. */
  loopP99Ms: number;
  loopMaxMs: number;
  /** Routes cooling down at that moment. */
  cooling: string[];
}

/** What `npm run soak` writes to bench/results/soak.json. */
export interface SoakResults {
  date: string;
  command: string;
  durationSeconds: number;
  machine: {
    cpu: string;
    cores: number;
    ramGb: number;
    os: string;
    node: string;
    /** 1, 5 and 15 minutes, when the run began. */
    loadAverage: number[];
  };
  versions: Record<string, string>;
  parameters: SoakOptions;
  /** The primary route and its fallbacks, in order, with their vendors. */
  routes: { id: string; vendor: string }[];
  clients: {
    requests: number;
    requestsPerSecond: number;
    /** Client-visible errors (non-200s, error events, cut streams), by kind. */
    errors: Record<string, number>;
    errorCount: number;
    /** The end of the first answer of each error kind. */
    errorExamples: Record<string, string>;
    /** Answered requests by the route that served them (`x-switchboard-route`). */
    servedBy: Record<string, number>;
    ttfbMs: Summary;
    totalMs: Summary;
  };
  /** Calls each fake upstream received, and the faults it injected. */
  upstreams: Record<string, UpstreamCalls>;
  gateway: {
    rows: RowTally;
    rss: { startMb: number | null; endMb: number | null; peakMb: number | null };
    /** The event-loop delay over the whole load. */
    loopDelay: LoopDelay;
    /** The worst p99 of one sampling window. */
    worstWindowP99Ms: number;
    /** Samples in which each route was cooling down. */
    coolingSamples: Record<string, number>;
    /** GET /healthz answered 200 after the load. */
    healthyAfter: boolean;
  };
  samples: Sample[];
}
