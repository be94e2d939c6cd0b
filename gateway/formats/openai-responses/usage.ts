import type { Usage } from '../types.ts';
import { isJsonObject } from '../upstream-json.ts';
import { isTokenCount, readCount } from '../usage-check.ts';

/** A count inside a details object: null when absent, NaN (reported, unreadable) when not an object. */
function detail(details: unknown, key: string): number | null {
  if (details === undefined || details === null) return null;
  return isJsonObject(details) ? readCount(details[key]) : Number.NaN;
}

/**
 * The Responses `usage` object → our Usage. `input_tokens` includes the cached ones, as OpenAI's
 * `prompt_tokens` does; a detail left out is 0 where its total is a real count.
 */
export function usageFromResponses(usage: unknown): Usage | null {
  if (!isJsonObject(usage)) return null;
  const input = readCount(usage['input_tokens']);
  const output = readCount(usage['output_tokens']);
  return {
    inputTokens: input,
    outputTokens: output,
    cachedInputTokens:
      detail(usage['input_tokens_details'], 'cached_tokens') ?? (isTokenCount(input) ? 0 : null),
    reasoningTokens:
      detail(usage['output_tokens_details'], 'reasoning_tokens') ?? (isTokenCount(output) ? 0 : null),
  };
}

const count = (value: number | null | undefined): number => (isTokenCount(value) ? value : 0);

/** Our Usage as the Responses API reports it; what is unknown reads 0, the API's counts being required. */
export function responsesUsage(usage: Usage): {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
} {
  const input = count(usage.inputTokens);
  const output = count(usage.outputTokens);
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: count(usage.cachedInputTokens) },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: count(usage.reasoningTokens) },
    total_tokens: input + output,
  };
}
