import type { Started } from '../processes.ts';

/** The event-loop delay of one stretch of time, from loop-probe.mjs, in ms. */
export interface LoopDelay {
  count: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** One SOAK_PROBE line: the gateway's memory now, and its loop delay since the last and the first signal. */
export interface ProbeSnapshot {
  signal: number;
  rssMb: number;
  heapUsedMb: number;
  window: LoopDelay;
  run: LoopDelay;
}

const PROBE_PREFIX = 'SOAK_PROBE ';
const PROBE_TIMEOUT_MS = 10_000;

/**
 * Asks the gateway (started with `--import ./bench/soak/loop-probe.mjs`) for a snapshot: a SIGUSR2,
 * answered by a line on its stdout. One question at a time.
 */
export function gatewayProbe(gateway: Started): () => Promise<ProbeSnapshot> {
  let partial = '';
  let waiting: ((snapshot: ProbeSnapshot) => void) | null = null;
  gateway.child.stdout!.on('data', (text: string) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      if (!line.startsWith(PROBE_PREFIX)) continue;
      waiting?.(JSON.parse(line.slice(PROBE_PREFIX.length)) as ProbeSnapshot);
      waiting = null;
    }
  });
  return () =>
    new Promise<ProbeSnapshot>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting = null;
        reject(new Error(`the gateway did not answer SIGUSR2 within ${PROBE_TIMEOUT_MS} ms`));
      }, PROBE_TIMEOUT_MS);
      waiting = (snapshot) => {
        clearTimeout(timer);
        resolve(snapshot);
      };
      gateway.child.kill('SIGUSR2');
    });
}
