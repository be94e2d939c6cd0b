import type { JsonObject, Usage, VendorId } from '../domain.ts';

export { NO_USAGE } from '../domain.ts';
export type { JsonObject, Usage } from '../domain.ts';
import type { GatewayError } from '../errors.ts';
import type { SseEvent } from '../protocol/sse.ts';

/** What to send upstream: a path below the route's baseUrl (it may carry a query string) and a JSON body. */
export interface UpstreamRequest {
  path: string;
  body: JsonObject;
}

export interface ChatCallContext {
  /** The model to ask the vendor for (allow-list checked, default applied, route prefix removed). */
  model: string;
  stream: boolean;
  /**
   * The max_tokens to send when the request names none, for vendors that require one (Anthropic):
   * the model's output limit from the model catalogue, else the route's setting, else a default.
   */
  defaultMaxTokens: number;
}

export interface ResponseContext {
  /** The model the request asked for, used where the vendor's answer does not name one. */
  model: string;
  /** Unix seconds, for the `created` field of translated answers. */
  created: number;
}

export interface StreamContext extends ResponseContext {
  /** The client asked for `stream_options.include_usage`: send it the usage chunk. */
  clientWantsUsage: boolean;
}

export interface ChatResult {
  /** The OpenAI-shaped answer, or null when the upstream's bytes are already that and go out unchanged. */
  body: JsonObject | null;
  usage: Usage;
  upstreamModel: string | null;
}

/**
 * A pure reducer from the vendor's stream events to OpenAI chunk payloads (each a `data:` line,
 * `[DONE]` included). `state` belongs to one stream and is updated in place; nothing else
 * touches it. On `/proxy` the same reducer reads the native stream for usage and its output is
 * ignored.
 */
export interface ChatStream<State> {
  init(context: StreamContext): State;
  next(state: State, event: SseEvent): string[];
  /** The upstream closed: the payloads still owed, and whether the answer was complete. */
  end(state: State): { payloads: string[]; complete: boolean };
  /** The usage so far; for a cut stream, what was seen (output estimated from the streamed text). */
  usage(state: State): Usage;
  upstreamModel(state: State): string | null;
  /** Set when the vendor reported an error inside the stream. */
  errorCode(state: State): string | null;
}

export interface Vendor<State = unknown> {
  id: VendorId;
  /** Headers that carry the vendor key. */
  authHeaders(apiKey: string | null): Record<string, string>;
  /** Headers the vendor requires, sent unless a `/proxy` caller sent its own (`anthropic-version`). */
  defaultHeaders: Record<string, string>;
  chat: {
    /** OpenAI Chat Completions request → the vendor's; throws GatewayError 400 for what it cannot carry. */
    request(body: JsonObject, context: ChatCallContext): UpstreamRequest;
    /** The vendor's answer → OpenAI's (or null body when it already is), with usage. */
    response(body: unknown, context: ResponseContext): ChatResult;
    stream: ChatStream<State>;
  };
  embeddings: {
    request(body: JsonObject, context: { model: string }): UpstreamRequest;
    /** `encodingFormat` is the client's `encoding_format`: the OpenAI SDKs ask for base64 by default. */
    response(body: unknown, context: ResponseContext & { encodingFormat?: unknown }): ChatResult;
  } | null;
  models: { path: string; parse(body: unknown): string[] };
  /** The vendor's error body → a gateway error with the vendor's status, type and message. */
  mapError(status: number, body: string): GatewayError;
  /** A gateway error (401, 403, 502…) in this vendor's own error shape, for `/proxy`. */
  errorBody(error: GatewayError): unknown;
  /** The model a native `/proxy` request names in its path (Gemini puts it there), else null. */
  modelFromPath(path: string): string | null;
}
