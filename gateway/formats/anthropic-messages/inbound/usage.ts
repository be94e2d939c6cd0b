import type { Usage } from '../../types.ts';
import { isTokenCount } from '../../usage-check.ts';

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

const count = (value: number | null | undefined, fallback: number): number =>
  isTokenCount(value) ? value : fallback;

/**
 * Usage as Anthropic reports it: its `input_tokens` excludes the cached part of the prompt, which
 * OpenAI's `prompt_tokens` includes. No other vendor reports cache writes apart: 0.
 * `fallbackInput` stands in where the vendor gave no readable input count.
 */
export function anthropicUsage(usage: Usage, fallbackInput: number): AnthropicUsage {
  const cached = count(usage.cachedInputTokens, 0);
  return {
    input_tokens: Math.max(0, count(usage.inputTokens, fallbackInput) - cached),
    output_tokens: count(usage.outputTokens, 0),
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cached,
  };
}
