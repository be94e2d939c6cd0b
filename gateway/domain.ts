/**
 * The gateway's shared vocabulary: the ground floor that config, store, policy, formats and
 * providers all import, and that imports nothing. Types here say what a thing is; how it is
 * written in the config file (config/schema.ts) or stored (store/) is decided above.
 */

/** The providers this version can call (one file each in providers/). */
export const VENDOR_IDS = ['openai', 'anthropic', 'gemini', 'ollama', 'openai-compatible'] as const;
export type VendorId = (typeof VENDOR_IDS)[number];

/** The vendor a route gets when its config names neither a vendor nor a preset. */
export const DEFAULT_VENDOR: VendorId = 'openai';

/** The built-in app the dashboard's playground prompts and replays are sent (and recorded, and charged) as. */
export const PLAYGROUND_APP = 'playground';

export type BudgetPeriod = 'day' | 'week' | 'month';

/** A spending limit in US dollars per calendar period (UTC). */
export interface Budget {
  usd: number;
  period: BudgetPeriod;
}

/** Upstream timeouts in milliseconds; each one unset falls back to the layer below. */
export interface Timeouts {
  /** Time to open the TCP/TLS connection. */
  connectMs?: number | undefined;
  /** Time from sending the request to the upstream's response headers. */
  headersMs?: number | undefined;
  /** Longest silence allowed between two pieces of the upstream's body. */
  idleMs?: number | undefined;
  /** The whole exchange, the answer's body included (a stream that drips a byte at a time ends here). */
  totalMs?: number | undefined;
}

/** Requests and tokens per minute. */
export interface RateLimit {
  rpm?: number | undefined;
  tpm?: number | undefined;
}

export type JsonObject = Record<string, unknown>;

/**
 * Token counts; null where the vendor did not say. `inputTokens` is the whole prompt, cache reads
 * and writes included; `outputTokens` includes reasoning tokens. As the formats read them these
 * are the upstream's numbers, unchecked (NaN where it sent something that is not a number, see
 * readCount); checkUsage (formats/usage-check.ts) turns them into what is recorded and priced.
 */
export interface Usage {
  inputTokens: number | null;
  outputTokens: number | null;
  /** Prompt tokens read from the vendor's cache (billed at the cached rate). */
  cachedInputTokens: number | null;
  reasoningTokens: number | null;
  /** Prompt tokens written to the vendor's cache (Anthropic bills them above the input rate); for pricing only. */
  cacheWriteTokens?: number | null;
}

export const NO_USAGE: Usage = Object.freeze({
  inputTokens: null,
  outputTokens: null,
  cachedInputTokens: null,
  reasoningTokens: null,
});
