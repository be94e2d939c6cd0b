import { describe, expect, it } from 'vitest';
import { priceRequest } from '../../../gateway/policy/pricing.ts';
import { isLoopbackUrl } from '../../../gateway/providers/loopback.ts';
import type { PriceOverride, PricingRoute } from '../../../gateway/policy/pricing.ts';
import { NO_USAGE } from '../../../gateway/formats/types.ts';
import type { Usage } from '../../../gateway/formats/types.ts';

const OPENAI: PricingRoute = { vendor: 'openai', baseUrl: 'https://api.openai.com/v1' };
const NONE = new Map<string, PriceOverride>();

function usage(inputTokens: number | null, outputTokens: number | null, cachedInputTokens = 0): Usage {
  return { inputTokens, outputTokens, cachedInputTokens, reasoningTokens: null };
}

describe('priceRequest from the price library', () => {
  it('prices gpt-4.1-nano at $0.10/M input and $0.40/M output', () => {
    const cost = priceRequest(usage(1000, 500), ['gpt-4.1-nano'], OPENAI, NONE);
    expect(cost).toBeCloseTo((1000 * 0.1 + 500 * 0.4) / 1e6, 12);
    expect(cost).toBeCloseTo(0.0003, 12);
  });

  it('prices the dated snapshot name that OpenAI reports the same way', () => {
    const cost = priceRequest(usage(1000, 500), ['gpt-4.1-nano-2025-04-14'], OPENAI, NONE);
    expect(cost).toBeCloseTo(0.0003, 12);
  });

  it('prices cached input tokens at $0.025/M, which is cheaper', () => {
    const uncached = priceRequest(usage(1000, 500, 0), ['gpt-4.1-nano'], OPENAI, NONE)!;
    const cached = priceRequest(usage(1000, 500, 1000), ['gpt-4.1-nano'], OPENAI, NONE)!;
    expect(cached).toBeLessThan(uncached);
    // Input tokens include the cached ones: all 1000 at the cached rate.
    expect(cached).toBeCloseTo((1000 * 0.025 + 500 * 0.4) / 1e6, 12);
    const half = priceRequest(usage(1000, 0, 400), ['gpt-4.1-nano'], OPENAI, NONE)!;
    expect(half).toBeCloseTo((600 * 0.1 + 400 * 0.025) / 1e6, 12);
  });

  it('treats missing output tokens (embeddings) as zero', () => {
    expect(priceRequest(usage(1000, null), ['gpt-4.1-nano'], OPENAI, NONE)).toBeCloseTo(0.0001, 12);
  });

  it('gives null, never 0, for a model the library does not know', () => {
    expect(priceRequest(usage(1000, 500), ['no-such-model-xyz'], OPENAI, NONE)).toBeNull();
    const remote: PricingRoute = { vendor: 'openai-compatible', baseUrl: 'https://llm.example.test/v1' };
    expect(priceRequest(usage(1000, 500), ['my-private-finetune-zz'], remote, NONE)).toBeNull();
  });

  it('gives null when there are no models to price by', () => {
    expect(priceRequest(usage(1000, 500), [], OPENAI, NONE)).toBeNull();
    expect(priceRequest(usage(1000, 500), [null, ''], OPENAI, NONE)).toBeNull();
  });

  it('gives null when no tokens are known', () => {
    expect(priceRequest(NO_USAGE, ['gpt-4.1-nano'], OPENAI, NONE)).toBeNull();
    const overrides = new Map([
      ['gpt-4.1-nano', { inputPerMTok: 1, outputPerMTok: 1, cachedInputPerMTok: null }],
    ]);
    expect(priceRequest(NO_USAGE, ['gpt-4.1-nano'], OPENAI, overrides)).toBeNull();
    expect(
      priceRequest(NO_USAGE, ['llama3'], { vendor: 'ollama', baseUrl: 'http://127.0.0.1:11434/v1' }, NONE),
    ).toBeNull();
  });

  it('tries the upstream model first, then the requested one', () => {
    // gpt-4o costs $2.50/M input, gpt-4.1-nano $0.10/M.
    const upstreamFirst = priceRequest(usage(1_000_000, 0), ['gpt-4.1-nano', 'gpt-4o'], OPENAI, NONE);
    expect(upstreamFirst).toBeCloseTo(0.1, 9);
    const other = priceRequest(usage(1_000_000, 0), ['gpt-4o', 'gpt-4.1-nano'], OPENAI, NONE);
    expect(other).toBeCloseTo(2.5, 9);
  });

  it('falls back to the requested model when the upstream model has no price', () => {
    const cost = priceRequest(usage(1000, 500), ['some-unknown-router-name', 'gpt-4.1-nano'], OPENAI, NONE);
    expect(cost).toBeCloseTo(0.0003, 12);
  });
});

