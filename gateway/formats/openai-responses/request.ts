import { refuseUnhonoured } from '../openai-chat/parameters.ts';
import { unsupportedParameter } from '../openai-chat/request-errors.ts';
import type { ChatCallContext, JsonObject } from '../types.ts';
import { isJsonObject } from '../upstream-json.ts';

/*
 * The hub's request → a Responses request, for servers that speak only Responses. What the
 * Responses API has no field for is refused where leaving it out would change the answer
 * (several choices, stop sequences, token logprobs, audio), and otherwise dropped.
 */

type Refusal = (value: unknown) => string | null;

const REFUSED: ReadonlyMap<string, Refusal> = new Map<string, Refusal>([
  ['n', (value) => (value === 1 ? null : 'this route answers with one choice only')],
  [
    'stop',
    (value) => (Array.isArray(value) && value.length === 0 ? null : 'this route has no stop sequences'),
  ],
  ['logprobs', (value) => (value === false ? null : 'this route gives no token logprobs')],
  ['audio', () => 'this route gives no audio'],
]);

function string(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** A message's content as Responses content parts (`input_text`, `input_image`, `input_file`). */
function inputParts(content: unknown): JsonObject[] | string {
  if (!Array.isArray(content)) return string(content);
  return content.filter(isJsonObject).flatMap((part): JsonObject[] => {
    if (part['type'] === 'text') return [{ type: 'input_text', text: string(part['text']) }];
    const image = part['image_url'];
    if (part['type'] === 'image_url' && isJsonObject(image)) {
      const out: JsonObject = { type: 'input_image', image_url: image['url'] };
      out['detail'] = typeof image['detail'] === 'string' ? image['detail'] : 'auto';
      return [out];
    }
    const file = part['file'];
    if (part['type'] === 'file' && isJsonObject(file))
      return [{ type: 'input_file', filename: file['filename'], file_data: file['file_data'] }];
    return [];
  });
}

const textOf = (content: unknown): string =>
  Array.isArray(content)
    ? content
        .filter(isJsonObject)
        .map((part) => string(part['text']))
        .join('')
    : string(content);

function inputItems(message: JsonObject): JsonObject[] {
  const role = message['role'];
  if (role === 'tool')
    return [
      { type: 'function_call_output', call_id: message['tool_call_id'], output: textOf(message['content']) },
    ];
  if (role !== 'assistant') {
    const inputRole = role === 'system' || role === 'developer' ? role : 'user';
    return [{ type: 'message', role: inputRole, content: inputParts(message['content']) }];
  }
  const items: JsonObject[] = [];
  const text = textOf(message['content']);
  if (text !== '') items.push({ type: 'message', role: 'assistant', content: text });
  for (const call of Array.isArray(message['tool_calls']) ? message['tool_calls'] : []) {
    if (!isJsonObject(call)) continue;
    const fn = isJsonObject(call['function']) ? call['function'] : {};
    items.push({
      type: 'function_call',
      call_id: call['id'],
      name: fn['name'],
      arguments: string(fn['arguments']),
    });
  }
  return items;
}

function tools(list: unknown): JsonObject[] {
  return (Array.isArray(list) ? list : []).filter(isJsonObject).flatMap((tool): JsonObject[] => {
    const fn = tool['function'];
    if (tool['type'] !== 'function' || !isJsonObject(fn)) return [];
    return [{ type: 'function', ...fn }];
  });
}

function toolChoice(choice: unknown): unknown {
  if (!isJsonObject(choice)) return choice;
  const fn = isJsonObject(choice['function']) ? choice['function'] : {};
  return { type: 'function', name: fn['name'] };
}

function textFormat(format: unknown): JsonObject | null {
  if (!isJsonObject(format)) return null;
  if (format['type'] === 'json_object') return { format: { type: 'json_object' } };
  const schema = format['json_schema'];
  if (format['type'] !== 'json_schema' || !isJsonObject(schema)) return null;
  return { format: { type: 'json_schema', ...schema } };
}

/** A hub request → a Responses request. Nothing is stored upstream: the gateway keeps its own records. */
export function toResponsesRequest(body: JsonObject, context: ChatCallContext): JsonObject {
  refuseUnhonoured(body, REFUSED, (field, value, rule) => {
    const why = rule(value);
    return why === null ? null : unsupportedParameter(`"${field}": ${why}.`, field);
  });
  const messages = Array.isArray(body['messages']) ? body['messages'].filter(isJsonObject) : [];
  const out: JsonObject = { model: context.model, input: messages.flatMap(inputItems), store: false };
  const maxTokens = body['max_completion_tokens'] ?? body['max_tokens'];
  if (typeof maxTokens === 'number') out['max_output_tokens'] = maxTokens;
  for (const field of ['temperature', 'top_p', 'user', 'metadata', 'parallel_tool_calls']) {
    if (body[field] !== undefined && body[field] !== null) out[field] = body[field];
  }
  const list = tools(body['tools']);
  if (list.length > 0) out['tools'] = list;
  if (body['tool_choice'] !== undefined && body['tool_choice'] !== null)
    out['tool_choice'] = toolChoice(body['tool_choice']);
  if (typeof body['reasoning_effort'] === 'string') out['reasoning'] = { effort: body['reasoning_effort'] };
  const text = textFormat(body['response_format']);
  if (text !== null) out['text'] = text;
  if (context.stream) out['stream'] = true;
  return out;
}
