import { z } from 'zod';
import type { ChatMessage, LoosePart, ToolCall } from '../openai-chat/request-schema.ts';
import { assistantTextBlocks, systemBlocks, toolResultContent, userBlocks } from './convert-content.ts';
import type {
  AnthropicMessage,
  AssistantBlock,
  RedactedThinkingBlock,
  TextBlock,
  ThinkingBlock,
  ToolResultBlock,
  ToolUseBlock,
  UserBlock,
} from './messages-request.ts';
import { isThinkingBlock } from './messages-request.ts';
import { invalidRequest, parseOrThrow, unsupportedParameter } from '../openai-chat/request-errors.ts';

/**
 * The user turn put before a conversation that starts with the assistant (a greeting, say) or has
 * no user message at all: Anthropic needs the first turn to be the user's, and this keeps the
 * assistant's words where they were instead of dropping them or refusing the request.
 */
export const CONVERSATION_START = '(conversation start)';

export interface ConvertedMessages {
  system: TextBlock[];
  messages: AnthropicMessage[];
}

/**
 * Anthropic takes tool_use ids of `[a-zA-Z0-9_-]` only; ids from other vendors (earlier in a
 * conversation that changed models) may hold other characters. The same mapping is applied to
 * tool_use ids and to the tool_result ids that answer them, so the pairs still match.
 */
export function toolUseId(id: string): string {
  return id.replace(/[^a-zA-Z0-9_-]/g, '_');
}

const thinkingPart = z.object({
  type: z.literal('thinking'),
  thinking: z.string(),
  signature: z.string().nullish(),
});
const redactedThinkingPart = z.object({ type: z.literal('redacted_thinking'), data: z.string().min(1) });

/**
 * Thinking blocks echoed by the client, unchanged (Anthropic verifies them). A thinking block
 * without its signature cannot be verified and is left out, as are types we do not know.
 */
function thinkingBlocks(
  parts: readonly LoosePart[],
  where: string,
): (ThinkingBlock | RedactedThinkingBlock)[] {
  return parts.flatMap((part, index): (ThinkingBlock | RedactedThinkingBlock)[] => {
    const at = `${where}.thinking_blocks[${index}]`;
    if (part.type === 'thinking') {
      const block = parseOrThrow(thinkingPart, part, at);
      return block.signature
        ? [{ type: 'thinking', thinking: block.thinking, signature: block.signature }]
        : [];
    }
    if (part.type === 'redacted_thinking') {
      return [{ type: 'redacted_thinking', data: parseOrThrow(redactedThinkingPart, part, at).data }];
    }
    return [];
  });
}

function toolInput(call: ToolCall, where: string): Record<string, unknown> {
  const text = call.function.arguments;
  if (text === null || text === undefined) return {};
  if (typeof text !== 'string') return text;
  // A tool without parameters is often called with "" rather than "{}".
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalidRequest(
      `${where}.function.arguments: not valid JSON (${error instanceof Error ? error.message : 'parse error'}); Anthropic needs the arguments of earlier tool calls as an object.`,
      `${where}.function.arguments`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidRequest(
      `${where}.function.arguments: must be a JSON object.`,
      `${where}.function.arguments`,
    );
  }
  return parsed as Record<string, unknown>;
}

function toolUseBlocks(calls: readonly ToolCall[], where: string): ToolUseBlock[] {
  return calls.map((call, index) => {
    const at = `${where}.tool_calls[${index}]`;
    if (call.type !== 'function') {
      throw unsupportedParameter(
        `${at}: tool calls of type "${call.type}" are not supported by Anthropic models.`,
        at,
      );
    }
    return { type: 'tool_use', id: toolUseId(call.id), name: call.function.name, input: toolInput(call, at) };
  });
}

function assistantBlocks(
  message: Extract<ChatMessage, { role: 'assistant' }>,
  where: string,
): AssistantBlock[] {
  if (message.function_call !== undefined && message.function_call !== null) {
    throw unsupportedParameter(
      `${where}.function_call: the legacy function API is not supported; send tool_calls instead.`,
      `${where}.function_call`,
    );
  }
  if (message.audio !== undefined && message.audio !== null) {
    throw unsupportedParameter(
      `${where}.audio: audio is not supported by Anthropic models.`,
      `${where}.audio`,
    );
  }
  const said: AssistantBlock[] = [
    ...(message.content === null || message.content === undefined
      ? []
      : assistantTextBlocks(message.content, where)),
    ...toolUseBlocks(message.tool_calls ?? [], where),
  ];
  // Anthropic refuses an assistant turn that ends with thinking; thinking alone says nothing anyway.
  if (said.length === 0) return [];
  return [...thinkingBlocks(message.thinking_blocks ?? [], where), ...said];
}

