import type { ChatCompletionMessageFunctionToolCall } from 'openai/resources/chat/completions';
import { GatewayError } from '../../errors.ts';
import type { ChatResult, ResponseContext } from '../types.ts';
import { MAX_UPSTREAM_JSON_DEPTH, nestsDeeperThan, tooDeepError } from '../upstream-json.ts';
import type { AssistantMessageOut, ChatCompletionOut, ThinkingBlockOut } from './chat-completion.ts';
import {
  messageSchema,
  redactedThinkingBlockSchema,
  textBlockSchema,
  thinkingBlockSchema,
  toolUseBlockSchema,
} from './messages-response.ts';
import { RESPONSE_FORMAT_TOOL } from './response-format.ts';
import { finishReason } from './stop-reason.ts';
import { openAiUsage, readUsage, toUsage } from './usage.ts';

/** A tool's input as the JSON text OpenAI puts in `arguments`; Anthropic always gives an object. */
export const toolArguments = (input: unknown): string => JSON.stringify(input ?? {});

/**
 * An Anthropic message → an OpenAI chat.completion. Text blocks make the content, tool_use blocks
 * the tool calls, thinking blocks `reasoning_content` and `thinking_blocks`. Blocks of Anthropic's
 * server tools (code execution, web search) are work the model did upstream: their result reaches
 * the client through the text that follows them, so the blocks themselves are left out.
 */
export function fromAnthropicResponse(body: unknown, context: ResponseContext): ChatResult {
  // Tool inputs are re-serialised as `arguments`: JSON.stringify must not meet a stack-deep value.
  if (nestsDeeperThan(body, MAX_UPSTREAM_JSON_DEPTH)) throw tooDeepError();
  const parsed = messageSchema.safeParse(body);
  if (!parsed.success) {
    throw new GatewayError(
      502,
      'upstream_error',
      'The upstream answered with something that is not an Anthropic message.',
    );
  }
  const message = parsed.data;
  let text = '';
  let hasText = false;
  const reasoning: string[] = [];
  const thinkingBlocks: ThinkingBlockOut[] = [];
  const toolCalls: ChatCompletionMessageFunctionToolCall[] = [];

  for (const block of message.content) {
    const asText = textBlockSchema.safeParse(block);
    if (asText.success) {
      text += asText.data.text;
      hasText = true;
      continue;
    }
    const asThinking = thinkingBlockSchema.safeParse(block);
    if (asThinking.success) {
      reasoning.push(asThinking.data.thinking);
      thinkingBlocks.push({
        type: 'thinking',
        thinking: asThinking.data.thinking,
        signature: asThinking.data.signature ?? '',
      });
      continue;
    }
    const asRedacted = redactedThinkingBlockSchema.safeParse(block);
    if (asRedacted.success) {
      thinkingBlocks.push({ type: 'redacted_thinking', data: asRedacted.data.data });
      continue;
    }
    const asToolUse = toolUseBlockSchema.safeParse(block);
    if (asToolUse.success) {
      const { id, name, input } = asToolUse.data;
      if (name === RESPONSE_FORMAT_TOOL) {
        // The answer tool's input is the answer, and the answer is content.
        text += toolArguments(input);
        hasText = true;
      } else {
        toolCalls.push({ id, type: 'function', function: { name, arguments: toolArguments(input) } });
      }
    }
  }

  const usage = toUsage(readUsage(message.usage), thinkingBlocks.length > 0);
  const model = message.model || context.model;
  const assistant: AssistantMessageOut = {
    role: 'assistant',
    content: hasText || toolCalls.length === 0 ? text : null,
    // Anthropic's explanation of a refusal is what OpenAI clients look for in `refusal`.
    refusal: message.stop_reason === 'refusal' ? (message.stop_details?.explanation ?? null) : null,
    ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
    ...(reasoning.length > 0 ? { reasoning_content: reasoning.join('') } : {}),
    ...(thinkingBlocks.length > 0 ? { thinking_blocks: thinkingBlocks } : {}),
  };
  const completion: ChatCompletionOut = {
    id: message.id,
    object: 'chat.completion',
    created: context.created,
    model,
    choices: [
      {
        index: 0,
        message: assistant,
        finish_reason: finishReason(message.stop_reason, toolCalls.length > 0),
        logprobs: null,
      },
    ],
    usage: openAiUsage(usage),
  };
  return { body: completion, usage, upstreamModel: message.model || null };
}
