import type { Usage } from '../types.ts';

const count = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;

/** OpenAI's `usage` object (chat or embeddings) → our Usage. `prompt_tokens` already includes cached tokens. */
export function usageFromOpenAi(usage: unknown): Usage | null {
  if (typeof usage !== 'object' || usage === null) return null;
  const fields = usage as Record<string, unknown>;
  const promptDetails = fields['prompt_tokens_details'] as Record<string, unknown> | undefined;
  const completionDetails = fields['completion_tokens_details'] as Record<string, unknown> | undefined;
  const input = count(fields['prompt_tokens']);
  const output = count(fields['completion_tokens']);
  return {
    inputTokens: input,
    // Embeddings report no completion tokens: their output is zero, not unknown.
    outputTokens: output ?? (input !== null ? 0 : null),
    cachedInputTokens: count(promptDetails?.['cached_tokens']) ?? (input !== null ? 0 : null),
    reasoningTokens: count(completionDetails?.['reasoning_tokens']) ?? (output !== null ? 0 : null),
  };
}
