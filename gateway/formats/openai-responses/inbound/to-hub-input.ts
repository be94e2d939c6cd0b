import { NAMESPACE_SEPARATOR } from './response-object.ts';
import { openCarried, type CarriedState } from './carry.ts';
import { invalidRequest } from '../../openai-chat/request-errors.ts';
import type { Carrier, JsonObject } from '../../types.ts';
import { isJsonObject } from '../../upstream-json.ts';
import type { InputItem } from '../request-schema.ts';

/*
 * The Responses `input` → the hub's messages. A reasoning item the gateway sealed gives its
 * assistant turn back the vendor state it carried (carry.ts); other reasoning items (their
 * encrypted content only OpenAI can read) and the calls of hosted tools (web search, file search,
 * a local shell run by OpenAI's tool) are left out; their outcome is in the text after them. Item types this version does not know are left out too, as unknown
 * parameters are: an agent's turn must not end on a 400 for history it cannot use.
 */

type ContentPart = JsonObject;

function string(value: unknown, where: string): string {
  if (typeof value !== 'string') throw invalidRequest(`${where}: must be a string.`, where);
  return value;
}

const textPart = (text: string): ContentPart => ({ type: 'text', text });

function imagePart(part: JsonObject, where: string): ContentPart {
  const url = part['image_url'];
  if (typeof url !== 'string' || url === '')
    throw invalidRequest(
      `${where}: an image by file_id cannot be carried to this route; send its URL or a data URL in image_url.`,
      `${where}.image_url`,
    );
  const image: JsonObject = { url };
  if (typeof part['detail'] === 'string') image['detail'] = part['detail'];
  return { type: 'image_url', image_url: image };
}

function filePart(part: JsonObject, where: string): ContentPart {
  const data = part['file_data'];
  if (typeof data !== 'string' || data === '')
    throw invalidRequest(
      `${where}: a file by file_id or file_url cannot be carried to this route; send its content in file_data.`,
      `${where}.file_data`,
    );
  const filename =
    typeof part['filename'] === 'string' && part['filename'] !== '' ? part['filename'] : 'file';
  return { type: 'file', file: { filename, file_data: data } };
}

/** One content part of a message or a tool output → a hub content part. */
function contentPart(part: unknown, where: string): ContentPart {
  if (!isJsonObject(part)) throw invalidRequest(`${where}: a content part must be an object.`, where);
  switch (part['type']) {
    case 'input_text':
    case 'output_text':
    case 'text':
      return textPart(string(part['text'], `${where}.text`));
    case 'refusal':
      return textPart(string(part['refusal'], `${where}.refusal`));
    case 'input_image':
      return imagePart(part, where);
    case 'input_file':
      return filePart(part, where);
    case 'input_audio':
      return { type: 'input_audio', input_audio: part['input_audio'] };
    default:
      throw invalidRequest(
        `${where}: a content part of type ${JSON.stringify(part['type'])} cannot be read here.`,
        `${where}.type`,
      );
  }
}

function parts(content: unknown, where: string): ContentPart[] {
  if (typeof content === 'string') return [textPart(content)];
  if (!Array.isArray(content))
    throw invalidRequest(`${where}: must be a string or a list of content parts.`, where);
  return content.map((part, index) => contentPart(part, `${where}[${index}]`));
}

const texts = (list: readonly ContentPart[]): string[] =>
  list.filter((part) => part['type'] === 'text').map((part) => part['text'] as string);

/** Text-only content as one string (what every OpenAI-compatible server takes); anything else as parts. */
function hubContent(list: readonly ContentPart[]): string | ContentPart[] {
  return list.every((part) => part['type'] === 'text') ? texts(list).join('\n\n') : [...list];
}

/** Builds the hub's messages item by item; the Responses API splits what the hub keeps in one message. */
class Conversation {
  readonly messages: JsonObject[] = [];
  /** Images and files from tool outputs: the hub's tool messages hold text only, so they follow the results. */
  private attachments: ContentPart[] = [];
  /** Tool-call id → the vendor state a reasoning item carried for that call. */
  private readonly callExtras = new Map<string, JsonObject>();

  private flush(): void {
    if (this.attachments.length === 0) return;
    this.messages.push({ role: 'user', content: [...this.attachments] });
    this.attachments = [];
  }

  /** The assistant message of the current turn: the last message, if the assistant's, else a new one. */
  private assistant(): JsonObject {
    this.flush();
    const last = this.messages.at(-1);
    if (last?.['role'] === 'assistant') return last;
    const message: JsonObject = { role: 'assistant', content: null };
    this.messages.push(message);
    return message;
  }

