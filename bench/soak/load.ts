import { Agent } from 'undici';

/** What one client saw of one streamed request. */
interface StreamOutcome {
  /** null when the stream ended as it should (200, no error event, `data: [DONE]` last). */
  error: string | null;
  /** The end of what came, for an error's example. */
  tail: string;
  /** `x-switchboard-route`: the route that served it, when the gateway says. */
  route: string | null;
  /** From sending to the first body bytes, ms; null if none came. */
  ttfbMs: number | null;
  totalMs: number;
}

/** How a client tells a stream that ended well from one that did not. */
function classifyStream(status: number, text: string): string | null {
  if (status !== 200) return `status ${status}`;
  if (/^data: \{"error"/m.test(text)) return 'error event';
  if (!text.trimEnd().endsWith('data: [DONE]')) return 'cut (no [DONE])';
  return null;
}

export interface LoadTotals {
  requests: number;
  /** Client-visible errors by kind. */
  errors: Map<string, number>;
  /** The end of the first answer of each error kind: what the client was told. */
  examples: Map<string, string>;
  /** Answered requests by the route that served them (`x-switchboard-route`; "(not said)" without it). */
  servedBy: Map<string, number>;
  ttfbMs: number[];
  totalMs: number[];
}

export interface LoadTarget {
  origin: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

const TAIL_CHARS = 300;

const add = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

/**
 * Starts `concurrency` clients, each sending one streamed request after another until `until`
 * (performance.now() time); a request in flight then is finished, not dropped. Every client has
 * its own keep-alive connection, as agents and IDEs do. `totals` fills as requests end. The
 * clients start one by one over the first `rampMs`, as a machine's agents and IDEs would, not all
 * in the same millisecond against a gateway that has not compiled its hot path yet.
 */
export function startLoad(
  target: LoadTarget,
  concurrency: number,
  until: number,
  rampMs: number,
): { totals: LoadTotals; finished: Promise<void> } {
  const agent = new Agent({
    connections: concurrency,
    keepAliveTimeout: 60_000,
    // Retries with Retry-After waits and a fallback may take seconds before the first byte.
    headersTimeout: 120_000,
    bodyTimeout: 60_000,
  });
  const totals: LoadTotals = {
    requests: 0,
    errors: new Map(),
    examples: new Map(),
    servedBy: new Map(),
    ttfbMs: [],
    totalMs: [],
  };
  const client = async (_: unknown, index: number) => {
    await new Promise((resolve) => setTimeout(resolve, (index * rampMs) / concurrency));
    while (performance.now() < until) {
      const outcome = await oneStream(agent, target);
      totals.requests++;
      totals.totalMs.push(outcome.totalMs);
      if (outcome.ttfbMs !== null) totals.ttfbMs.push(outcome.ttfbMs);
      if (outcome.error === null) add(totals.servedBy, outcome.route ?? '(not said)');
      else {
        add(totals.errors, outcome.error);
        if (!totals.examples.has(outcome.error)) totals.examples.set(outcome.error, outcome.tail);
      }
    }
  };
  const finished = Promise.all(Array.from({ length: concurrency }, client)).finally(() => agent.close());
  return { totals, finished: finished.then(() => undefined) };
}

async function oneStream(agent: Agent, target: LoadTarget): Promise<StreamOutcome> {
  const start = performance.now();
  let ttfbMs: number | null = null;
  let status = 0;
  let route: string | null = null;
  let text = '';
  try {
    const response = await agent.request({
      origin: target.origin,
      path: target.path,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...target.headers },
      body: target.body,
    });
    status = response.statusCode;
    const served = response.headers['x-switchboard-route'];
    route = typeof served === 'string' ? served : null;
    for await (const chunk of response.body) {
      ttfbMs ??= performance.now() - start;
      text += (chunk as Buffer).toString('utf8');
    }
  } catch (thrown) {
    const code = (thrown as { code?: string }).code ?? (thrown as Error).name;
    const when = status === 0 ? 'before the answer' : 'mid-stream';
    const error = `connection error ${when} (${code})`;
    return { error, tail: text.slice(-TAIL_CHARS), route, ttfbMs, totalMs: performance.now() - start };
  }
  const error = classifyStream(status, text);
  return { error, tail: text.slice(-TAIL_CHARS), route, ttfbMs, totalMs: performance.now() - start };
}
