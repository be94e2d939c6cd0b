import { interleaved, warmUp, type BenchClient, type Target } from '../client.ts';
import { cpuMicrosOf } from '../processes.ts';
import { addedBy, pairedDifference, summarize, type Added, type Summary } from '../stats.ts';

export interface PathLatency {
  total: Summary;
  /** Quantile of this path minus the same quantile of the direct path. */
  added: Added;
  /** Quantiles of the per-round differences (this path − direct in the same round). */
  paired: Added;
  /** CPU time the proxy's process used per request during the measurement (Linux schedstat), µs. */
  cpuPerRequestUs: number | null;
}

export interface LatencyResult {
  requests: number;
  warmup: number;
  direct: Summary;
  via: Record<string, PathLatency>;
}

/**
 * Sequential non-streamed requests, interleaved: round i sends one request straight to the
 * upstream and one through each proxy, in a rotating order.
 */
export async function measureSequential(
  client: BenchClient,
  direct: Target,
  via: readonly Target[],
  counts: { requests: number; warmup: number; warmupMs: number },
  deadlineMs: number,
  pids: ReadonlyMap<string, number> = new Map(),
): Promise<LatencyResult> {
  const targets = [direct, ...via];
  await warmUp(targets, counts.warmup, counts.warmupMs, (target) => client.timed(target));
  const cpuBefore = new Map([...pids].map(([name, pid]) => [name, cpuMicrosOf(pid)]));
  const { samples, rounds } = await interleaved(targets, counts.requests, deadlineMs, (target) =>
    client.timed(target),
  );
  const cpuPerRequest = (name: string) => {
    const pid = pids.get(name);
    const before = cpuBefore.get(name);
    const after = pid === undefined ? null : cpuMicrosOf(pid);
    return before == null || after == null ? null : (after - before) / rounds;
  };
  const directSamples = samples.get(direct.name)!;
  const directSummary = summarize(directSamples);
  const result: LatencyResult = { requests: rounds, warmup: counts.warmup, direct: directSummary, via: {} };
  for (const target of via) {
    const values = samples.get(target.name)!;
    const total = summarize(values);
    result.via[target.name] = {
      total,
      added: addedBy(total, directSummary),
      paired: pairedDifference(values, directSamples),
      cpuPerRequestUs: cpuPerRequest(target.name),
    };
  }
  return result;
}
