import { calcPrice } from '@pydantic/genai-prices';
import type { VendorId } from '../domain.ts';
import type { Usage } from '../domain.ts';
import { providerFor } from '../providers/index.ts';

export interface PriceOverride {
  inputPerMTok: number;
  outputPerMTok: number;
  cachedInputPerMTok: number | null;
}

export interface PricingRoute {
  vendor: VendorId;
  baseUrl: string;
}

function fromOverride(price: PriceOverride, usage: Usage): number {
  const input = usage.inputTokens ?? 0;
  const cached = Math.min(usage.cachedInputTokens ?? 0, input);
  const cachedRate = price.cachedInputPerMTok ?? price.inputPerMTok;
  return (
    ((input - cached) * price.inputPerMTok +
      cached * cachedRate +
      (usage.outputTokens ?? 0) * price.outputPerMTok) /
    1e6
  );
}

interface LinearRates {
  input: number;
  cacheRead: number;
  cacheWrite: number;
  output: number;
}

/** Per-million rates of models whose price is linear, by provider and model; null: the library has no price. */
const rateCache = new Map<string, { rates: LinearRates | null; until: number }>();
const RATE_CACHE_MS = 60 * 60 * 1000;

/** A price is linear when every rate is a plain number (no tiers by prompt size, no time-of-day rules). */
function linearRates(price: Record<string, unknown>): LinearRates | null {
  const rate = (key: string, fallback?: number): number | null => {
    const value = price[key];
    if (value === undefined) return fallback ?? 0;
    return typeof value === 'number' ? value : null;
  };
  const input = rate('input_mtok');
  const output = rate('output_mtok');
  if (input === null || output === null) return null;
  const cacheRead = rate('cache_read_mtok', input);
  const cacheWrite = rate('cache_write_mtok', input);
  if (cacheRead === null || cacheWrite === null) return null;
  const known = new Set(['input_mtok', 'output_mtok', 'cache_read_mtok', 'cache_write_mtok']);
  // Audio, image or per-request prices: leave those to the library.
  if (Object.keys(price).some((key) => !known.has(key) && price[key] !== undefined && price[key] !== 0))
    return null;
  return { input, cacheRead, cacheWrite, output };
}

/**
 * The library's price, with its answer per model kept for an hour where the price is linear: a
 * lookup costs tens of microseconds, and budgets price every request twice (estimate, then cost).
 */
function fromLibrary(model: string, usage: Usage, route: PricingRoute): number | null {
  const providerId = providerFor(route.vendor)?.pricingId;
  const key = `${providerId ?? route.baseUrl}|${model}`;
  const now = Date.now();
  const cached = rateCache.get(key);
  const input = usage.inputTokens ?? 0;
  const cacheRead = Math.min(usage.cachedInputTokens ?? 0, input);
  const cacheWrite = Math.min(usage.cacheWriteTokens ?? 0, input - cacheRead);
  if (cached && cached.until > now) {
    if (cached.rates === null) return null;
    const rates = cached.rates;
    return (
      ((input - cacheRead - cacheWrite) * rates.input +
        cacheRead * rates.cacheRead +
        cacheWrite * rates.cacheWrite +
        (usage.outputTokens ?? 0) * rates.output) /
      1e6
    );
  }
  const result = calcPrice(
    {
      input_tokens: input,
      cache_read_tokens: cacheRead,
      cache_write_tokens: cacheWrite,
      output_tokens: usage.outputTokens ?? 0,
    },
    model,
    providerId ? { providerId } : { providerApiUrl: route.baseUrl },
  );
  if (!result) {
    rateCache.set(key, { rates: null, until: now + RATE_CACHE_MS });
    return null;
  }
  const rates = linearRates(result.model_price as Record<string, unknown>);
  if (rates) rateCache.set(key, { rates, until: now + RATE_CACHE_MS });
  return result.total_price;
}

/**
 * The cost of one request in USD, or null when the price is unknown (never a made-up zero).
 * Order: the user's override for the model, then the price library. A model served from this
 * machine (Ollama, or an OpenAI-compatible server on a loopback address) costs nothing unless
 * an override says otherwise.
 */
export function priceRequest(
  usage: Usage,
  models: readonly (string | null)[],
  route: PricingRoute,
  overrides: ReadonlyMap<string, PriceOverride>,
): number | null {
  if (usage.inputTokens === null && usage.outputTokens === null) return null;
  const candidates = models.filter((model): model is string => typeof model === 'string' && model !== '');
  for (const model of candidates) {
    const override = overrides.get(model);
    if (override) return fromOverride(override, usage);
  }
  if (providerFor(route.vendor)?.isFree(route.baseUrl)) return 0;
  for (const model of candidates) {
    const price = fromLibrary(model, usage, route);
    if (price !== null) return price;
  }
  return null;
}
