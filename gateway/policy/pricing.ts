import { calcPrice } from '@pydantic/genai-prices';
import type { VendorId } from '../config/schema.ts';
import type { Usage } from '../vendors/types.ts';

export interface PriceOverride {
  inputPerMTok: number;
  outputPerMTok: number;
  cachedInputPerMTok: number | null;
}

export interface PricingRoute {
  vendor: VendorId;
  baseUrl: string;
}

/** The price library's provider id for vendors that are one provider. */
const PROVIDER_BY_VENDOR: Partial<Record<VendorId, string>> = {
  openai: 'openai',
  anthropic: 'anthropic',
  gemini: 'google',
};

export function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
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

function fromLibrary(model: string, usage: Usage, route: PricingRoute): number | null {
  const providerId = PROVIDER_BY_VENDOR[route.vendor];
  const result = calcPrice(
    {
      input_tokens: usage.inputTokens ?? 0,
      cache_read_tokens: usage.cachedInputTokens ?? 0,
      cache_write_tokens: usage.cacheWriteTokens ?? 0,
      output_tokens: usage.outputTokens ?? 0,
    },
    model,
    providerId ? { providerId } : { providerApiUrl: route.baseUrl },
  );
  return result ? result.total_price : null;
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
  if (route.vendor === 'ollama' || (route.vendor === 'openai-compatible' && isLoopbackUrl(route.baseUrl)))
    return 0;
  for (const model of candidates) {
    const price = fromLibrary(model, usage, route);
    if (price !== null) return price;
  }
  return null;
}