  message(role: string, content: unknown, where: string): void {
    const list = parts(content, `${where}.content`);
    if (role === 'assistant') {
      const text = texts(list).join('\n\n');
      if (text === '') return;
      const message = this.assistant();
      const before = message['content'];
      message['content'] = typeof before === 'string' && before !== '' ? `${before}\n\n${text}` : text;
      return;
    }
    this.flush();
    if (role === 'system' || role === 'developer') {
      this.messages.push({ role: 'system', content: texts(list).join('\n\n') });
      return;
    }
    if (role !== 'user')
      throw invalidRequest(`${where}.role: must be user, assistant, system or developer.`, `${where}.role`);
    this.messages.push({ role: 'user', content: hubContent(list) });
  }

  call(callId: string, name: string, argumentsText: string): void {
    const message = this.assistant();
    const calls = Array.isArray(message['tool_calls']) ? (message['tool_calls'] as JsonObject[]) : [];
    calls.push({ id: callId, type: 'function', function: { name, arguments: argumentsText } });
    message['tool_calls'] = calls;
  }

  /** Vendor state a reasoning item carried, for the assistant turn it is part of. */
  carried(state: CarriedState): void {
    const message = this.assistant();
    if (state.thinking_blocks.length > 0) {
      const before = Array.isArray(message['thinking_blocks']) ? message['thinking_blocks'] : [];
      message['thinking_blocks'] = [...before, ...state.thinking_blocks];
    }
    if (state.extra_content !== null) message['extra_content'] = state.extra_content;
    for (const [id, extra] of Object.entries(state.calls)) this.callExtras.set(id, extra);
  }

  output(callId: string, output: unknown, where: string): void {
    const list = parts(output, where);
    this.messages.push({ role: 'tool', tool_call_id: callId, content: texts(list).join('\n\n') });
    this.attachments.push(...list.filter((part) => part['type'] !== 'text'));
  }

  end(): JsonObject[] {
    this.flush();
    for (const message of this.messages) {
      if (message['role'] !== 'assistant' || !Array.isArray(message['tool_calls'])) continue;
      for (const call of message['tool_calls'] as JsonObject[]) {
        const extra = this.callExtras.get(String(call['id']));
        if (extra !== undefined && call['extra_content'] === undefined) call['extra_content'] = extra;
      }
    }
    // A turn of reasoning alone (its answer cut, or never sent back) is no message a vendor takes.
    return this.messages.filter(
      (message) =>
        message['role'] !== 'assistant' ||
        (message['content'] !== null && message['content'] !== '') ||
        Array.isArray(message['tool_calls']),
    );
  }
}

/** A custom tool's free-form input, as the arguments of a function the hub can carry. */
const customArguments = (input: unknown): string =>
  JSON.stringify({ input: typeof input === 'string' ? input : '' });

function addItem(
  conversation: Conversation,
  item: InputItem,
  where: string,
  carrier: Carrier | undefined,
): void {
  const type = item.type ?? 'message';
  switch (type) {
    case 'message':
      conversation.message(string(item.role, `${where}.role`), item['content'], where);
      return;
    case 'function_call':
      conversation.call(
        string(item['call_id'], `${where}.call_id`),
        // A function of a namespace group goes back under the name the hub gave it.
        typeof item['namespace'] === 'string' && item['namespace'] !== ''
          ? `${item['namespace']}${NAMESPACE_SEPARATOR}${string(item['name'], `${where}.name`)}`
          : string(item['name'], `${where}.name`),
        typeof item['arguments'] === 'string' ? item['arguments'] : '{}',
      );
      return;
    case 'custom_tool_call':
      conversation.call(
        string(item['call_id'], `${where}.call_id`),
        string(item['name'], `${where}.name`),
        customArguments(item['input']),
      );
      return;
    case 'function_call_output':
    case 'custom_tool_call_output':
      conversation.output(string(item['call_id'], `${where}.call_id`), item['output'], `${where}.output`);
      return;
    case 'reasoning': {
      const state = openCarried(item, carrier);
      if (state !== null) conversation.carried(state);
      return;
    }
    default:
    // Reasoning not sealed here, hosted tools' calls (web_search_call, local_shell_call…) and types this version
    // does not know: left out, see above.
  }
}

/** `instructions` and `input` → the hub's messages, in order. */
export function hubMessages(
  instructions: string | null | undefined,
  input: string | readonly InputItem[] | null | undefined,
  carrier?: Carrier,
): JsonObject[] {
  const conversation = new Conversation();
  if (typeof instructions === 'string' && instructions !== '')
    conversation.messages.push({ role: 'system', content: instructions });
  if (typeof input === 'string') conversation.message('user', input, 'input');
  else input?.forEach((item, index) => addItem(conversation, item, `input[${index}]`, carrier));
  return conversation.end();
}
