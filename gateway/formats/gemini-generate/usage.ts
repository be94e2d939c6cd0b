import type { Usage } from '../types.ts';
import { checkUsage, isTokenCount, sumCounts } from '../usage-check.ts';
import { usageMetadataSchema, type GeminiUsageMetadata } from './schemas.ts';

/**
 * Gemini's usageMetadata → our Usage. `promptTokenCount` already includes cached tokens; the
 * results of Gemini-side tool use are prompt too. OpenAI counts reasoning inside completion
 * tokens, so thoughts are added to the candidates' tokens. Null when Gemini gave no count yet
 * (stream chunks before the last may carry only `trafficType`).
 */
export function usageFromGemini(value: unknown): Usage | null {
  // Read from anything: a usageMetadata that is not an object, or a count that is not a number, is unknown.
  const parsed = usageMetadataSchema.safeParse(value);
  if (!parsed.success) return null;
  const metadata: GeminiUsageMetadata = parsed.data;
  const { promptTokenCount, candidatesTokenCount, thoughtsTokenCount } = metadata;
  if (promptTokenCount === undefined && candidatesTokenCount === undefined) return null;
  const input =
    promptTokenCount === undefined ? null : sumCounts(promptTokenCount, metadata.toolUsePromptTokenCount);
  return {
    inputTokens: input,
    // Once Gemini counted the prompt, a missing count means none was generated (a blocked prompt).
    outputTokens: sumCounts(candidatesTokenCount, thoughtsTokenCount),
    cachedInputTokens: metadata.cachedContentTokenCount ?? (isTokenCount(input) ? 0 : null),
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

/**
 * Our Usage in OpenAI's `usage` shape, as clients read it. Counts that cannot be true (negative,
 * fractional, absurd) are null, as the recorder records them (checkUsage).
 */
export function openAiUsage(reported: Usage): OpenAiUsageBody {
  const { usage } = checkUsage(reported);
  const { inputTokens, outputTokens } = usage;
  return {
    prompt_tokens: inputTokens,
    completion_tokens: outputTokens,
    total_tokens: inputTokens === null || outputTokens === null ? null : inputTokens + outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedInputTokens },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
  };
}
