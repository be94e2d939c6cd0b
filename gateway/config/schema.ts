import { z } from 'zod';
import { VENDOR_IDS, type Budget, type RateLimit, type Timeouts } from '../domain.ts';
import type { ModelMap } from '../store/types.ts';

export const ROUTE_ID_PATTERN = /^[a-z0-9-]{1,64}$/;

const budget: z.ZodType<Budget> = z.strictObject({
  usd: z.number().positive(),
  period: z.enum(['day', 'week', 'month']),
});

const timeouts: z.ZodType<Timeouts> = z.strictObject({
  /** Time to open the TCP/TLS connection. */
  connectMs: z.number().int().positive().optional(),
  /** Time from sending the request to the upstream's response headers. */
  headersMs: z.number().int().positive().optional(),
  /** Longest silence allowed between two pieces of the upstream's body. */
  idleMs: z.number().int().positive().optional(),
  /** The whole exchange, the answer's body included (a stream that drips a byte at a time ends here). */
  totalMs: z.number().int().positive().optional(),
});

const secretOrEnv = z.string().min(1);

const rateLimit: z.ZodType<RateLimit> = z.strictObject({
  rpm: z.number().int().positive().optional(),
  tpm: z.number().int().positive().optional(),
});

/** More would be a list of models, not a map: a route's allow-list holds those. */
export const MODEL_MAP_MAX_ENTRIES = 256;
/** As long as a model name the request log keeps. */
const MODEL_NAME_MAX = 300;

/** Requested model pattern → model, in order; the first pattern that matches wins. */
const modelMap: z.ZodType<ModelMap> = z
  .record(z.string(), z.string().regex(/\S/, 'a model cannot be empty').max(MODEL_NAME_MAX))
  // Checked here rather than on the key's schema, whose issue would only say "Invalid key in record".
  .superRefine((map, context) => {
    const patterns = Object.keys(map);
    if (patterns.length > MODEL_MAP_MAX_ENTRIES)
      context.addIssue({ code: 'custom', message: `at most ${MODEL_MAP_MAX_ENTRIES} patterns` });
    for (const pattern of patterns) {
      if (pattern.trim() === '') context.addIssue({ code: 'custom', message: 'a pattern cannot be empty' });
      else if (pattern.length > MODEL_NAME_MAX)
        context.addIssue({
          code: 'custom',
          path: [pattern],
          message: `at most ${MODEL_NAME_MAX} characters`,
        });
    }
  });

export const routeSchema = z.strictObject({
  id: z.string().regex(ROUTE_ID_PATTERN, 'must be 1–64 characters of a-z, 0-9 and -'),
  vendor: z.enum(VENDOR_IDS).optional(),
  preset: z.string().optional(),
  baseUrl: z.url({ protocol: /^https?$/ }).optional(),
  apiKey: secretOrEnv.optional(),
  models: z.array(z.string().min(1)).default([]),
  defaultModel: z.string().min(1).optional(),
  budget: budget.optional(),
  filters: z.array(z.string().min(1)).default([]),
  timeouts: timeouts.optional(),
  /** max_tokens for requests that name none, where models/limits.ts does not know the model (Anthropic needs one). */
  defaultMaxTokens: z.number().int().positive().optional(),
  /** Keep each request's and answer's bodies (sealed like vendor keys); off unless the user turns it on. */
  logBodies: z.boolean().optional(),
  rateLimit: rateLimit.optional(),
  /** Applied to the model a request names, after the app's map; its values are this route's models. */
  modelMap: modelMap.optional(),
  /**
   * Whether the server speaks OpenAI's Responses API, so that Responses requests pass through
   * rather than being translated: openai-compatible and ollama routes only (load.ts refuses it
   * elsewhere, since OpenAI always does and the other vendors never do). Off unless said.
   */
  responses: z.boolean().optional(),
  /** Routes tried in order when this one fails before the first byte (any vendor; the request is translated). */
  fallbacks: z.array(z.string().min(1)).max(16).optional(),
  /** Retries on this route before its fallbacks (default: server.retry.retries, else 2). */
  retries: z.number().int().min(0).max(5).optional(),
});

