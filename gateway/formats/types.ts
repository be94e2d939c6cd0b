import type { JsonObject, Usage } from '../domain.ts';
import type { GatewayError } from '../errors.ts';
import type { Pattern } from '../filters/patterns.ts';
import type { SseEvent } from '../protocol/sse.ts';

export { NO_USAGE } from '../domain.ts';
export type { JsonObject, Usage } from '../domain.ts';

/**
 * The wire formats this version reads and writes. OpenAI Chat Completions is the hub: every other
 * format translates to and from it.
 */
export type FormatId = 'openai-chat' | 'anthropic-messages' | 'gemini-generate' | 'openai-responses';

export interface ChatCallContext {
  /** The model to ask the vendor for (allow-list checked, default applied, route prefix removed). */
  model: string;
  stream: boolean;
  /**
   * The max_tokens to send when the request names none, for vendors that require one (Anthropic):
   * the model's output limit from the model limits table (models/limits.ts), else the route's setting, else a default.
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
  /** The hub-shaped answer, or null when the upstream's bytes are already that and go out unchanged. */
  body: JsonObject | null;
  usage: Usage;
  upstreamModel: string | null;
}

/**
 * One part of a hub stream: what a format's reducer makes of the vendor's events, and what the
 * pipeline redacts once and encodes for the client. Serialised only at the edge.
 */
export type HubPart =
  /**
   * An OpenAI `chat.completion.chunk` (or an error chunk, `{"error": …}`). `text` is its exact
   * serialisation when it came from the upstream unchanged, so that it goes on byte for byte;
   * whoever changes `chunk` drops `text`.
   */
  | { type: 'chunk'; chunk: JsonObject; text?: string }
  /** Event data that is not a JSON object (or too deep to re-serialise): passed on as it came. */
  | { type: 'raw'; data: string }
  /** The end of the answer (`[DONE]`). */
  | { type: 'done' };

/**
 * A pure reducer from a vendor's stream events to hub parts. `state` belongs to one stream and is
 * updated in place; nothing else touches it. On `/proxy` the same reducer reads the native stream
 * for usage and its parts are not used.
 */
export interface ChatStream<State> {
  init(context: StreamContext): State;
  next(state: State, event: SseEvent): HubPart[];
  /** The upstream closed: the parts still owed, and whether the answer was complete. */
  end(state: State): { parts: HubPart[]; complete: boolean };
  /** The usage so far; for a cut stream, what was seen (output estimated from the streamed text). */
  usage(state: State): Usage;
  upstreamModel(state: State): string | null;
  /** Set when the vendor reported an error inside the stream. */
  errorCode(state: State): string | null;
}

/** One piece of text in a request, with its role, that a filter may read and rewrite in place. */
export interface TextSlot {
  role: string;
  text: string;
  set(text: string): void;
}

/**
 * What policy needs to read and rewrite in a request body of one format, without knowing the
 * format: its text, its system prompt, its output limit and its model.
 */
export interface RequestView {
  /** System prompts, messages' text parts, tool results and tool-call arguments, in order. */
  textSlots(body: JsonObject): TextSlot[];
  /**
   * Puts `text` first, last, or alone as the system prompt. Where it already stands in that place
   * (a logged request sent again, after this filter), the body is left as it is: never added twice.
   */
  setSystemPrompt(body: JsonObject, mode: 'prepend' | 'append' | 'replace', text: string): void;
  /** Lowers the request's output limit to `max` (sets it when it names none). */
  capMaxTokens(body: JsonObject, max: number): void;
  /** The output limit the request names, if it names a positive one. */
  maxTokens(body: JsonObject): number | undefined;
  /** Writes the model a filter chose into the body; a no-op where the model is in the URL. */
  setModel(body: JsonObject, model: string): void;
}

/** A vendor's native stream, redacted; events out as `{event, data}`. */
export interface StreamRedactor {
  next(event: SseEvent): { event: string | undefined; data: string }[];
  end(): { event: string | undefined; data: string }[];
}

/** One event of a stream in some format, before framing (`event:` name, `data:` text). */
export interface StreamEvent {
  event: string | undefined;
  data: string;
}

/**
 * Seals what a vendor needs back on a later turn (Anthropic's signed thinking, Gemini's thought
 * signatures) into a token a client holds and returns unchanged, for formats with no field of
 * their own for it (the Responses API's `encrypted_content`). Only this gateway opens its tokens,
 * so a client can neither read nor forge what a vendor will trust.
 */
export interface Carrier {
  seal(state: JsonObject): string;
  /** The state sealed in `token`; null for anything this gateway did not seal (or was altered). */
  open(token: string): JsonObject | null;
  /** Whether `token` looks like one of this gateway's (a vendor's own would go back to that vendor). */
  owns(token: string): boolean;
}

export interface InboundResponseContext {
  /** The model the client asked for, as it named it (answers name this one). */
  model: string;
  /** Where the format has no field for vendor state, how it carries it to the next turn; none: not carried. */
  carrier?: Carrier;
}

/** What a client's request is read with, besides itself. */
export interface InboundRequestContext {
  model: string;
  /** Opens the vendor state the gateway's earlier answers carried (see {@link Carrier}). */
  carrier?: Carrier;
}

export interface InboundStreamContext extends InboundResponseContext {
  /**
   * The request's input tokens as the gateway counts them, for formats that must say a count
   * before the vendor has (Anthropic's `message_start`); never 0 for a non-empty prompt.
   */
  estimatedInputTokens: number;
}

/** A kept answer: what a later request continues from, or a client reads again. */
export interface KeptAnswer {
  input: JsonObject[];
  output: JsonObject[];
  instructions: string | null;
  model: string;
  status: string;
  usage: JsonObject | null;
}

