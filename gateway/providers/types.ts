import type { VendorId } from '../domain.ts';
import type { FormatId } from '../formats/types.ts';

/**
 * What one upstream call does: those the gateway makes itself, and token counting, passed
 * through where the client's format is the provider's. `/proxy` calls any path.
 */
export type Operation = 'chat' | 'embeddings' | 'models' | 'count_tokens';

export interface CallTarget {
  operation: Operation;
  /** The model the call is for (empty for a model list). */
  model: string;
  stream: boolean;
}

/** What a native `/proxy` path says about the call it makes. */
export interface PathReading {
  /** The model the path names (Gemini puts it there), else null. */
  model: string | null;
  /** The path asks for a stream whatever the body says. */
  stream: boolean;
  /** A chat call, whose stream the format's reducer can tell complete from cut. */
  chat: boolean;
  /** The path's calls are in another format it speaks (OpenAI's `responses`), else its own. */
  format?: FormatId;
}

/** Another format a provider takes as it is, and where. */
export interface OtherFormat {
  path(target: CallTarget): string;
  /** Spoken by every server of this vendor; else only where the route says its server does. */
  always: boolean;
}

/**
 * Where a call to one vendor goes and how it is signed, apart from the wire format it speaks (so
 * that several providers can share one format: Anthropic Messages by Anthropic, Bedrock, Vertex).
 */
export interface Provider {
  id: VendorId;
  /** The wire format its chat, embeddings and model-list calls speak. */
  format: FormatId;
  /**
   * The path below the route's base URL for one call (it may carry a query string); null for an
   * operation the vendor does not have (token counting at OpenAI).
   */
  path(target: CallTarget): string | null;
  /**
   * The headers that sign a call with the route's key. Async, so that request signatures (SigV4)
   * and short-lived tokens (OAuth) fit without changing callers.
   */
  authorize(apiKey: string | null): Promise<Record<string, string>>;
  /**
   * Other formats it takes as they are, beyond its own (OpenAI's Responses API at OpenAI), with the
   * path of a call in each: such a request is passed through, not translated.
   */
  alsoSpeaks: Partial<Record<FormatId, OtherFormat>>;
  /** Headers the vendor requires, sent unless a `/proxy` caller sent its own (`anthropic-version`). */
  defaultHeaders: Readonly<Record<string, string>>;
  /** How its streams are framed. */
  framing: 'sse';
  /** What a native `/proxy` path names. */
  readPath(path: string): PathReading;
  /** Whether a route at `baseUrl` runs on this machine, where loading a model may come first (timeouts). */
  isLocal(baseUrl: string): boolean;
  /** Whether its calls cost nothing unless a price override says otherwise (a server on this machine). */
  isFree(baseUrl: string): boolean;
  /** Its name in the price catalogue (@pydantic/genai-prices), where it is one provider there. */
  pricingId: string | null;
  /**
   * How much more its tokenizer may count than the gateway's (OpenAI's o200k): input counts for
   * budgets and rate limits are raised by this factor so that they never undercount.
   */
  tokenMargin: number;
}