describe('priceRequest with overrides', () => {
  const overrides = new Map<string, PriceOverride>([
    ['gpt-4.1-nano', { inputPerMTok: 10, outputPerMTok: 20, cachedInputPerMTok: 1 }],
    ['my-local-model', { inputPerMTok: 0, outputPerMTok: 0, cachedInputPerMTok: null }],
    ['alias-a', { inputPerMTok: 1, outputPerMTok: 1, cachedInputPerMTok: null }],
    ['alias-b', { inputPerMTok: 2, outputPerMTok: 2, cachedInputPerMTok: null }],
  ]);

  it('wins over the library', () => {
    const cost = priceRequest(usage(1000, 500), ['gpt-4.1-nano'], OPENAI, overrides);
    expect(cost).toBeCloseTo((1000 * 10 + 500 * 20) / 1e6, 12);
  });

  it('prices cached input at its cached rate', () => {
    const cost = priceRequest(usage(1000, 500, 400), ['gpt-4.1-nano'], OPENAI, overrides);
    expect(cost).toBeCloseTo((600 * 10 + 400 * 1 + 500 * 20) / 1e6, 12);
  });

  it('prices cached input at the input rate when it has no cached rate', () => {
    const cost = priceRequest(usage(1000, 0, 400), ['alias-b'], OPENAI, overrides);
    expect(cost).toBeCloseTo((1000 * 2) / 1e6, 12);
  });

  it('never counts more cached tokens than input tokens', () => {
    const cost = priceRequest(usage(100, 0, 500), ['gpt-4.1-nano'], OPENAI, overrides);
    expect(cost).toBeCloseTo((100 * 1) / 1e6, 12);
  });

  it('can price at a real zero', () => {
    expect(priceRequest(usage(1000, 500), ['my-local-model'], OPENAI, overrides)).toBe(0);
  });

  it('uses the first model of the list that has an override', () => {
    expect(priceRequest(usage(1_000_000, 0), ['alias-a', 'alias-b'], OPENAI, overrides)).toBeCloseTo(1, 9);
    expect(priceRequest(usage(1_000_000, 0), ['alias-b', 'alias-a'], OPENAI, overrides)).toBeCloseTo(2, 9);
    expect(priceRequest(usage(1_000_000, 0), [null, 'alias-b'], OPENAI, overrides)).toBeCloseTo(2, 9);
  });

  it('applies to local vendors too', () => {
    const ollama: PricingRoute = { vendor: 'ollama', baseUrl: 'http://127.0.0.1:11434/v1' };
    expect(priceRequest(usage(1_000_000, 0), ['alias-a'], ollama, overrides)).toBeCloseTo(1, 9);
  });
});

describe('priceRequest for models served from this machine', () => {
  it('costs 0 on ollama, even for a name the library knows', () => {
    const ollama: PricingRoute = { vendor: 'ollama', baseUrl: 'http://127.0.0.1:11434/v1' };
    expect(priceRequest(usage(1000, 500), ['llama3.2'], ollama, NONE)).toBe(0);
    expect(priceRequest(usage(1000, 500), ['gpt-4o'], ollama, NONE)).toBe(0);
  });

  it.each([
    'http://127.0.0.1:1234/v1',
    'http://localhost:8000/v1',
    'http://[::1]:8000/v1',
    'http://127.1.2.3/v1',
  ])('costs 0 on openai-compatible at %s', (baseUrl) => {
    const route: PricingRoute = { vendor: 'openai-compatible', baseUrl };
    expect(priceRequest(usage(1000, 500), ['qwen2.5-coder'], route, NONE)).toBe(0);
  });

  it('is not free on openai-compatible elsewhere', () => {
    const route: PricingRoute = { vendor: 'openai-compatible', baseUrl: 'https://llm.example.test/v1' };
    expect(priceRequest(usage(1000, 500), ['qwen2.5-coder-private-zz'], route, NONE)).toBeNull();
  });
});

describe('isLoopbackUrl', () => {
  it('knows loopback hosts', () => {
    expect(isLoopbackUrl('http://127.0.0.1:1234/v1')).toBe(true);
    expect(isLoopbackUrl('http://localhost/v1')).toBe(true);
    expect(isLoopbackUrl('http://[::1]:11434')).toBe(true);
  });

  it('rejects other hosts and bad URLs', () => {
    expect(isLoopbackUrl('https://api.openai.com/v1')).toBe(false);
    expect(isLoopbackUrl('http://127.0.0.1.example.test/v1')).toBe(false);
    expect(isLoopbackUrl('http://192.168.1.10:8000/v1')).toBe(false);
    expect(isLoopbackUrl('not a url')).toBe(false);
  });
});
