import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Recorder } from '../recorder.ts';
import { newDraft } from '../recorder.ts';
import type { Endpoint } from '../store/types.ts';
import { isJsonObject } from '../formats/upstream-json.ts';
import { isTokenCount } from '../formats/usage-check.ts';
import type { GatewayError } from '../errors.ts';
import type { GatewayContext, Middleware } from './context.ts';
import { toGatewayError, writeError, type Logger } from './errors.ts';

/** Answers the gateway itself cut at the end of its shutdown grace: their rows say so, not that the client left. */
export const cutAtShutdown = new WeakSet<ServerResponse>();

/** The request's row id, for a client (or a crash test) to find its row. */
export const REQUEST_ID_HEADER = 'x-switchboard-request-id';

/**
 * Wraps a proxy endpoint so that every request leaves exactly one row, whatever happens:
 * success, a refused key, an upstream failure, or a client that hangs up mid-stream. An answer
 * is completed to the client only after its row is durable: a non-streamed answer is sent once
 * the row is written, and a stream relay awaits `draft.commit()` before it ends the response.
 */
export function recorded(
  endpoint: Endpoint,
  recorder: Recorder,
  log: Logger,
  errorShape?: (ctx: GatewayContext) => ((error: GatewayError) => unknown) | undefined,
): Middleware {
  return async function recordedMiddleware(ctx, next) {
    const draft = newDraft(endpoint, Date.now(), performance.now());
    recorder.began();
    ctx.state.draft = draft;
    ctx.set(REQUEST_ID_HEADER, draft.id);
    let committed: Promise<void> | null = null;
    draft.commit = () => {
      if (committed === null) {
        if (draft.status === 0) draft.status = ctx.res.headersSent ? ctx.res.statusCode : 499;
        // The Retry-After the caller got with its error (the gateway's own, or the vendor's passed on).
        if (draft.status >= 400 && draft.retryAfter === null) {
          const header = ctx.res.getHeader('retry-after');
          const retryAfter = Array.isArray(header) ? header[0] : header;
          if (retryAfter !== undefined && retryAfter !== '') draft.retryAfter = String(retryAfter);
        }
        // Cut before the vendor said its input tokens (by either side), or a whole stream from an
        // upstream that never says them: counted from the request, and a whole one says so.
        const cut = draft.partial || draft.status === 499;
        // (A count the upstream did report, however wrong, stays its own: the recorder marks it unknown.)
        const unreported =
          draft.stream && draft.status >= 200 && draft.status < 300 && draft.usage.inputTokens === null;
        if ((cut || unreported) && draft.countInput && !isTokenCount(draft.usage.inputTokens)) {
          try {
            const counted = draft.countInput();
            // A body whose text the gateway cannot read (another API's shape on /proxy) counts nothing: left unknown.
            if (cut || counted > 0) draft.usage = { ...draft.usage, inputTokens: counted };
            if (!cut && counted > 0) {
              draft.note ??=
                'usage estimated: the upstream reported none (input counted by the gateway, output from the streamed text)';
            }
          } catch (error) {
            log('error', `could not count the input tokens of request ${draft.id}: ${String(error)}`);
          }
        }
        committed = recorder.commit(draft, performance.now()).catch((error: unknown) => {
          log('error', `could not record request ${draft.id}: ${String(error)}`);
        });
      }
      return committed;
    };
    ctx.res.once('close', () => {
      if (committed !== null) return;
      if (!ctx.res.writableFinished) {
        // The client left before the whole answer was written, or the gateway's shutdown cut it.
        draft.partial = true;
        draft.errorCode ??= cutAtShutdown.has(ctx.res) ? 'shutting_down' : 'client_closed';
      }
      // A stream still being read for its usage is recorded once that ends.
      if (draft.pending) void draft.pending.then(draft.commit, draft.commit);
      else void draft.commit();
    });
    try {
      await next();
    } catch (thrown) {
      const error = toGatewayError(thrown, log);
      draft.errorCode = error.code;
      draft.errorMessage = error.message;
      writeError(ctx, error, errorShape?.(ctx));
    }
    if (ctx.respond !== false) {
      draft.status = ctx.status;
      // A vendor's error passed through as it came (`/proxy`): its message is read from the body.
      if (draft.status >= 400 && draft.errorMessage === null) draft.errorMessage = errorMessageOf(ctx.body);
      draft.firstByteAt ??= performance.now();
      // A body that is a stream (a /proxy pass-through) commits when it ends, like the relay.
      if (!isStreamBody(ctx.body)) await draft.commit();
    }
  };
}

