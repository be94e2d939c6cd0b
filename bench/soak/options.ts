import { parseArgs } from 'node:util';

export interface SoakOptions {
  quick: boolean;
  minutes: number;
  concurrency: number;
  /** Share of the calls to each fake upstream that fail, in percent. */
  failurePercent: number;
  /** Events in an upstream's stream, and the time between two of them. */
  chunks: number;
  chunkIntervalMs: number;
  /** The upstream's time to its headers. */
  latencyMs: number;
  seed: number;
  /** Seconds between two samples of the gateway (RSS, event-loop delay, route health). */
  sampleSeconds: number;
  /** Cooldowns at the gateway's defaults; false: set so high that they never start (config.ts). */
  cooldowns: boolean;
}

const USAGE = `Usage: npm run soak -- [options]

  --minutes=N              how long the load runs (default 5; decimals allowed)
  --quick                  a 15-second run (the same as --minutes=0.25)
  --concurrency=N          streams open at once (default 200)
  --failure-percent=N      share of each fake upstream's calls that fail (default 4)
  --chunks=N               events in an upstream stream (default 30)
  --chunk-interval-ms=N    time between two events (default 20)
  --latency-ms=N           upstream time to its headers (default 50)
  --seed=N                 the fakes' fault sequence (default 1)
  --without-cooldowns      routes never cool down (by default the gateway's cooldown settings apply)`;

export function parseOptions(argv: readonly string[]): SoakOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        quick: { type: 'boolean', default: false },
        minutes: { type: 'string' },
        concurrency: { type: 'string', default: '200' },
        'failure-percent': { type: 'string', default: '4' },
        chunks: { type: 'string', default: '30' },
        'chunk-interval-ms': { type: 'string', default: '20' },
        'latency-ms': { type: 'string', default: '50' },
        seed: { type: 'string', default: '1' },
        'without-cooldowns': { type: 'boolean', default: false },
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
  const number = (name: string, text: string, min: number, max: number, integer = true) => {
    const value = Number(text);
    if (!Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max)
      throw new Error(
        `--${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, not "${text}".\n\n${USAGE}`,
      );
    return value;
  };
  if (values.quick && values.minutes !== undefined) throw new Error('--quick and --minutes: pick one.');
  const minutes = values.quick ? 0.25 : number('minutes', values.minutes ?? '5', 0.05, 24 * 60, false);
  return {
    quick: values.quick,
    minutes,
    concurrency: number('concurrency', values.concurrency, 1, 5000),
    failurePercent: number('failure-percent', values['failure-percent'], 0, 100, false),
    chunks: number('chunks', values.chunks, 3, 10_000),
    chunkIntervalMs: number('chunk-interval-ms', values['chunk-interval-ms'], 0, 10_000),
    latencyMs: number('latency-ms', values['latency-ms'], 0, 60_000),
    seed: number('seed', values.seed, 0, 2 ** 31),
    // About ten samples a run, none closer than 5 s (each is a signal and an admin call).
    sampleSeconds: Math.min(30, Math.max(5, Math.round((minutes * 60) / 10))),
    cooldowns: !values['without-cooldowns'],
  };
}
