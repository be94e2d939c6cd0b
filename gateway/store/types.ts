import type { Budget, RateLimit, Timeouts, VendorId } from '../domain.ts';

export type { RateLimit } from '../domain.ts';

export type Source = 'config' | 'admin';

/**
 * Requested model patterns (glob: `*`, `?`) → the model to use, in order: the first that matches
 * wins. Its order is its meaning, so it is kept as written (a JSON object keeps its keys' order).
 */
export type ModelMap = Record<string, string>;

export interface RouteRecord {
  id: string;
  position: number;
  vendor: VendorId;
  baseUrl: string;
  apiKeySealed: string | null;
  models: string[];
  defaultModel: string | null;
  budget: Budget | null;
  filters: string[];
  timeouts: Timeouts | null;
  defaultMaxTokens: number | null;
  rateLimit: RateLimit | null;
  logBodies: boolean;
  /** Applied to the model a request names, after the app's map; null: none. */
  modelMap: ModelMap | null;
  /**
   * The route's `responses` setting: its server speaks OpenAI's Responses API (only a vendor whose
   * servers differ has it; the runtime route also says so where every server of the vendor does).
   */
  speaksResponses: boolean;
  /** Route ids tried in order when this route fails before the first byte. */
  fallbacks: string[];
  /** Retries on this route before its fallbacks; null: the server's default. */
  retries: number | null;
  source: Source;
  createdAt: number;
  updatedAt: number;
}

export interface AppRecord {
  id: number;
  name: string;
  /** Route ids this app may use; null = all. */
  routes: string[] | null;
  budget: Budget | null;
  rateLimit: RateLimit | null;
  filters: string[];
  /** Applied first, before a route is chosen: a value may be `routeId/model`; null: none. */
  modelMap: ModelMap | null;
  source: Source;
  createdAt: number;
  updatedAt: number;
}

export interface AppKeyRecord {
  id: number;
  appId: number;
  hash: string;
  prefix: string;
  source: Source;
  createdAt: number;
  revokedAt: number | null;
}

export interface FilterRecord {
  name: string;
  kind: string;
  spec: Record<string, unknown>;
  source: Source;
  updatedAt: number;
}

export interface PriceRecord {
  model: string;
  inputPerMTok: number;
  outputPerMTok: number;
  cachedInputPerMTok: number | null;
  source: Source;
  updatedAt: number;
}

/** One upstream call of a request that made more than one (retries, fallbacks). */
export interface Attempt {
  route: string;
  model: string | null;
  /** The upstream's status; null when it could not be reached or did not answer in time. */
  status: number | null;
  /** Why it did not serve the request; null for the call that did. */
  errorCode: string | null;
  durationMs: number;
}

export type Endpoint = 'chat.completions' | 'embeddings' | 'models' | 'messages' | 'responses' | 'proxy';

/** One request as recorded (CONTRACT §4). */
export interface RequestRecord {
  id: string;
  time: number;
  app: string | null;
  route: string | null;
  vendor: string | null;
  model: string | null;
  upstreamModel: string | null;
  endpoint: Endpoint;
  stream: boolean;
  status: number;
  errorCode: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cachedInputTokens: number | null;
  reasoningTokens: number | null;
  costUsd: number | null;
  latencyMs: number;
  ttfbMs: number | null;
  partial: boolean;
  /** What the gateway noticed that the fields cannot say (e.g. impossible usage recorded as unknown); null: nothing. */
  note?: string | null;
  /** The error message the caller was told (secrets scrubbed, at most 4 KiB); null: none. */
  errorMessage?: string | null;
  /** The `Retry-After` value the caller was given with its error; null: none. */
  retryAfter?: string | null;
  /** The model as the client named it, where a model map or alias changed it (`model` is the one used); null: the same. */
  requestedModel?: string | null;
  /** The agent session the request belongs to, as the client said it (Claude Code's session id, a header); null: none. */
  session?: string | null;
  /** The tool that sent it, where it said (`claude-code`, `gemini-cli`, `codex`); null: unknown. */
  agent?: string | null;
  /** The upstream calls made, in order, when there was more than one; null: one call or none. */
  attempts?: Attempt[] | null;
  /**
   * How long the vendors held the request: every upstream call, from sending it to the end of its
   * answer (retry waits not included); `latencyMs` less this is Switchboard's own time. Null: no call.
   */
  upstreamMs?: number | null;
}
