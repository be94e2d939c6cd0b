import { join } from 'node:path';
import type { Target } from '../client.ts';
import type { Autocannon } from '../deps.ts';
import { memoryOf, sampleRss, sleep } from '../processes.ts';
import { median } from '../stats.ts';
import { startSwitchboard, type Server } from '../stack.ts';

export interface HeapCapRun {
  flags: string;
  idleRssMb: number | null;
  peakRssMb: number;
  requestsPerSecond: number;
}

/** A candidate setting, measured beside the gateway as it runs today: not something the gateway does. */
export interface HeapCapResult {
  connections: number;
  seconds: number;
  rounds: number;
  runs: HeapCapRun[];
}

/**
 * Under load V8 lets the old generation grow well past the live heap before a full GC, and RSS
 * follows. This runs the c=64 load against the gateway as started today and against a second one
 * started with a capped old generation, alternating, and compares peak RSS and throughput.
 */
export async function measureHeapCap(
  autocannon: Autocannon,
  current: Server,
  target: Target,
  dir: string,
  config: Record<string, unknown>,
  settings: { seconds: number; rounds: number },
  flags = ['--max-old-space-size=128'],
): Promise<HeapCapResult> {
  const capped = await startSwitchboard({
    dir: join(dir, 'heap-cap'),
    config,
    nodeOptions: flags,
    name: `Switchboard ${flags.join(' ')}`,
  });
  try {
    await sleep(1000);
    const servers = [
      { flags: '(as today)', server: current, idle: null as number | null, peak: 0, rates: [] as number[] },
      {
        flags: flags.join(' '),
        server: capped,
        idle: memoryOf(capped.pid)?.rssMb ?? null,
        peak: 0,
        rates: [],
      },
    ];
    for (let round = 0; round < settings.rounds; round++) {
      for (const entry of round % 2 ? [...servers].reverse() : servers) {
        const sampler = sampleRss(entry.server.pid);
        const result = await autocannon({
          url: `${entry.server.origin}${target.path}`,
          method: 'POST',
          headers: { 'content-type': 'application/json', ...target.headers },
          body: target.body,
          connections: 64,
          duration: settings.seconds,
          pipelining: 1,
          timeout: 10,
        });
        entry.peak = Math.max(entry.peak, sampler.stop());
        entry.rates.push(result['2xx'] / result.duration);
      }
    }
    return {
      connections: 64,
      seconds: settings.seconds,
      rounds: settings.rounds,
      runs: servers.map((entry) => ({
        flags: entry.flags,
        idleRssMb: entry.idle,
        peakRssMb: entry.peak,
        requestsPerSecond: median(entry.rates),
      })),
    };
  } finally {
    await capped.stop();
  }
}
