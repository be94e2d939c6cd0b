import type { Usage } from '../types.ts';
import type { GeminiUsageMetadata } from './schemas.ts';

/**
 * Gemini's usageMetadata → our Usage. `promptTokenCount` already includes cached tokens; the
 * results of Gemini-side tool use are prompt too. OpenAI counts reasoning inside completion
 * tokens, so thoughts are added to the candidates' tokens. Null when Gemini gave no count yet
 * (stream chunks before the last may carry only `trafficType`).
 */
export function usageFromGemini(metadata: GeminiUsageMetadata | undefined): Usage | null {
  if (metadata === undefined) return null;
  const { promptTokenCount, candidatesTokenCount, thoughtsTokenCount } = metadata;
  if (promptTokenCount === undefined && candidatesTokenCount === undefined) return null;
  const input =
    promptTokenCount === undefined ? null : promptTokenCount + (metadata.toolUsePromptTokenCount ?? 0);
  return {
    inputTokens: input,
    // Once Gemini counted the prompt, a missing count means none was generated (a blocked prompt).
    outputTokens: (candidatesTokenCount ?? 0) + (thoughtsTokenCount ?? 0),
    cachedInputTokens: metadata.cachedContentTokenCount ?? (input === null ? null : 0),
    reasoningTokens: thoughtsTokenCount ?? 0,
  };
}

export interface OpenAiUsageBody {
  prompt_tokens: number | null;
  completion_tokens: number | null;
  total_tokens: number | null;
  prompt_tokens_details: { cached_tokens: number | null };
  completion_tokens_details: { reasoning_tokens: number | null };
}

/** Our Usage in OpenAI's `usage` shape, as clients read it. */
export function openAiUsage(usage: Usage): OpenAiUsageBody {
  const { inputTokens, outputTokens } = usage;
  return {
    prompt_tokens: inputTokens,
    completion_tokens: outputTokens,
    total_tokens: inputTokens === null || outputTokens === null ? null : inputTokens + outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedInputTokens },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
  };
}
