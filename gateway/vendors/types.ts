import type { VendorId } from '../config/schema.ts';
import type { GatewayError } from '../errors.ts';
import type { SseEvent } from '../protocol/sse.ts';

/** Token counts as recorded; null where the vendor did not say. */
export interface Usage {
  inputTokens: number | null;
  outputTokens: number | null;
  cachedInputTokens: number | null;
  reasoningTokens: number | null;
}

export const NO_USAGE: Usage = Object.freeze({
  inputTokens: null,
  outputTokens: null,
  cachedInputTokens: null,
  reasoningTokens: null,
});

export type JsonObject = Record<string, unknown>;

/** What to send upstream: a path below the route's baseUrl and a JSON body. */
export interface UpstreamRequest {
  path: string;
  body: JsonObject;
}

export interface ChatCallContext {
  /** The model to ask the vendor for (allow-list checked, default applied, route prefix removed). */
  model: string;
  stream: boolean;
}

export interface ChatResult {
  /** The OpenAI-shaped answer, or null when the upstream's bytes are already that and go out unchanged. */
  body: JsonObject | null;
  usage: Usage;
  upstreamModel: string | null;
}

/**
 * A pure reducer from the vendor's stream events to OpenAI chunk payloads (each a `data:` line).
 * `state` is owned by one stream and updated in place; nothing else touches it.
 */
export interface ChatStream<State> {
  init(context: { model: string; clientWantsUsage: boolean }): State;
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
  /** Headers that carry the vendor key (and any version header the vendor requires). */
  authHeaders(apiKey: string | null): Record<string, string>;
  chat: {
    request(body: JsonObject, context: ChatCallContext): UpstreamRequest;
    response(body: unknown): ChatResult;
    stream: ChatStream<State>;
  };
  embeddings: {
    request(body: JsonObject, context: { model: string }): UpstreamRequest;
    response(body: unknown): ChatResult;
  } | null;
  models: { path: string; parse(body: unknown): string[] };
  /** The vendor's error body → a gateway error with the vendor's status, type and message. */
  mapError(status: number, body: string): GatewayError;
}
