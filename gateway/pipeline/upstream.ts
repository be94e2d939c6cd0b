import type { Context } from 'koa';
import type { RuntimeRoute } from '../catalog.ts';
import { GatewayError, openAiErrorBody } from '../errors.ts';
import {
  upstreamFailure,
  type EffectiveTimeouts,
  type UpstreamResponse,
  type Upstreams,
} from '../forward.ts';
import { formatSse, SseEventTooLargeError, SseParser } from '../protocol/sse.ts';
import { appendLoggedBody, type RecordDraft } from '../recorder.ts';
import { scrubKey, scrubSecrets } from '../scrub.ts';
import { errorMessageOf } from './recorded.ts';
import type { ChatStream, Vendor } from '../formats/types.ts';

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
  vendor: Vendor;
  method: string;
  path: string;
  body?: string | Buffer | undefined;
  headers?: Record<string, string>;
  timeouts: EffectiveTimeouts;
  signal: AbortSignal;
  /** The controller behind `signal`, if this call alone uses it (see UpstreamCall). */
  controller?: AbortController;
  /** The largest upstream body read whole (an error body here). */
  maxBodyBytes?: number;
}

/**
 * One call to the route's upstream with the route's key. An error status becomes the vendor's
 * error (status and message kept, secrets scrubbed); a redirect is refused, never followed.
 */
export async function sendUpstream(options: SendOptions): Promise<UpstreamResponse> {
  const { route, vendor } = options;
  const upstream = await options.upstreams.send({
    url: `${route.baseUrl}/${options.path}`,
    method: options.method,
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
      ...vendor.authHeaders(route.apiKey),
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
    const error = vendor.mapError(upstream.statusCode, scrubSecrets(text, [route.apiKey]));
    const retryAfter = upstream.headers['retry-after'];
    if (typeof retryAfter === 'string') error.headers['retry-after'] = retryAfter;
    throw error;
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

export interface RelayOptions {
  /** The largest single event accepted from the upstream. */
  maxEventBytes: number;
  /** The route's key: never relayed to the client, even if the upstream echoes it. */
  key: string | null;
}

/**
 * Relays an upstream SSE stream to the client event by event, through the vendor's reducer,
 * without buffering. Resolves when the stream is over (complete, failed or cut by either side)
 * with the draft updated; the caller has already taken over the response. The response is ended
 * only after the request's row is durable.
 */
export function relayStream<State>(
  ctx: Context,
  upstream: UpstreamResponse,
  reducer: ChatStream<State>,
  state: State,
  draft: RecordDraft,
  options: RelayOptions,
): Promise<void> {
  const response = ctx.res;
  ctx.respond = false;
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
  });
  // No flushHeaders(): the headers leave with the first event, in one write instead of two.
  const body = upstream.body;
  // `[DONE]` tells a client its answer is over: it goes out only once the row is written.
  let done = false;
  const write = (payload: string) => {
    if (payload === '[DONE]') {
      done = true;
      return;
    }
    if (draft.firstByteAt === null) draft.firstByteAt = performance.now();
    const safe = scrubKey(payload, options.key);
    if (draft.bodies) appendLoggedBody(draft, `${safe}\n`);
    if (!response.write(formatSse(safe))) body.pause();
  };
  response.on('drain', () => body.resume());
  const parser = new SseParser(
    (event) => {
      for (const payload of reducer.next(state, event)) {
        // The vendor's own words for an error inside the stream, for the request log.
        if (draft.errorMessage === null && reducer.errorCode(state) !== null)
          draft.errorMessage = errorMessageOf(payload);
        write(payload);
      }
    },
    { maxEventBytes: options.maxEventBytes },
  );

  return new Promise<void>((resolve) => {
    let failure: GatewayError | null = null;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      draft.usage = reducer.usage(state);
      draft.upstreamModel = reducer.upstreamModel(state);
      draft.status = 200;
      if (response.destroyed) {
        draft.partial = true;
        draft.errorCode ??= 'client_closed';
        return resolve();
      }
      const tail = reducer.end(state);
      for (const payload of tail.payloads) write(payload);
      const reported = reducer.errorCode(state);
      if (!failure && !tail.complete && reported !== null) {
        // The vendor's own error event already went out as one OpenAI-style error: no second one.
        draft.partial = true;
        draft.errorCode = reported;
      } else if (failure || !tail.complete) {
        const error =
          failure ??
          new GatewayError(
            502,
            'upstream_error',
            'The upstream stream ended before the answer was complete.',
          );
        write(JSON.stringify(openAiErrorBody(error)));
        draft.partial = true;
        draft.errorCode = error.code;
        draft.errorMessage = error.message;
      } else {
        draft.errorCode = reducer.errorCode(state);
      }
      void draft.commit().then(() => {
        if (done) {
          if (draft.bodies) appendLoggedBody(draft, '[DONE]\n');
          response.write(formatSse('[DONE]'));
        }
        response.end();
        resolve();
      });
    };
    // undici's body ignores setEncoding: decoded here, a character split across chunks kept whole.
    const decoder = new TextDecoder();
    body.on('data', (chunk: Buffer) => {
      if (finished) return;
      try {
        parser.push(decoder.decode(chunk, { stream: true }));
      } catch (error) {
        // An event over the cap, or one no reducer could read: the stream ends here, with an error event.
        failure =
          error instanceof GatewayError
            ? error
            : new GatewayError(502, 'upstream_error', streamProblem(error));
        body.destroy();
        finish();
      }
    });
    body.on('end', () => {
      try {
        parser.end();
      } catch (error) {
        failure ??= new GatewayError(502, 'upstream_error', streamProblem(error));
      }
      finish();
    });
    body.on('error', (error) => {
      failure ??= upstreamFailure(error);
      finish();
    });
    body.on('close', () => {
      // Destroyed without an error or an end (the client left and the call was aborted).
      finish();
    });
  });
}

/** What the client is told when the upstream's stream could not be read; never the stream's content. */
export function streamProblem(error: unknown): string {
  if (error instanceof SseEventTooLargeError)
    return `The upstream sent an event larger than the limit: ${error.message}`;
  return 'The upstream sent a stream that could not be read.';
}
