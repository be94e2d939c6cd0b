import { parseArgs } from 'node:util';

export const SECTIONS = [
  'latency',
  'throughput',
  'streaming',
  'translation',
  'policy',
  'store',
  'startup',
  'profile',
] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchOptions {
  quick: boolean;
  /** Sections to run; all unless `--only` names some (then docs/ is not rewritten). */
  only: ReadonlySet<Section> | null;
  /** Profile the gateway even when every target is met. */
  forceProfile: boolean;
  upstreamLatencyMs: number;
  chunks: number;
  chunkIntervalMs: number;
  firstChunkGapMs: number;
  sequential: { requests: number; warmup: number };
  throughput: { concurrency: readonly number[]; seconds: number; rounds: number; warmupSeconds: number };
  streaming: { requests: number; warmup: number };
  translation: { requests: number; streams: number; warmup: number; streamWarmup: number };
  policy: { requests: number; warmup: number };
  store: { rows: number; runs: number };
  startup: { runs: number; dependencyRss: boolean; idleRss: boolean };
  profile: { requests: number; warmup: number };
  /** Upper bound for each sequential loop; it stops early (and says so) past this. */
  loopDeadlineMs: number;
  /** Sequential warm-ups last at least this long, whatever their round count. */
  warmupMs: number;
}

const USAGE = `Usage: npm run bench -- [options]

  --quick                    fewer requests, shorter load runs, 100k store rows (under a minute)
  --only=a,b                 run only these sections (${SECTIONS.join(', ')}); docs/ is left alone
  --profile                  profile the gateway (node --cpu-prof) even if every target is met
  --upstream-latency-ms=N    the fake upstream's latency before it answers (default 0)
  --chunks=N                 chunks in a streamed answer (default 100)
  --first-chunk-gap-ms=N     pause after a stream's first chunk, as a model makes (default 5)
  --chunk-interval-ms=N      time between later chunks; 0 = each on its own event-loop turn (default 0)
  --rows=N                   rows for the store section (default 1,000,000; quick 100,000)`;

export function parseOptions(argv: readonly string[]): BenchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        quick: { type: 'boolean', default: false },
        only: { type: 'string' },
        profile: { type: 'boolean', default: false },
        'upstream-latency-ms': { type: 'string', default: '0' },
        chunks: { type: 'string', default: '100' },
        'chunk-interval-ms': { type: 'string', default: '0' },
        'first-chunk-gap-ms': { type: 'string', default: '5' },
        rows: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    throw new Error(`${(error as Error).message}\n\n${USAGE}`, { cause: error });
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const number = (name: string, text: string, min: number, max: number) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max)
      throw new Error(`--${name} must be an integer from ${min} to ${max}, not "${text}".\n\n${USAGE}`);
    return value;
  };
  let only: Set<Section> | null = null;
  if (values.only !== undefined) {
    only = new Set();
    for (const name of values.only.split(',').map((part) => part.trim())) {
      if (!(SECTIONS as readonly string[]).includes(name))
        throw new Error(`--only: unknown section "${name}"; sections: ${SECTIONS.join(', ')}`);
      only.add(name as Section);
    }
  }
  const quick = values.quick;
  return {
    quick,
    only,
    forceProfile: values.profile,
    upstreamLatencyMs: number('upstream-latency-ms', values['upstream-latency-ms'], 0, 10_000),
    chunks: number('chunks', values.chunks, 2, 100_000),
    chunkIntervalMs: number('chunk-interval-ms', values['chunk-interval-ms'], 0, 1000),
    firstChunkGapMs: number('first-chunk-gap-ms', values['first-chunk-gap-ms'], 0, 1000),
    // Warm-ups are long on purpose: on this kind of machine a Node server reaches its steady
    // state only after a few thousand requests (JIT tiers, and vCPUs that answer slowly from idle).
    sequential: quick ? { requests: 300, warmup: 1000 } : { requests: 2000, warmup: 3000 },
    // autocannon runs in whole seconds. Quick runs skip the load warm-up: the sequential sections
    // before have warmed every path.
    throughput: quick
      ? { concurrency: [1, 16, 64], seconds: 1, rounds: 1, warmupSeconds: 0 }
      : { concurrency: [1, 16, 64], seconds: 5, rounds: 2, warmupSeconds: 2 },
    streaming: quick ? { requests: 60, warmup: 50 } : { requests: 500, warmup: 300 },
    translation: quick
      ? { requests: 200, streams: 30, warmup: 300, streamWarmup: 20 }
      : { requests: 1000, streams: 200, warmup: 2000, streamWarmup: 200 },
    policy: quick ? { requests: 200, warmup: 300 } : { requests: 1000, warmup: 2000 },
    store: {
      rows:
        values.rows === undefined
          ? quick
            ? 100_000
            : 1_000_000
          : number('rows', values.rows, 1000, 20_000_000),
      runs: 5,
    },
    // Quick runs skip the per-dependency RSS probes (a fresh node per dependency) and the idle RSS
    // of each way to start (a second's wait each).
    startup: { runs: quick ? 3 : 5, dependencyRss: !quick, idleRss: !quick },
    profile: quick ? { requests: 800, warmup: 800 } : { requests: 5000, warmup: 3000 },
    loopDeadlineMs: quick ? 20_000 : 120_000,
    warmupMs: quick ? 2000 : 5000,
  };
}

export function runs(options: BenchOptions, section: Section): boolean {
  return options.only === null || options.only.has(section);
}
