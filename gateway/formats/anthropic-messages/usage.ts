import type { CompletionUsage } from 'openai/resources/completions';
import type { Usage } from '../types.ts';
import { isJsonObject } from '../upstream-json.ts';
import { checkUsage, readCount, sumCounts } from '../usage-check.ts';

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

/**
 * Anthropic's `usage` object, read from anything: counts as sent, null where absent, NaN where
 * there but not a number (readCount); no usage object at all is no counts.
 */
export function readUsage(value: unknown): UsageCounts {
  if (!isJsonObject(value)) return { ...NO_COUNTS };
  const details = value['output_tokens_details'];
  return {
    input: readCount(value['input_tokens']),
    output: readCount(value['output_tokens']),
    cacheRead: readCount(value['cache_read_input_tokens']),
    cacheWrite: readCount(value['cache_creation_input_tokens']),
    thinking:
      details === undefined || details === null
        ? null
        : isJsonObject(details)
          ? readCount(details['thinking_tokens'])
          : Number.NaN,
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
    inputTokens: known ? sumCounts(counts.input, cacheRead, cacheWrite) : null,
    outputTokens: counts.output,
    cachedInputTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    reasoningTokens: counts.thinking ?? (answerHadThinking || counts.output === null ? null : 0),
  };
}

/**
 * Our usage in OpenAI's shape, for answers and the usage chunk. Counts that cannot be true
 * (negative, fractional, absurd) are left out as unknown, as the recorder does (checkUsage).
 */
export function openAiUsage(reported: Usage): CompletionUsage {
  const { usage } = checkUsage(reported);
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
