import type { Usage } from '../types.ts';
import { isJsonObject } from '../upstream-json.ts';
import { isTokenCount, readCount } from '../usage-check.ts';

/**
 * A count inside a details object (`prompt_tokens_details.cached_tokens`): null when the details
 * are absent, NaN (reported, unreadable) when they are there but not an object.
 */
function detail(details: unknown, key: string): number | null {
  if (details === undefined || details === null) return null;
  return isJsonObject(details) ? readCount(details[key]) : Number.NaN;
}

/**
 * OpenAI's `usage` object (chat or embeddings) → our Usage. `prompt_tokens` already includes
 * cached tokens. Counts are the upstream's own, unchecked (readCount); a count left out is 0
 * where the total it belongs to is a real count (no cached tokens reported: none were cached).
 */
export function usageFromOpenAi(usage: unknown): Usage | null {
  if (!isJsonObject(usage)) return null;
  const input = readCount(usage['prompt_tokens']);
  const output = readCount(usage['completion_tokens']);
  return {
    inputTokens: input,
    // Embeddings report no completion tokens: their output is zero, not unknown.
    outputTokens: output ?? (isTokenCount(input) ? 0 : null),
    cachedInputTokens:
      detail(usage['prompt_tokens_details'], 'cached_tokens') ?? (isTokenCount(input) ? 0 : null),
    reasoningTokens:
      detail(usage['completion_tokens_details'], 'reasoning_tokens') ?? (isTokenCount(output) ? 0 : null),
  };
}
