import type { Target } from '../client.ts';
import type { Autocannon, AutocannonResult } from '../deps.ts';
import { cpuMicrosOf, sampleRss } from '../processes.ts';
import { median } from '../stats.ts';

export interface ThroughputRun {
  requestsPerSecond: number;
  /** autocannon's latency histogram, whole milliseconds. */
  latencyP50Ms: number;
  latencyP99Ms: number;
  errors: number;
  non2xx: number;
  /** CPU time the proxy's process used per answered request (Linux schedstat), µs. */
  cpuPerRequestUs: number | null;
}

export interface ThroughputCell {
  /** Median over the rounds. */
  requestsPerSecond: number;
  ratioToBare: number | null;
  runs: ThroughputRun[];
  /** Highest RSS sampled during these runs, MB (proxies only). */
  peakRssMb: number | null;
}

export interface ThroughputResult {
  seconds: number;
  rounds: number;
  warmupSeconds: number;
  /** concurrency → target → figures */
  byConcurrency: Record<string, Record<string, ThroughputCell>>;
}

function toRun(result: AutocannonResult, cpuUs: number | null): ThroughputRun {
  return {
    cpuPerRequestUs: cpuUs === null || result['2xx'] === 0 ? null : cpuUs / result['2xx'],
    requestsPerSecond: result['2xx'] / result.duration,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

function load(autocannon: Autocannon, target: Target, connections: number, seconds: number) {
  return autocannon({
    url: `${target.origin}${target.path}`,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...target.headers },
    body: target.body,
    connections,
    duration: seconds,
    pipelining: 1,
    timeout: 10,
  });
}

/**
 * autocannon against each target at each concurrency, in rounds (rotating the order) so that a
 * noisy spell does not land on one target only. `pids` maps a target to the process whose RSS
 * is sampled while it is under load.
 */
export async function measureThroughput(
  autocannon: Autocannon,
  targets: readonly Target[],
  pids: ReadonlyMap<string, number>,
  settings: { concurrency: readonly number[]; seconds: number; rounds: number; warmupSeconds: number },
): Promise<ThroughputResult> {
  if (settings.warmupSeconds > 0) {
    for (const target of targets) await load(autocannon, target, 16, settings.warmupSeconds);
  }
  const byConcurrency: ThroughputResult['byConcurrency'] = {};
  for (const connections of settings.concurrency) {
    const runs = new Map<string, ThroughputRun[]>(targets.map((target) => [target.name, []]));
    const peaks = new Map<string, number>();
    for (let round = 0; round < settings.rounds; round++) {
      for (let offset = 0; offset < targets.length; offset++) {
        const target = targets[(round + offset) % targets.length]!;
        const pid = pids.get(target.name);
        const sampler = pid === undefined ? null : sampleRss(pid);
        const cpuBefore = pid === undefined ? null : cpuMicrosOf(pid);
        const result = await load(autocannon, target, connections, settings.seconds);
        const cpuAfter = pid === undefined ? null : cpuMicrosOf(pid);
        const run = toRun(result, cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore);
        if (sampler) peaks.set(target.name, Math.max(peaks.get(target.name) ?? 0, sampler.stop()));
        runs.get(target.name)!.push(run);
      }
    }
    const cells: Record<string, ThroughputCell> = {};
    for (const target of targets) {
      const targetRuns = runs.get(target.name)!;
      cells[target.name] = {
        requestsPerSecond: median(targetRuns.map((run) => run.requestsPerSecond)),
        ratioToBare: null,
        runs: targetRuns,
        peakRssMb: peaks.get(target.name) ?? null,
      };
    }
    const bare = cells['bare']?.requestsPerSecond;
    for (const cell of Object.values(cells)) cell.ratioToBare = bare ? cell.requestsPerSecond / bare : null;
    byConcurrency[String(connections)] = cells;
  }
  return {
    seconds: settings.seconds,
    rounds: settings.rounds,
    warmupSeconds: settings.warmupSeconds,
    byConcurrency,
  };
}
