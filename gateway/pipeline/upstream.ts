import type { Context } from 'koa';
import type { RuntimeRoute } from '../catalog.ts';
import { GatewayError } from '../errors.ts';
import {
  upstreamFailure,
  type EffectiveTimeouts,
  type UpstreamResponse,
  type Upstreams,
} from '../forward.ts';
import { formatFor } from '../formats/index.ts';
import { SseEventTooLargeError } from '../protocol/sse.ts';
import type { CallTarget, Provider } from '../providers/index.ts';
import { scrubSecrets } from '../scrub.ts';

/** Upstream response headers worth passing on to the client. */
const PASSED_HEADERS = ['x-request-id', 'openai-processing-ms', 'retry-after'];

export function passUpstreamHeaders(ctx: Context, upstream: UpstreamResponse): void {
  for (const name of PASSED_HEADERS) {
    const value = upstream.headers[name];
    if (typeof value === 'string') ctx.set(name, scrubSecrets(value));
  }
  for (const [name, value] of Object.entries(upstream.headers)) {
    if (name.startsWith('x-ratelimit-') && typeof value === 'string') ctx.set(name, scrubSecrets(value));
  }
}

/** Aborts the upstream call when the client goes away before its answer is complete. */
export function abortOnClientClose(ctx: Context): AbortController {
  const controller = new AbortController();
  ctx.res.once('close', () => {
    if (!ctx.res.writableFinished) controller.abort();
  });
  return controller;
}

export interface SendOptions {
  upstreams: Upstreams;
  route: RuntimeRoute;
  provider: Provider;
  /** What the call is for: the provider turns it into a path. */
  target: CallTarget;
  method: string;
  body?: string | Buffer | undefined;
  headers?: Record<string, string>;
  timeouts: EffectiveTimeouts;
  signal: AbortSignal;
  /** The controller behind `signal`, if this call alone uses it (see UpstreamCall). */
  controller?: AbortController;
  /** The largest upstream body read whole (an error body here). */
  maxBodyBytes?: number;
}

/** The vendor answered with an error: its own status kept beside the error the client gets (529 is told as 503). */
export class VendorAnswerError extends GatewayError {
  constructor(
    readonly upstreamStatus: number,
    error: GatewayError,
  ) {
    super(error.status, error.code, error.message, {
      type: error.type,
      param: error.param,
      headers: error.headers,
      overQuota: error.overQuota,
    });
  }
}

/**
 * Resolves once the upstream's body has shown its first bytes, and rejects when it ends or fails
 * before any: until then no byte has gone to the client, so the call can still be tried again.
 * The bytes are put back and the body left paused: whoever reads it next resumes it.
 */
export function primeBody(upstream: UpstreamResponse): Promise<void> {
  const body = upstream.body;
  return new Promise((resolve, reject) => {
    const settle = (error: Error | null, chunk?: Buffer) => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', settle);
      body.off('close', onClose);
      if (error !== null) return reject(error);
      body.pause();
      body.unshift(chunk);
      resolve();
    };
    const onData = (chunk: Buffer) => settle(null, chunk);
    const onEnd = () => settle(new Error('the body ended before its first byte'));
    const onClose = () => settle(new Error('the body closed before its first byte'));
    body.on('data', onData);
    body.once('end', onEnd);
    body.once('error', settle);
    body.once('close', onClose);
  });
}

/**
 * One call to the route's upstream, where the provider says and signed as it says, with the
 * route's key. An error status becomes the vendor's error (status and message kept, secrets
 * scrubbed); a redirect is refused, never followed.
 */
