import { usageFromOpenAi } from '../../openai-chat/usage.ts';
import { NO_USAGE, type InboundResponseContext, type JsonObject } from '../../types.ts';
import { isJsonObject } from '../../upstream-json.ts';
import { messageId } from './message-id.ts';
import { matchedStop, stopReasonFor } from './stop-reason.ts';
import { anthropicUsage } from './usage.ts';

/** Arguments → the `input` object; arguments that are not a JSON object give `{}`, as Anthropic's input is always one. */
export function toolInput(argumentsText: unknown): JsonObject {
  if (typeof argumentsText !== 'string') return {};
  try {
    const parsed: unknown = JSON.parse(argumentsText);
    return isJsonObject(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

function toolUseBlocks(toolCalls: unknown): JsonObject[] {
  if (!Array.isArray(toolCalls)) return [];
  return toolCalls.filter(isJsonObject).map((call, index) => {
    const fn = isJsonObject(call['function']) ? call['function'] : {};
    const id = typeof call['id'] === 'string' && call['id'] !== '' ? call['id'] : `toolu_${index}`;
    const name = typeof fn['name'] === 'string' ? fn['name'] : '';
    return { type: 'tool_use', id, name, input: toolInput(fn['arguments']) };
  });
}

/**
 * The hub's `chat.completion` → Anthropic's `message`. Reasoning (`reasoning_content`) is left
 * out: a thinking block must carry Anthropic's signature, and Anthropic refuses a conversation whose
 * thinking block is unsigned or signed by anyone else, so an invented one would break the session
 * the moment it moves to a Claude route (docs/vendors/anthropic.md).
 */
export function fromHubAnswer(answer: JsonObject, context: InboundResponseContext): JsonObject {
  const choices = Array.isArray(answer['choices']) ? answer['choices'] : [];
  const choice: JsonObject = choices.find(isJsonObject) ?? {};
  const message = isJsonObject(choice['message']) ? choice['message'] : {};
  const content: JsonObject[] = [];
  for (const text of [message['content'], message['refusal']]) {
    if (typeof text === 'string' && text !== '') content.push({ type: 'text', text });
  }
  const tools = toolUseBlocks(message['tool_calls']);
  content.push(...tools);
  const stopSequence = matchedStop(choice);
  const refused = typeof message['refusal'] === 'string' && message['refusal'] !== '';
  const stopReason = refused
    ? 'refusal'
    : stopReasonFor(choice['finish_reason'], stopSequence, tools.length > 0);
  return {
    id: messageId(answer['id']),
    type: 'message',
    role: 'assistant',
    model: context.model,
    content,
    stop_reason: stopReason,
    stop_sequence: stopReason === 'stop_sequence' ? stopSequence : null,
    usage: anthropicUsage(usageFromOpenAi(answer['usage']) ?? NO_USAGE, 0),
  };
}
