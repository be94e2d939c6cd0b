import { usageFromOpenAi } from '../../openai-chat/usage.ts';
import { NO_USAGE, type InboundResponseContext, type JsonObject } from '../../types.ts';
import { isJsonObject } from '../../upstream-json.ts';
import { itemId, newResponseHex, responseId } from '../ids.ts';
import { responsesUsage } from '../usage.ts';
import { emptyCarried, gatherCallCarried, gatherCarried, sealCarried } from './carry.ts';
import {
  functionCallItem,
  incompleteReason,
  messageItem,
  outputText,
  reasoningItem,
  responseObject,
} from './response-object.ts';

/**
 * The hub's `chat.completion` → a Responses `response`: the reasoning (its text as the summary,
 * the vendor's signed thinking and signatures sealed in `encrypted_content`), the message, then
 * the function calls. Refusals are told as text, as the hub's other inbound formats tell them.
 */
export function fromHubAnswer(answer: JsonObject, context: InboundResponseContext): JsonObject {
  const hex = newResponseHex();
  const choices = Array.isArray(answer['choices']) ? answer['choices'] : [];
  const choice: JsonObject = choices.find(isJsonObject) ?? {};
  const message = isJsonObject(choice['message']) ? choice['message'] : {};
  const output: JsonObject[] = [];
  const calls = (Array.isArray(message['tool_calls']) ? message['tool_calls'] : []).filter(isJsonObject);
  const carried = emptyCarried();
  gatherCarried(carried, message);
  for (const call of calls)
    gatherCallCarried(carried, typeof call['id'] === 'string' ? call['id'] : '', call);
  const reasoning = typeof message['reasoning_content'] === 'string' ? message['reasoning_content'] : '';
  const sealed = sealCarried(carried, context.carrier);
  if (reasoning !== '' || sealed !== null)
    output.push(reasoningItem(itemId('rs', hex, output.length), reasoning, sealed));
  const texts = [message['content'], message['refusal']].filter(
    (text): text is string => typeof text === 'string' && text !== '',
  );
  if (texts.length > 0)
    output.push(messageItem(itemId('msg', hex, output.length), 'completed', texts.map(outputText)));
  for (const [index, call] of calls.entries()) {
    const fn = isJsonObject(call['function']) ? call['function'] : {};
    const id = itemId('fc', hex, output.length);
    output.push(
      functionCallItem(id, 'completed', {
        callId: typeof call['id'] === 'string' && call['id'] !== '' ? call['id'] : `call_${hex}_${index}`,
        name: typeof fn['name'] === 'string' ? fn['name'] : '',
        arguments: typeof fn['arguments'] === 'string' ? fn['arguments'] : '{}',
      }),
    );
  }
  const reason = incompleteReason(choice['finish_reason']);
  return responseObject({
    id: responseId(hex),
    model: context.model,
    createdAt: typeof answer['created'] === 'number' ? answer['created'] : Math.floor(Date.now() / 1000),
    status: reason === null ? 'completed' : 'incomplete',
    incompleteReason: reason,
    output,
    usage: responsesUsage(usageFromOpenAi(answer['usage']) ?? NO_USAGE),
  });
}