/** Appends to the last turn when it has the same role: Anthropic wants strict alternation. */
function append(
  turns: AnthropicMessage[],
  role: 'user' | 'assistant',
  blocks: readonly (UserBlock | AssistantBlock)[],
) {
  if (blocks.length === 0) return;
  const last = turns.at(-1);
  if (last?.role === role) {
    (last.content as (UserBlock | AssistantBlock)[]).push(...blocks);
  } else {
    turns.push({ role, content: [...blocks] } as AnthropicMessage);
  }
}

/** Tool calls of the latest assistant message that still wait for their tool messages. */
interface OpenToolCalls {
  where: string;
  waiting: Set<string>;
}

function closeToolCalls(open: OpenToolCalls | null): null {
  if (open && open.waiting.size > 0) {
    throw invalidRequest(
      `${open.where}: an assistant message with tool_calls must be followed by tool messages answering each tool_call_id (no answer for ${[...open.waiting].join(', ')}).`,
      open.where,
    );
  }
  return null;
}

/**
 * OpenAI messages → Anthropic's `system` and strictly alternating `messages`. System and developer
 * messages go to `system` in their order, wherever they stand. Same-role neighbours are merged;
 * consecutive tool results form one user turn, and a user message right after them joins it.
 * The tool-call structure is checked as OpenAI checks it, so a broken history gets a clear 400
 * here rather than Anthropic's message about blocks the client never wrote.
 */
export function convertMessages(messages: readonly ChatMessage[]): ConvertedMessages {
  const system: TextBlock[] = [];
  const turns: AnthropicMessage[] = [];
  let open: OpenToolCalls | null = null;

  for (const [index, message] of messages.entries()) {
    const where = `messages[${index}]`;
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(...systemBlocks(message.content, where));
        break;
      case 'user':
        open = closeToolCalls(open);
        append(turns, 'user', userBlocks(message.content, where));
        break;
      case 'assistant': {
        open = closeToolCalls(open);
        append(turns, 'assistant', assistantBlocks(message, where));
        const ids = (message.tool_calls ?? []).map((call) => call.id);
        if (new Set(ids).size !== ids.length) {
          throw invalidRequest(`${where}.tool_calls: tool call ids must be unique.`, `${where}.tool_calls`);
        }
        if (ids.length > 0) open = { where, waiting: new Set(ids) };
        break;
      }
      case 'tool': {
        if (!open?.waiting.has(message.tool_call_id)) {
          throw invalidRequest(
            `${where}: a tool message must answer a tool call of the assistant message before it, once ("${message.tool_call_id}" is not waiting for an answer).`,
            `${where}.tool_call_id`,
          );
        }
        open.waiting.delete(message.tool_call_id);
        const content = toolResultContent(message.content, where);
        const result: ToolResultBlock = {
          type: 'tool_result',
          tool_use_id: toolUseId(message.tool_call_id),
          ...(content === undefined ? {} : { content }),
        };
        append(turns, 'user', [result]);
        break;
      }
    }
  }
  closeToolCalls(open);

  for (const turn of turns) {
    // Thinking comes first in an assistant turn, also when two assistant messages were merged.
    if (turn.role === 'assistant') {
      turn.content = [
        ...turn.content.filter(isThinkingBlock),
        ...turn.content.filter((block) => !isThinkingBlock(block)),
      ];
    }
  }
  trimPrefill(turns);
  if (turns[0]?.role !== 'user')
    turns.unshift({ role: 'user', content: [{ type: 'text', text: CONVERSATION_START }] });
  return { system, messages: turns };
}

/**
 * A conversation that ends with the assistant asks Anthropic to continue that text (prefill),
 * and Anthropic refuses a prefill that ends in whitespace: it is trimmed, and dropped when
 * nothing is left.
 */
function trimPrefill(turns: AnthropicMessage[]): void {
  const last = turns.at(-1);
  if (last?.role !== 'assistant') return;
  const final = last.content.at(-1);
  if (final?.type !== 'text') return;
  final.text = final.text.trimEnd();
  if (final.text !== '') return;
  last.content.pop();
  if (!last.content.some((block) => !isThinkingBlock(block))) turns.pop();
}
