import { interleaved, warmUp, type BenchClient, type Target } from '../client.ts';
import { addedBy, summarize, type Added, type Summary } from '../stats.ts';

export interface StreamPath {
  ttfb: Summary;
  total: Summary;
  addedTtfb: Added;
  addedTotal: Added;
}

export interface StreamingResult {
  requests: number;
  warmup: number;
  chunks: number;
  direct: { ttfb: Summary; total: Summary };
  via: Record<string, StreamPath>;
}

export const openAiStreamComplete = (text: string) => text.includes('data: [DONE]');
export const anthropicStreamComplete = (text: string) => text.includes('event: message_stop');

/** A streamed target; `complete` tells a whole stream from a cut one (default: OpenAI's [DONE]). */
export type StreamTarget = Target & { complete?: (text: string) => boolean };

/**
 * Sequential streamed requests, interleaved like the non-streamed ones. TTFB is the time to the
 * first body bytes (the first event), not to the headers, which some proxies send before any event.
 */
export async function measureStreams(
  client: BenchClient,
  direct: StreamTarget,
  via: readonly StreamTarget[],
  counts: { requests: number; warmup: number; warmupMs: number },
  chunks: number,
  deadlineMs: number,
): Promise<StreamingResult> {
  const targets = [direct, ...via];
  const measure = (target: StreamTarget) =>
    client.timedStream(target, target.complete ?? openAiStreamComplete);
  await warmUp(targets, counts.warmup, counts.warmupMs, measure);
  const { samples, rounds } = await interleaved(targets, counts.requests, deadlineMs, measure);
  const summaries = (name: string) => {
    const values = samples.get(name)!;
    return {
      ttfb: summarize(values.map((sample) => sample.ttfb)),
      total: summarize(values.map((sample) => sample.total)),
    };
  };
  const directSummary = summaries(direct.name);
  const result: StreamingResult = {
    requests: rounds,
    warmup: counts.warmup,
    chunks,
    direct: directSummary,
    via: {},
  };
  for (const target of via) {
    const { ttfb, total } = summaries(target.name);
    result.via[target.name] = {
      ttfb,
      total,
      addedTtfb: addedBy(ttfb, directSummary.ttfb),
      addedTotal: addedBy(total, directSummary.total),
    };
  }
  return result;
}
