import type { AnthropicMessage, Effort, ThinkingConfig } from './messages-request.ts';
import { isThinkingBlock } from './messages-request.ts';
import type { AnthropicModelTraits } from './model-traits.ts';
import { invalidRequest } from '../openai-chat/request-errors.ts';

export const REASONING_EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'] as const;
export type ReasoningEffort = (typeof REASONING_EFFORTS)[number];
type ThinkingEffort = Exclude<ReasoningEffort, 'none'>;

/**
 * `budget_tokens` per effort, for models that think on a budget (Claude 3.7 to 4.5). At least
 * Anthropic's minimum of 1024; at most 32000, so that budget plus a raised max_tokens stays within
 * the 64k output limit of those models.
 */
export const THINKING_BUDGETS: Readonly<Record<ThinkingEffort, number>> = {
  minimal: 1024,
  low: 2048,
  medium: 8192,
  high: 16384,
  xhigh: 24576,
  max: 32000,
};

/** `output_config.effort` per effort, for models that think adaptively (Claude 4.6 and later). */
export function adaptiveEffort(effort: ThinkingEffort, traits: AnthropicModelTraits): Effort {
  switch (effort) {
    case 'minimal':
    case 'low':
      return 'low';
    case 'medium':
      return 'medium';
    case 'high':
      return 'high';
    case 'xhigh':
      return traits.xhighEffort ? 'xhigh' : 'high';
    case 'max':
      return 'max';
  }
}

export type ThinkingDropReason = 'model' | 'forced-tool' | 'missing-thinking-blocks';

export interface ThinkingPlan {
  thinking: ThinkingConfig | null;
  effort: Effort | null;
  maxTokens: number;
  /** Why thinking was asked for and not sent. */
  dropped: ThinkingDropReason | null;
}

const startsWithThinking = (turn: AnthropicMessage | undefined): boolean =>
  turn?.role === 'assistant' && turn.content[0] !== undefined && isThinkingBlock(turn.content[0]);

const hasToolResult = (turn: AnthropicMessage | undefined): boolean =>
  turn?.role === 'user' && turn.content.some((block) => block.type === 'tool_result');

/**
 * With thinking on, Anthropic requires the assistant turn of the current tool loop (and a final
 * assistant prefill) to start with its thinking blocks, exactly as they were given. Clients that
 * drop unknown fields (the Vercel AI SDK, for one) send those turns without them. True when the
 * loop's first or latest assistant turn lacks them: either may be the one Anthropic checks.
 */
export function toolLoopLacksThinking(messages: readonly AnthropicMessage[]): boolean {
  const last = messages.at(-1);
  if (last?.role === 'assistant') return !startsWithThinking(last);
  if (!hasToolResult(last)) return false;
  const loop: AnthropicMessage[] = [];
  for (let index = messages.length - 2; index >= 0; index -= 2) {
    const turn = messages[index];
    if (turn?.role !== 'assistant') break;
    loop.push(turn);
    if (!hasToolResult(messages[index - 1])) break;
  }
  if (loop.length === 0) return false;
  return !startsWithThinking(loop[0]) || !startsWithThinking(loop.at(-1));
}

export function parseReasoningEffort(value: string | null | undefined): ReasoningEffort | null {
  if (value === null || value === undefined) return null;
  if (!(REASONING_EFFORTS as readonly string[]).includes(value)) {
    throw invalidRequest(
      `reasoning_effort: must be one of ${REASONING_EFFORTS.join(', ')}.`,
      'reasoning_effort',
    );
  }
  return value as ReasoningEffort;
}

/**
 * `reasoning_effort` → Anthropic's thinking. Thinking is a way of answering, not part of what is
 * asked, so it is what gives way when something else in the request cannot be combined with it.
 */
export function planThinking(options: {
  effort: ReasoningEffort | null;
  traits: AnthropicModelTraits;
  maxTokens: number;
  /** The request forces a tool call (tool_choice any or tool), which Anthropic refuses with thinking. */
  forcedTool: boolean;
  messages: readonly AnthropicMessage[];
}): ThinkingPlan {
  const { effort, traits, maxTokens } = options;
  const off = (dropped: ThinkingDropReason | null): ThinkingPlan => ({
    thinking: null,
    effort: null,
    maxTokens,
    dropped,
  });
  if (effort === null || effort === 'none') return off(null);
  if (traits.thinking === 'none') return off('model');
  if (options.forcedTool) return off('forced-tool');
  if (toolLoopLacksThinking(options.messages)) return off('missing-thinking-blocks');
  if (traits.thinking === 'adaptive') {
    return {
      thinking: traits.thinkingHiddenByDefault
        ? { type: 'adaptive', display: 'summarized' }
        : { type: 'adaptive' },
      effort: adaptiveEffort(effort, traits),
      maxTokens,
      dropped: null,
    };
  }
  const budget = THINKING_BUDGETS[effort];
  // max_tokens counts thinking too and must exceed the budget: the answer keeps the room it was given.
  return {
    thinking: { type: 'enabled', budget_tokens: budget },
    effort: null,
    maxTokens: maxTokens > budget ? maxTokens : budget + maxTokens,
    dropped: null,
  };
}
