import { Agent, errors as undiciErrors, type Dispatcher } from 'undici';
import type { Timeouts } from './config/schema.ts';
import { GatewayError } from './errors.ts';

export interface EffectiveTimeouts {
  connectMs: number;
  headersMs: number;
  idleMs: number;
}

/** Long enough for a slow non-streamed answer from a large model; each can be set per route or server. */
export const DEFAULT_TIMEOUTS: EffectiveTimeouts = { connectMs: 10_000, headersMs: 600_000, idleMs: 300_000 };

export function effectiveTimeouts(...layers: (Timeouts | null | undefined)[]): EffectiveTimeouts {
  const out = { ...DEFAULT_TIMEOUTS };
  for (const layer of layers) {
    if (!layer) continue;
    if (layer.connectMs !== undefined) out.connectMs = layer.connectMs;
    if (layer.headersMs !== undefined) out.headersMs = layer.headersMs;
    if (layer.idleMs !== undefined) out.idleMs = layer.idleMs;
  }
  return out;
}

export interface UpstreamCall {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string | Buffer | undefined;
  timeouts: EffectiveTimeouts;
  signal: AbortSignal;
}

export type UpstreamResponse = Dispatcher.ResponseData;

/** Keep-alive connection pools to the upstreams, one agent per connect timeout in use. */
export class Upstreams {
  private agents = new Map<number, Agent>();

  private agent(connectMs: number): Agent {
    let agent = this.agents.get(connectMs);
    if (!agent) {
      agent = new Agent({ connect: { timeout: connectMs }, keepAliveTimeout: 30_000, pipelining: 1 });
      this.agents.set(connectMs, agent);
    }
    return agent;
  }

  /** Sends one request. Never follows redirects. Network failures become 502, timeouts 504. */
  async send(call: UpstreamCall): Promise<UpstreamResponse> {
    try {
      const target = new URL(call.url);
      return await this.agent(call.timeouts.connectMs).request({
        origin: target.origin,
        path: target.pathname + target.search,
        method: call.method as Dispatcher.HttpMethod,
        headers: call.headers,
        body: call.body ?? null,
        headersTimeout: call.timeouts.headersMs,
        bodyTimeout: call.timeouts.idleMs,
        signal: call.signal,
      });
    } catch (error) {
      throw upstreamFailure(error);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.agents.values()].map((agent) => agent.close()));
    this.agents.clear();
  }
}

/** A failure talking to the upstream → 504 for timeouts, 502 for everything else. No URL, no secret. */
export function upstreamFailure(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  if (
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    error instanceof undiciErrors.ConnectTimeoutError
  ) {
    return new GatewayError(504, 'upstream_timeout', 'The upstream did not answer in time.');
  }
  const code =
    (error as { code?: string; cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code;
  const reason = code ? ` (${code})` : '';
  return new GatewayError(502, 'upstream_error', `The upstream could not be reached${reason}.`);
}
