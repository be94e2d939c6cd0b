import type { CompletionUsage } from 'openai/resources/completions';
import type { Usage } from '../types.ts';
import type { AnthropicUsage } from './messages-response.ts';

/** Anthropic's token counts, null where it did not say. */
export interface UsageCounts {
  input: number | null;
  output: number | null;
  cacheRead: number | null;
  cacheWrite: number | null;
  thinking: number | null;
}

export const NO_COUNTS: Readonly<UsageCounts> = Object.freeze({
  input: null,
  output: null,
  cacheRead: null,
  cacheWrite: null,
  thinking: null,
});

export function readUsage(usage: AnthropicUsage | null | undefined): UsageCounts {
  return {
    input: usage?.input_tokens ?? null,
    output: usage?.output_tokens ?? null,
    cacheRead: usage?.cache_read_input_tokens ?? null,
    cacheWrite: usage?.cache_creation_input_tokens ?? null,
    thinking: usage?.output_tokens_details?.thinking_tokens ?? null,
  };
}

/**
 * A stream reports usage twice: in message_start and, cumulatively, in the final message_delta,
 * whose input counts may differ (server tools run more model calls). Later values win, field by
 * field, where they are given.
 */
export function mergeUsage(earlier: UsageCounts, later: UsageCounts): UsageCounts {
  return {
    input: later.input ?? earlier.input,
    output: later.output ?? earlier.output,
    cacheRead: later.cacheRead ?? earlier.cacheRead,
    cacheWrite: later.cacheWrite ?? earlier.cacheWrite,
    thinking: later.thinking ?? earlier.thinking,
  };
}

/**
 * Anthropic's counts → ours. Anthropic's `input_tokens` excludes the cached part; our input is the
 * whole prompt: fresh input plus cache reads plus cache writes. Reasoning tokens are what Anthropic
 * reports; without a report they are 0 for an answer that did not think and unknown for one that did.
 */
export function toUsage(counts: UsageCounts, answerHadThinking: boolean): Usage {
  const known = counts.input !== null;
  const cacheRead = counts.cacheRead ?? (known ? 0 : null);
  const cacheWrite = counts.cacheWrite ?? (known ? 0 : null);
  return {
    inputTokens: known ? (counts.input ?? 0) + (cacheRead ?? 0) + (cacheWrite ?? 0) : null,
    outputTokens: counts.output,
    cachedInputTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    reasoningTokens: counts.thinking ?? (answerHadThinking || counts.output === null ? null : 0),
  };
}

/** Our usage in OpenAI's shape, for answers and the usage chunk. */
export function openAiUsage(usage: Usage): CompletionUsage {
  const prompt = usage.inputTokens ?? 0;
  const completion = usage.outputTokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: usage.cachedInputTokens ?? 0 },
    completion_tokens_details:
      usage.reasoningTokens === null ? {} : { reasoning_tokens: usage.reasoningTokens },
  };
}
