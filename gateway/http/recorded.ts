import type { Recorder } from '../recorder.ts';
import { newDraft } from '../recorder.ts';
import type { Endpoint } from '../store/types.ts';
import { isJsonObject } from '../formats/upstream-json.ts';
import { isTokenCount } from '../formats/usage-check.ts';
import type { GatewayError } from '../errors.ts';
import type { GatewayContext, Middleware } from './context.ts';
import { toGatewayError, writeError, type Logger } from './errors.ts';

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
        // The client left before the whole answer was written.
        draft.partial = true;
        draft.errorCode ??= 'client_closed';
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
