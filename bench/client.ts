import { Agent } from 'undici';

/** One way to send the bench's request: straight to the upstream, or through one of the proxies. */
export interface Target {
  name: string;
  origin: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface StreamTiming {
  /** From sending the request to the first byte of the body (the first event), ms. */
  ttfb: number;
  /** From sending the request to the end of the body, ms. */
  total: number;
}

const REQUEST_TIMEOUT_MS = 10_000;

/** The load side of the sequential measurements: one keep-alive connection per target, reused. */
export class BenchClient {
  private readonly agent = new Agent({
    keepAliveTimeout: 60_000,
    headersTimeout: REQUEST_TIMEOUT_MS,
    bodyTimeout: REQUEST_TIMEOUT_MS,
  });

  private send(target: Target) {
    return this.agent.request({
      origin: target.origin,
      path: target.path,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...target.headers },
      body: target.body,
    });
  }

  /** One non-streamed request; resolves with its time in ms, rejects on anything but a 200. */
  async timed(target: Target): Promise<number> {
    const start = performance.now();
    const response = await this.send(target);
    const text = await response.body.text();
    const elapsed = performance.now() - start;
    if (response.statusCode !== 200) {
      throw new Error(`${target.name}: status ${response.statusCode}: ${text.slice(0, 300)}`);
    }
    return elapsed;
  }

  /** One streamed request, read chunk by chunk; checks that the stream ended as `complete` says. */
  async timedStream(target: Target, complete: (text: string) => boolean): Promise<StreamTiming> {
    const start = performance.now();
    const response = await this.send(target);
    let ttfb = Number.NaN;
    let text = '';
    for await (const chunk of response.body) {
      if (Number.isNaN(ttfb)) ttfb = performance.now() - start;
      text += (chunk as Buffer).toString('utf8');
    }
    const total = performance.now() - start;
    if (response.statusCode !== 200 || !complete(text)) {
      throw new Error(
        `${target.name}: status ${response.statusCode}, incomplete stream: ${text.slice(-300)}`,
      );
    }
    return { ttfb, total };
  }

  /** A GET for small JSON answers (the fake upstream's counters). */
  async getJson<T>(origin: string, path: string): Promise<T> {
    const response = await this.agent.request({ origin, path, method: 'GET' });
    return (await response.body.json()) as T;
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

/**
 * Runs `rounds` iterations of `measure` over every target, interleaved so that noise on a shared
 * machine falls on all of them alike; the order rotates each round so no target always goes first.
 * Bounded in count and in time: stops early (with fewer samples) once `deadlineMs` has passed.
 */
export async function interleaved<T>(
  targets: readonly Target[],
  rounds: number,
  deadlineMs: number,
  measure: (target: Target) => Promise<T>,
): Promise<{ samples: Map<string, T[]>; rounds: number }> {
  const samples = new Map(targets.map((target) => [target.name, [] as T[]]));
  const until = performance.now() + deadlineMs;
  let done = 0;
  for (; done < rounds && performance.now() < until; done++) {
    for (let offset = 0; offset < targets.length; offset++) {
      const target = targets[(done + offset) % targets.length]!;
      samples.get(target.name)!.push(await measure(target));
    }
  }
  return { samples, rounds: done };
}

/**
 * Warm-up before a measurement: at least `rounds` interleaved rounds and at least `minMs` of
 * them (JIT, connection pools, and on a VM the vCPUs, which answer slowly when they were idle).
 */
export async function warmUp<T>(
  targets: readonly Target[],
  rounds: number,
  minMs: number,
  measure: (target: Target) => Promise<T>,
): Promise<void> {
  const until = performance.now() + minMs;
  // Bounded: never more than ten times the rounds asked for, or three times the time.
  const cap = performance.now() + 3 * minMs + 10_000;
  for (let round = 0; round < rounds * 10 && performance.now() < cap; round++) {
    if (round >= rounds && performance.now() >= until) break;
    for (const target of targets) await measure(target);
  }
}
