import { GatewayError } from '../../errors.ts';
import type { ChatResult, JsonObject, ResponseContext } from '../types.ts';
import { NO_USAGE } from '../types.ts';
import { isJsonObject, MAX_UPSTREAM_JSON_DEPTH, nestsDeeperThan, tooDeepError } from '../upstream-json.ts';
import { hubUsage } from './hub-usage.ts';
import { usageFromResponses } from './usage.ts';

const texts = (content: unknown, type: string, field: string): string[] =>
  (Array.isArray(content) ? content : [])
    .filter((part): part is JsonObject => isJsonObject(part) && part['type'] === type)
    .map((part) => part[field])
    .filter((text): text is string => typeof text === 'string');

/** A Responses answer's output items → the hub's message: text, refusal, reasoning and tool calls. */
function hubMessage(output: unknown[]): { message: JsonObject; calls: number } {
  const content: string[] = [];
  const refusals: string[] = [];
  const reasoning: string[] = [];
  const toolCalls: JsonObject[] = [];
  for (const item of output.filter(isJsonObject)) {
    if (item['type'] === 'message') {
      content.push(...texts(item['content'], 'output_text', 'text'));
      refusals.push(...texts(item['content'], 'refusal', 'refusal'));
    } else if (item['type'] === 'reasoning') {
      reasoning.push(
        ...texts(item['summary'], 'summary_text', 'text'),
        ...texts(item['content'], 'reasoning_text', 'text'),
      );
    } else if (item['type'] === 'function_call') {
      toolCalls.push({
        id: item['call_id'],
        type: 'function',
        function: {
          name: item['name'],
          arguments: typeof item['arguments'] === 'string' ? item['arguments'] : '{}',
        },
      });
    }
  }
  const message: JsonObject = { role: 'assistant', content: content.length > 0 ? content.join('') : null };
  if (refusals.length > 0) message['refusal'] = refusals.join('');
  if (reasoning.length > 0) message['reasoning_content'] = reasoning.join('\n\n');
  if (toolCalls.length > 0) message['tool_calls'] = toolCalls;
  return { message, calls: toolCalls.length };
}

function finishReason(answer: JsonObject, calls: number): string {
  const details = isJsonObject(answer['incomplete_details']) ? answer['incomplete_details'] : {};
  if (answer['status'] === 'incomplete')
    return details['reason'] === 'content_filter' ? 'content_filter' : 'length';
  return calls > 0 ? 'tool_calls' : 'stop';
}

/**
 * A Responses answer → the hub's `chat.completion`, with its usage. Anything but a JSON object is
 * no answer a client could use: a 502, as for the hub's own answers.
 */
export function fromResponsesAnswer(body: unknown, context: ResponseContext): ChatResult {
  if (!isJsonObject(body))
    throw new GatewayError(
      502,
      'upstream_error',
      'The upstream answered with something that is not a response.',
    );
  if (nestsDeeperThan(body, MAX_UPSTREAM_JSON_DEPTH)) throw tooDeepError();
  const upstreamModel = typeof body['model'] === 'string' && body['model'] !== '' ? body['model'] : null;
  const { message, calls } = hubMessage(Array.isArray(body['output']) ? body['output'] : []);
  const completion: JsonObject = {
    id: typeof body['id'] === 'string' ? body['id'] : '',
    object: 'chat.completion',
    created: typeof body['created_at'] === 'number' ? body['created_at'] : context.created,
    model: upstreamModel ?? context.model,
    choices: [{ index: 0, message, finish_reason: finishReason(body, calls), logprobs: null }],
  };
  if (isJsonObject(body['usage'])) completion['usage'] = hubUsage(body['usage']);
  return { body: completion, usage: usageFromResponses(body['usage']) ?? NO_USAGE, upstreamModel };
}
