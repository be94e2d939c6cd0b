import { Agent, errors as undiciErrors, type Dispatcher } from 'undici';
import { GatewayError } from './errors.ts';

export interface EffectiveTimeouts {
  /** To open the connection. */
  connectMs: number;
  /** From sending the request to the answer's headers (a non-streamed answer's headers come when it is done). */
  headersMs: number;
  /** The longest silence inside the answer's body. */
  idleMs: number;
  /** The whole exchange, body included: an upstream that drips a byte at a time cannot hold a request forever. */
  totalMs: number;
}

export type TimeoutLayer = { [Key in keyof EffectiveTimeouts]?: EffectiveTimeouts[Key] | undefined };

/** The base under every layer (see `defaultTimeouts` in timeouts.ts for the per-vendor and per-model layer). */
export const DEFAULT_TIMEOUTS: EffectiveTimeouts = {
  connectMs: 10_000,
  headersMs: 600_000,
  idleMs: 300_000,
  totalMs: 1_800_000,
};

/** Later layers win, field by field: defaults, then the server section, then the route. */
export function effectiveTimeouts(...layers: (TimeoutLayer | null | undefined)[]): EffectiveTimeouts {
  const out = { ...DEFAULT_TIMEOUTS };
  for (const layer of layers) {
    if (!layer) continue;
    if (layer.connectMs !== undefined) out.connectMs = layer.connectMs;
    if (layer.headersMs !== undefined) out.headersMs = layer.headersMs;
    if (layer.idleMs !== undefined) out.idleMs = layer.idleMs;
    if (layer.totalMs !== undefined) out.totalMs = layer.totalMs;
  }
  return out;
}

/** The reason a call is aborted when its total deadline passes. */
class TotalDeadlineError extends Error {
  constructor(readonly ms: number) {
    super('total deadline passed');
    this.name = 'TotalDeadlineError';
  }
}

export interface UpstreamCall {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string | Buffer | undefined;
  timeouts: EffectiveTimeouts;
  signal: AbortSignal;
  /**
   * The controller behind `signal`, when the caller owns one for this call alone: the total
   * deadline then aborts it directly, with no second controller and listener per request.
   */
  controller?: AbortController | undefined;
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

  /**
   * Sends one request. Never follows redirects. Network failures become 502, timeouts 504. The
   * total deadline runs until the answer's body is over (read, cut or abandoned): past it the
   * call is aborted, whatever stage it is in.
   */
  async send(call: UpstreamCall): Promise<UpstreamResponse> {
    const own = call.controller?.signal === call.signal ? call.controller : undefined;
    const controller = own ?? new AbortController();
    const onClientAbort = () => controller.abort(call.signal.reason);
    if (own === undefined) {
      if (call.signal.aborted) onClientAbort();
      else call.signal.addEventListener('abort', onClientAbort, { once: true });
    }
    const timer = setTimeout(
      () => controller.abort(new TotalDeadlineError(call.timeouts.totalMs)),
      call.timeouts.totalMs,
    );
    timer.unref();
    const release = () => {
      clearTimeout(timer);
      if (own === undefined) call.signal.removeEventListener('abort', onClientAbort);
    };
    try {
      const target = new URL(call.url);
      const response = await this.agent(call.timeouts.connectMs).request({
        origin: target.origin,
        path: target.pathname + target.search,
        method: call.method as Dispatcher.HttpMethod,
        headers: call.headers,
        body: call.body ?? null,
        headersTimeout: call.timeouts.headersMs,
        bodyTimeout: call.timeouts.idleMs,
        signal: controller.signal,
      });
      response.body.once('close', release);
      return response;
    } catch (error) {
      release();
      throw upstreamFailure(
        controller.signal.reason instanceof TotalDeadlineError ? controller.signal.reason : error,
      );
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
  if (error instanceof TotalDeadlineError) {
    return new GatewayError(
      504,
      'upstream_timeout',
      `The upstream did not finish its answer within the total deadline of ${error.ms / 1000} s (timeouts.totalMs).`,
    );
  }
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
