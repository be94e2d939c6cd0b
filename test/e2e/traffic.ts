import type { RequestRecord } from '../../gateway/store/types.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** Prices in $ per million tokens (input, output), close to the vendors' lists. */
const MODELS = {
  'gpt-4.1-mini': { route: 'openai', vendor: 'openai', input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { route: 'openai', vendor: 'openai', input: 0.1, output: 0.4 },
  'claude-sonnet-4-5': { route: 'claude', vendor: 'anthropic', input: 3, output: 15 },
  'llama3.2': { route: 'local', vendor: 'ollama', input: 0, output: 0 },
} as const;
type Model = keyof typeof MODELS;

/** Which models each app calls, and how often (weights). */
const APPS: Record<string, [Model, number][]> = {
  cursor: [
    ['claude-sonnet-4-5', 3],
    ['gpt-4.1-mini', 2],
  ],
  'claude-code': [['claude-sonnet-4-5', 1]],
  'nightly-agent': [
    ['gpt-4.1-nano', 3],
    ['llama3.2', 2],
  ],
};

/** A seeded PRNG, so the pictures are the same on every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/** Thirty days of plausible traffic, recorded straight into the store, as the recorder would. */
export function syntheticTraffic(now: number): RequestRecord[] {
  const next = random(42);
  const pick = <T>(weighted: [T, number][]): T => {
    const total = weighted.reduce((sum, [, weight]) => sum + weight, 0);
    let roll = next() * total;
    for (const [value, weight] of weighted) if ((roll -= weight) < 0) return value;
    return weighted[0]![0];
  };
  const records: RequestRecord[] = [];
  const today = Math.floor(now / DAY) * DAY;
  for (let day = 29; day >= 0; day--) {
    const start = today - day * DAY;
    const weekend = [0, 6].includes(new Date(start).getUTCDay());
    const count = Math.round((weekend ? 10 : 34) * (0.7 + next() * 0.6) * (1 + (29 - day) / 40));
    for (let index = 0; index < count; index++) {
      const time = Math.round(start + (7 + next() * 13) * HOUR);
      if (time > now - 60_000) continue;
      const app = pick(
        Object.keys(APPS).map((name) => [name, name === 'cursor' ? 3 : 2] as [string, number]),
      );
      const model = pick(APPS[app]!);
      const price = MODELS[model];
      const failed = next() < 0.03;
      const input = Math.round(600 + next() * (model === 'claude-sonnet-4-5' ? 14_000 : 6000));
      const output = failed ? 0 : Math.round(80 + next() * 1400);
      const latencyMs = Math.round(300 + next() * 3500);
      // Switchboard's own share: under two milliseconds, as the benchmark measures it (no draw, so
      // the other fields keep their values).
      const ownMs = 0.4 + (records.length % 7) * 0.2;
      records.push({
        id: `req_showcase_${records.length}`,
        time,
        app,
        route: price.route,
        vendor: price.vendor,
        model,
        upstreamModel: model,
        endpoint: 'chat.completions',
        stream: next() < 0.6,
        status: failed ? (next() < 0.5 ? 429 : 502) : 200,
        errorCode: failed ? 'upstream_error' : null,
        inputTokens: failed ? null : input,
        outputTokens: failed ? null : output,
        cachedInputTokens: failed ? null : 0,
        reasoningTokens: failed ? null : 0,
        costUsd: failed ? null : (input * price.input + output * price.output) / 1e6,
        latencyMs,
        ttfbMs: Math.round(200 + next() * 600),
        partial: false,
        upstreamMs: failed ? null : latencyMs - ownMs,
      });
    }
  }
  return records.sort((a, b) => a.time - b.time);
}

/** A session of agent turns, so that Sessions has something to list. */
export function agentSession(now: number): RequestRecord[] {
  return [0, 1, 2].map((turn) => ({
    id: `req_agent_session_${turn}`,
    time: now - 600_000 + turn * 60_000,
    app: 'claude-code',
    route: 'claude',
    vendor: 'anthropic',
    model: 'claude-sonnet-4-5',
    upstreamModel: 'claude-sonnet-4-5',
    endpoint: 'messages',
    stream: true,
    status: 200,
    errorCode: null,
    inputTokens: 4000 + turn * 1000,
    outputTokens: 300,
    cachedInputTokens: 0,
    reasoningTokens: 0,
    costUsd: 0.02,
    latencyMs: 2400,
    ttfbMs: 500,
    partial: false,
    session: 'agent-session-1',
    agent: 'claude-code',
  }));
}