/** Error bodies this large are not parsed for their message: their start is kept as it is. */
const MAX_PARSED_ERROR_BODY = 256 * 1024;

/**
 * The message of an error body in any vendor's shape — `{"error":{"message"}}` (OpenAI, Anthropic,
 * Google, also in a one-item array), `{"error":"…"}` (Ollama), `{"message"}` — else its text. Null
 * for a body that is a stream or empty. The recorder scrubs and caps what this returns.
 */
export function errorMessageOf(body: unknown): string | null {
  const text = Buffer.isBuffer(body)
    ? body.toString('utf8', 0, MAX_PARSED_ERROR_BODY + 1)
    : typeof body === 'string'
      ? body
      : null;
  if (text !== null && text.trim() === '') return null;
  let value: unknown = body;
  if (text !== null) {
    if (text.length > MAX_PARSED_ERROR_BODY) return text;
    try {
      value = JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  if (Array.isArray(value)) value = value[0];
  const error = isJsonObject(value) && !isStreamBody(value) ? (value['error'] ?? value) : null;
  const message = typeof error === 'string' ? error : isJsonObject(error) ? error['message'] : null;
  // A body with no message where one is expected is still the best account of what went wrong.
  return typeof message === 'string' && message !== '' ? message : text;
}

function isStreamBody(body: unknown): boolean {
  return typeof body === 'object' && body !== null && typeof (body as { pipe?: unknown }).pipe === 'function';
}

/** The endpoint a proxy path is recorded under, as endpoints.ts mounts them; null for a path that is not the proxy's. */
export function endpointOfPath(path: string): Endpoint | null {
  if (path.startsWith('/proxy/')) return 'proxy';
  if (path.startsWith('/gemini/')) return /\/models\/?$/.test(path) ? 'models' : 'chat.completions';
  if (path.startsWith('/anthropic/')) return /\/v1\/models\/?$/.test(path) ? 'models' : 'messages';
  if (path === '/v1/messages' || path.startsWith('/v1/messages/')) return 'messages';
  if (path.startsWith('/openai/') || path.startsWith('/v1/')) {
    if (path.endsWith('/embeddings')) return 'embeddings';
    if (path.endsWith('/models')) return 'models';
    if (/\/responses(?:\/[^/]+)?$/.test(path)) return 'responses';
    // Any other path under a route's OpenAI prefix has a row (a 404); at the root, only chat does.
    if (path.startsWith('/openai/') || path.endsWith('/chat/completions')) return 'chat.completions';
  }
  return null;
}

/** The route a proxy path names (`/openai/{routeId}/…`), decoded; undefined at the root or when it cannot be decoded. */
export function routeOfPath(path: string): string | undefined {
  const match = /^\/(?:openai|anthropic|gemini|proxy)\/([^/]+)/.exec(path);
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return undefined;
  }
}

/** A request refused because the gateway is shutting down, as it was recorded. */
export interface Refusal {
  /** Its row's id, set on the answer as every proxy answer has it; null for a path that is not the proxy's. */
  id: string | null;
  /** On `/proxy/{route}`, the route's own error shape (CONTRACT §3), where the path names a known route. */
  errorBody?: ((error: GatewayError) => unknown) | undefined;
}

export type RefusalRecorder = (request: IncomingMessage, error: GatewayError) => Refusal;

/** A route as a refusal names it: the row's fields, and (on `/proxy`) the error shape its clients read. */
export interface RefusedRoute {
  id: string;
  vendor: string;
  errorBody?: ((error: GatewayError) => unknown) | undefined;
}

/**
 * Records a request the gateway refused before its app ran (a 503 while it shuts down), so that it
 * leaves its row like any other: no app (none was asked for), the route where the path names a
 * known one. No row for a path that is not the proxy's (as for the dashboard's).
 */
export function refusalRecorder(
  recorder: Recorder,
  routes: (id: string) => RefusedRoute | undefined,
): RefusalRecorder {
  return (request, error) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const endpoint = endpointOfPath(path);
    if (endpoint === null) return { id: null };
    const draft = newDraft(endpoint, Date.now(), performance.now());
    recorder.began();
    const named = routeOfPath(path);
    const route = named === undefined ? undefined : routes(named);
    if (route) {
      draft.route = route.id;
      draft.vendor = route.vendor;
    }
    draft.status = error.status;
    draft.errorCode = error.code;
    draft.errorMessage = error.message;
    draft.retryAfter = error.headers['retry-after'] ?? null;
    draft.firstByteAt = performance.now();
    void recorder.commit(draft, performance.now());
    return { id: draft.id, errorBody: endpoint === 'proxy' ? route?.errorBody : undefined };
  };
}