export async function sendUpstream(options: SendOptions): Promise<UpstreamResponse> {
  const { route, provider } = options;
  const path = provider.path(options.target);
  if (path === null) {
    throw new GatewayError(
      400,
      'invalid_request',
      `Vendor "${route.vendor}" has no ${options.target.operation} endpoint.`,
    );
  }
  const upstream = await options.upstreams.send({
    url: `${route.baseUrl}/${path}`,
    method: options.method,
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...provider.defaultHeaders,
      ...options.headers,
      ...(await provider.authorize(route.apiKey)),
    },
    body: options.body,
    timeouts: options.timeouts,
    signal: options.signal,
    controller: options.controller,
  });
  if (upstream.statusCode >= 300) {
    const text = await readText(upstream, options.maxBodyBytes ?? DEFAULT_UPSTREAM_LIMITS.bodyBytes).catch(
      () => '',
    );
    if (upstream.statusCode < 400) {
      throw new GatewayError(
        502,
        'upstream_error',
        `The upstream answered with a redirect (${upstream.statusCode}); Switchboard does not follow redirects: check the route's baseUrl.`,
      );
    }
    const error = formatFor(provider.format).mapError(
      upstream.statusCode,
      scrubSecrets(text, [route.apiKey]),
    );
    const retryAfter = upstream.headers['retry-after'];
    if (typeof retryAfter === 'string') error.headers['retry-after'] = retryAfter;
    throw new VendorAnswerError(upstream.statusCode, error);
  }
  return upstream;
}

/** How much of an upstream's answer is read at most: a whole body, and one event of a stream. */
export interface UpstreamLimits {
  bodyBytes: number;
  eventBytes: number;
}

/** Far above any real answer (a long completion is a few MiB), far below what would hurt the laptop. */
export const DEFAULT_UPSTREAM_LIMITS: UpstreamLimits = {
  bodyBytes: 64 * 1024 * 1024,
  eventBytes: 16 * 1024 * 1024,
};

/** The limits in force: the server section's `maxUpstreamBodyMb` / `maxUpstreamEventMb`, else the defaults. */
export function upstreamLimits(server: {
  maxUpstreamBodyMb?: number;
  maxUpstreamEventMb?: number;
}): UpstreamLimits {
  return {
    bodyBytes:
      server.maxUpstreamBodyMb === undefined
        ? DEFAULT_UPSTREAM_LIMITS.bodyBytes
        : server.maxUpstreamBodyMb * 1024 * 1024,
    eventBytes:
      server.maxUpstreamEventMb === undefined
        ? DEFAULT_UPSTREAM_LIMITS.eventBytes
        : server.maxUpstreamEventMb * 1024 * 1024,
  };
}

const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 100) / 100;

/**
 * The upstream's whole body as text, refused with 502 once it passes `limit` bytes (the rest is
 * not read: a runaway answer must not take the gateway's memory with it). A body cut by the
 * upstream is a 502 too, never a 500.
 */
export async function readText(upstream: UpstreamResponse, limit: number): Promise<string> {
  return (await readBytes(upstream, limit)).toString('utf8');
}

/** The same as bytes, for bodies that are not text (audio, images). */
export async function readBytes(upstream: UpstreamResponse, limit: number): Promise<Buffer> {
  const declared = Number(upstream.headers['content-length']);
  if (declared > limit) {
    upstream.body.destroy();
    throw tooLargeAnswer(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of upstream.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) {
        upstream.body.destroy();
        throw tooLargeAnswer(limit);
      }
      chunks.push(chunk);
    }
  } catch (error) {
    throw upstreamFailure(error);
  }
  return Buffer.concat(chunks, size);
}

function tooLargeAnswer(limit: number): GatewayError {
  return new GatewayError(
    502,
    'upstream_error',
    `The upstream's answer is larger than the limit of ${mib(limit)} MiB (server.maxUpstreamBodyMb).`,
  );
}

export async function readJson(
  upstream: UpstreamResponse,
  limit: number = DEFAULT_UPSTREAM_LIMITS.bodyBytes,
): Promise<{ raw: string; parsed: unknown }> {
  const raw = await readText(upstream, limit);
  try {
    return { raw, parsed: JSON.parse(raw) };
  } catch {
    throw new GatewayError(502, 'upstream_error', 'The upstream answered with something that is not JSON.');
  }
}

export function isEventStream(upstream: UpstreamResponse): boolean {
  const type = upstream.headers['content-type'];
  return typeof type === 'string' && type.includes('text/event-stream');
}

/** What the client is told when the upstream's stream could not be read; never the stream's content. */
export function streamProblem(error: unknown): string {
  if (error instanceof SseEventTooLargeError)
    return `The upstream sent an event larger than the limit: ${error.message}`;
  return 'The upstream sent a stream that could not be read.';
}
