import type { Context } from 'koa';
import type { RuntimeRoute } from '../catalog.ts';
import { GatewayError, openAiErrorBody } from '../errors.ts';
import {
  upstreamFailure,
  type EffectiveTimeouts,
  type UpstreamResponse,
  type Upstreams,
} from '../forward.ts';
import { formatSse, SseParser } from '../protocol/sse.ts';
import { appendLoggedBody, type RecordDraft } from '../recorder.ts';
import { scrubSecrets } from '../scrub.ts';
import type { ChatStream, Vendor } from '../vendors/types.ts';

/** Upstream response headers worth passing on to the client. */
const PASSED_HEADERS = ['x-request-id', 'openai-processing-ms', 'retry-after'];

export function passUpstreamHeaders(ctx: Context, upstream: UpstreamResponse): void {
  for (const name of PASSED_HEADERS) {
    const value = upstream.headers[name];
    if (typeof value === 'string') ctx.set(name, value);
  }
  for (const [name, value] of Object.entries(upstream.headers)) {
    if (name.startsWith('x-ratelimit-') && typeof value === 'string') ctx.set(name, value);
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
  });
  if (upstream.statusCode >= 300) {
    const text = await readText(upstream).catch(() => '');
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

export async function readText(upstream: UpstreamResponse): Promise<string> {
  try {
    return await upstream.body.text();
  } catch (error) {
    throw upstreamFailure(error);
  }
}

export async function readJson(upstream: UpstreamResponse): Promise<{ raw: string; parsed: unknown }> {
  const raw = await readText(upstream);
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

/**
 * Relays an upstream SSE stream to the client event by event, through the vendor's reducer,
 * without buffering. Resolves when the stream is over (complete, failed or cut by either side)
 * with the draft updated; the caller has already taken over the response.
 */
export function relayStream<State>(
  ctx: Context,
  upstream: UpstreamResponse,
  reducer: ChatStream<State>,
  state: State,
  draft: RecordDraft,
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
  const write = (payload: string) => {
    if (draft.firstByteAt === null) draft.firstByteAt = performance.now();
    if (draft.bodies) appendLoggedBody(draft, `${payload}\n`);
    if (!response.write(formatSse(payload))) body.pause();
  };
  response.on('drain', () => body.resume());
  const parser = new SseParser((event) => {
    for (const payload of reducer.next(state, event)) write(payload);
  });

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
      } else {
        draft.errorCode = reducer.errorCode(state);
      }
      response.end();
      resolve();
    };
    body.setEncoding('utf8');
    body.on('data', (text: string) => parser.push(text));
    body.on('end', () => {
      parser.end();
      finish();
    });
    body.on('error', (error) => {
      failure = upstreamFailure(error);
      finish();
    });
  });
}
