import type { Budget, RateLimit, Timeouts, VendorId } from '../domain.ts';

export type { RateLimit } from '../domain.ts';

export type Source = 'config' | 'admin';

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
}
