import type { RequestRow } from '../../api/types.ts';

/** The tools the gateway recognises, by the id it records. */
export const AGENT_LABELS: Record<string, string> = {
  'claude-code': 'Claude Code',
  'gemini-cli': 'Gemini CLI',
  codex: 'Codex',
};

export const agentLabel = (agent: string | null): string | null =>
  agent === null ? null : (AGENT_LABELS[agent] ?? agent);

/** Where a request sits on its session's timeline, as fractions of the session's duration. */
export interface Span {
  /** From the session's start to the request's. */
  start: number;
  /** The request's latency. */
  width: number;
}

/**
 * Each request's place in the session's wall-clock time: when it started and how much of the
 * session it took. A session of one instant (a single request with no latency) is all one span.
 */
export function spans(
  requests: readonly Pick<RequestRow, 'time' | 'latencyMs'>[],
  firstAt: string,
  durationMs: number,
): Span[] {
  const origin = Date.parse(firstAt);
  if (!(durationMs > 0)) return requests.map(() => ({ start: 0, width: 1 }));
  const clamp = (value: number) => Math.min(1, Math.max(0, value));
  return requests.map((request) => {
    const start = clamp((Date.parse(request.time) - origin) / durationMs);
    return { start, width: Math.min(1 - start, clamp(request.latencyMs / durationMs)) };
  });
}

export interface ModelShare {
  model: string;
  turns: number;
  inputTokens: number;
  outputTokens: number;
  /** Null when none of its turns was priced. */
  costUsd: number | null;
  latencyMs: number;
}

/** A session's requests summed per model, the one that took the most time first. */
export function sharesByModel(
  requests: readonly Pick<
    RequestRow,
    'model' | 'upstreamModel' | 'inputTokens' | 'outputTokens' | 'costUsd' | 'latencyMs'
  >[],
): ModelShare[] {
  const shares = new Map<string, ModelShare>();
  for (const request of requests) {
    const model = request.model ?? request.upstreamModel ?? '—';
    let share = shares.get(model);
    if (!share) {
      share = { model, turns: 0, inputTokens: 0, outputTokens: 0, costUsd: null, latencyMs: 0 };
      shares.set(model, share);
    }
    share.turns++;
    share.inputTokens += request.inputTokens ?? 0;
    share.outputTokens += request.outputTokens ?? 0;
    if (request.costUsd !== null) share.costUsd = (share.costUsd ?? 0) + request.costUsd;
    share.latencyMs += request.latencyMs;
  }
  return [...shares.values()].sort((a, b) => b.latencyMs - a.latencyMs);
}