export const appSchema = z.strictObject({
  name: z.string().min(1).max(64),
  key: secretOrEnv.optional(),
  routes: z.array(z.string()).optional(),
  budget: budget.optional(),
  rateLimit: rateLimit.optional(),
  /** Filters run on this app's requests, before the route's. */
  filters: z.array(z.string().min(1)).default([]),
  /** Applied first, before a route is chosen; a value may be `routeId/model` (resolve-route.ts). */
  modelMap: modelMap.optional(),
});

export const filterSchema = z.looseObject({
  name: z.string().min(1).max(64),
  kind: z.enum(['block', 'redact', 'system-prompt', 'max-tokens', 'model', 'script']),
});

export const priceSchema = z.strictObject({
  model: z.string().min(1),
  inputPerMTok: z.number().nonnegative(),
  outputPerMTok: z.number().nonnegative(),
  cachedInputPerMTok: z.number().nonnegative().optional(),
});

const webhookUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
  .max(2048, 'at most 2048 characters');

/** Where alerts are POSTed (policy/alert-webhook.ts, docs/alerts.md); http or https only. */
export const alertWebhookSchema = z.strictObject({ url: webhookUrl });

export const serverSchema = z.strictObject({
  maxBodyMb: z.number().positive().max(1024).default(32),
  allowedHosts: z.array(z.string().min(1)).default([]),
  corsOrigins: z.array(z.string().min(1)).default([]),
  timeouts: timeouts.optional(),
  /** The largest upstream answer read whole (default 64); over it → 502. */
  maxUpstreamBodyMb: z.number().positive().max(4096).optional(),
  /** The largest single event in an upstream stream (default 16); over it the stream ends with an error. */
  maxUpstreamEventMb: z.number().positive().max(1024).optional(),
  /** How long a dashboard session lasts, in days (default 30; browsers cap cookies at 400). */
  sessionDays: z.number().positive().max(400).optional(),
  /** How long Responses answers kept for previous_response_id last, in days (default 30; read at start). */
  responsesRetentionDays: z.number().positive().max(3650).optional(),
  /** Retries before the first byte, across a request's attempts (pipeline/retry.ts has the defaults). */
  retry: z
    .strictObject({
      /** Retries per route, unless the route says its own. */
      retries: z.number().int().min(0).max(5).optional(),
      /** The longest wait between two attempts, a `Retry-After` included; a longer one is not waited for. */
      maxDelayMs: z.number().int().min(0).max(600_000).optional(),
      /** Every attempt of a request, before its first byte, within this time. */
      deadlineMs: z.number().int().positive().max(3_600_000).optional(),
    })
    .optional(),
  /** When a failing route is skipped (policy/route-health.ts has the defaults). */
  cooldown: z
    .strictObject({
      /** Failures within the window that start a cooldown. */
      failures: z.number().int().min(1).max(1000).optional(),
      windowSeconds: z.number().positive().max(86_400).optional(),
      /** How long the route is skipped. */
      seconds: z.number().positive().max(86_400).optional(),
    })
    .optional(),
  /** Budget alerts and route cooldowns, POSTed as JSON to this URL. */
  alertWebhook: alertWebhookSchema.optional(),
});

/**
 * The server section as a config file (or an import) writes it. A webhook URL can carry a token,
 * so it may be given as it is, as `env:NAME` (read at start, like a key), or as `stored` (keep the
 * one Switchboard holds: an export writes that, never the URL).
 */
export const serverFileSchema = serverSchema.extend({
  alertWebhook: z
    .strictObject({
      url: z
        .string()
        .max(2048, 'at most 2048 characters')
        .refine(
          (value) => value === 'stored' || /^env:\S+$/.test(value) || webhookUrl.safeParse(value).success,
          'must be an http:// or https:// URL, env:NAME, or stored',
        ),
    })
    .optional(),
});

export const configSchema = z.strictObject({
  routes: z.array(routeSchema).default([]),
  apps: z.array(appSchema).default([]),
  filters: z.array(filterSchema).default([]),
  prices: z.array(priceSchema).default([]),
  server: serverFileSchema.default({ maxBodyMb: 32, allowedHosts: [], corsOrigins: [] }),
});

export type ConfigFile = z.infer<typeof configSchema>;
export type RouteConfig = z.infer<typeof routeSchema>;
export type AppConfig = z.infer<typeof appSchema>;
export type FilterConfig = z.infer<typeof filterSchema>;
export type PriceConfig = z.infer<typeof priceSchema>;
export type ServerConfig = z.infer<typeof serverSchema>;
