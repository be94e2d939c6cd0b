import type { JsonObject, Usage } from '../../types.ts';
import { checkUsage } from '../../usage-check.ts';

/**
 * Our Usage → Gemini's usageMetadata. OpenAI counts reasoning inside the completion tokens,
 * Gemini apart from them (`thoughtsTokenCount`), so the candidates' count is the rest; the total
 * is the same either way. Cached and thought counts are left out at 0, as Gemini does; counts
 * that cannot be true (checkUsage) are left out. Undefined when nothing is known.
 */
export function usageMetadata(reported: Usage): JsonObject | undefined {
  const { usage } = checkUsage(reported);
  const { inputTokens: input, outputTokens: output } = usage;
  if (input === null && output === null) return undefined;
  const reasoning = usage.reasoningTokens ?? 0;
  const metadata: JsonObject = {};
  if (input !== null) metadata['promptTokenCount'] = input;
  if (output !== null) metadata['candidatesTokenCount'] = output - reasoning;
  if (input !== null && output !== null) metadata['totalTokenCount'] = input + output;
  if (usage.cachedInputTokens !== null && usage.cachedInputTokens > 0) {
    metadata['cachedContentTokenCount'] = usage.cachedInputTokens;
  }
  if (reasoning > 0) metadata['thoughtsTokenCount'] = reasoning;
  return metadata;
}