/** How a format's requests continue kept answers, and what of an answer is kept. */
export interface StoredAnswers {
  /** The id of the kept answer this request continues, or null. */
  continues(body: JsonObject): string | null;
  /** Whether the client asks for this answer to be kept (the API's default where it says none). */
  keep(body: JsonObject): boolean;
  /** The request standing alone: the kept answer's context, then its own. */
  expand(body: JsonObject, previous: KeptAnswer): JsonObject;
  /** What to keep of an answer to `request` (already expanded). */
  record(request: JsonObject, answer: JsonObject): KeptAnswer;
  /** The answer's id, from the answer the client got. */
  id(answer: JsonObject): string | null;
  /** The final answer among a stream's events, if they hold it. */
  finalAnswer(events: readonly StreamEvent[]): JsonObject | null;
  /** A kept answer as the format shows it again (`GET …/{id}`). */
  show(id: string, createdAt: number, kept: KeptAnswer): JsonObject;
  /** The format's answer to deleting a kept answer. */
  deleted(id: string): JsonObject;
  /** The error for a request continuing an answer that is not kept (unknown, expired, another app's). */
  continuesUnknown(id: string): GatewayError;
  /** The error for reading or deleting one. */
  unknown(id: string): GatewayError;
}

/**
 * The inbound direction of a format: a client's request in it becomes the hub's, and the hub's
 * answer and stream parts become its own. Pure; the stream encoder's state belongs to one stream.
 */
export interface InboundDirection<EncoderState = unknown> {
  /**
   * A client's chat request → the hub's (an OpenAI Chat Completions body, `model` set to
   * `context.model`). Throws GatewayError 400 for what the hub cannot carry.
   */
  request(body: JsonObject, context: InboundRequestContext): JsonObject;
  /**
   * The request as a server that speaks this format itself takes it: what only this gateway can
   * read (state it carried for another vendor) removed. Null when nothing is removed.
   */
  forNative?(body: JsonObject, carrier: Carrier): JsonObject | null;
  /** The hub's whole answer (a `chat.completion`) → this format's answer. */
  response(answer: JsonObject, context: InboundResponseContext): JsonObject;
  /**
   * The answer to this format's token-counting call (Anthropic's `count_tokens`, Gemini's
   * `countTokens`) for a route that cannot count: the gateway's own count, in this format's shape.
   */
  tokenCount(inputTokens: number): JsonObject;
  /**
   * Answers the gateway keeps for the client to continue from or read again, where the format has
   * them (the Responses API's `store` and `previous_response_id`) and the route cannot keep them.
   */
  stored?: StoredAnswers;
  /** What a translation of this request leaves out (tools a target cannot run), for the row's note. */
  dropped?(body: JsonObject): string[];
  /** A list of model ids in this format's model-list shape (Anthropic's `{data, has_more…}`, Google's `{models}`). */
  modelList(ids: string[]): JsonObject;
  stream: {
    init(context: InboundStreamContext): EncoderState;
    /** One hub part → this format's events (none, one or several). */
    next(state: EncoderState, part: HubPart): StreamEvent[];
    /**
     * The upstream ended: the events still owed. `usage` is what the vendor reported (or the
     * estimate for a cut stream); `complete` says whether the answer was whole.
     */
    end(state: EncoderState, usage: Usage, complete: boolean): StreamEvent[];
  };
}

/**
 * Everything about one wire shape, pure: how its requests are read by policy, how the hub
 * becomes it and it becomes the hub, its errors, and the redaction of its answers.
 */
export interface WireFormat<State = unknown> {
  id: FormatId;
  view: RequestView;
  /**
   * Checks a request body of this format as a client sent it, for one operation; throws a
   * GatewayError 400 naming what is wrong. Run for every request, whatever the route.
   */
  validate(body: JsonObject, operation: 'chat' | 'embeddings'): void;
  chat: {
    /** A hub request → this format's body; throws GatewayError 400 for what it cannot carry. */
    request(body: JsonObject, context: ChatCallContext): JsonObject;
    /** This format's answer → the hub's (or a null body when it already is), with usage. */
    response(body: unknown, context: ResponseContext): ChatResult;
    stream: ChatStream<State>;
  };
  embeddings: {
    request(body: JsonObject, context: { model: string }): JsonObject;
    /** `encodingFormat` is the client's `encoding_format`: the OpenAI SDKs ask for base64 by default. */
    response(body: unknown, context: ResponseContext & { encodingFormat?: unknown }): ChatResult;
  } | null;
  /** A model list in this format → model ids. */
  parseModelList(body: unknown): string[];
  /** An error body in this format → a gateway error with the vendor's status, type and message. */
  mapError(status: number, body: string): GatewayError;
  /** A gateway error (401, 403, 502…) in this format's own error shape. */
  errorBody(error: GatewayError): unknown;
  /**
   * Clients' requests in this format, translated to and from the hub; null where the format is
   * only spoken to vendors.
   */
  inbound: InboundDirection | null;
  /** The SSE event name this format's stream errors carry (`error` for Anthropic), if any. */
  errorEvent: string | undefined;
  redact: {
    /** Redacts an answer in this format in place. */
    answer(answer: JsonObject, patterns: readonly Pattern[]): void;
    /** A redactor for a stream in this format. */
    stream(patterns: readonly Pattern[]): StreamRedactor;
  };
  /**
   * Where a stream's last event begins in `text` (OpenAI's `[DONE]`, Anthropic's `message_stop`,
   * Gemini's chunk with its finish reason), else -1. That event waits until the row is written.
   */
  terminalEventStart(text: string): number;
}
