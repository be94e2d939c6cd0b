/*
 * A logged request and answer, read for people: the prompt as a conversation and the answer put
 * together from its stream, whatever wire format the client spoke (OpenAI Chat Completions,
 * Anthropic Messages, Gemini, OpenAI Responses). The bodies are as the client sent and got them;
 * anything this does not recognise is left to the raw view, never guessed at.
 */

export type Part =
  | { type: 'text'; text: string }
  | { type: 'image'; src: string }
  | { type: 'tool-call'; name: string; arguments: string }
  | { type: 'tool-result'; text: string };

export interface Turn {
  role: 'system' | 'user' | 'assistant' | 'tool';
  parts: Part[];
}

export interface ToolCall {
  name: string;
  arguments: string;
}

export interface Answer {
  text: string;
  reasoning: string;
  toolCalls: ToolCall[];
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const json = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value ?? {}));

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** An image part's source as something an <img> can show: a URL or a data URL. */
function imageOf(part: Json): string | null {
  const openAi = part['image_url'];
  if (isObject(openAi) && typeof openAi['url'] === 'string') return openAi['url'];
  if (typeof openAi === 'string') return openAi;
  const source = part['source'];
  if (isObject(source)) {
    if (source['type'] === 'url' && typeof source['url'] === 'string') return source['url'];
    if (source['type'] === 'base64') return `data:${str(source['media_type'])};base64,${str(source['data'])}`;
  }
  const inline = part['inlineData'];
  if (isObject(inline)) return `data:${str(inline['mimeType'])};base64,${str(inline['data'])}`;
  return null;
}

/** One content part of any of the formats. */
function partOf(part: unknown): Part[] {
  if (typeof part === 'string') return part === '' ? [] : [{ type: 'text', text: part }];
  if (!isObject(part)) return [];
  if (part['type'] === 'tool_use')
    return [{ type: 'tool-call', name: str(part['name']), arguments: json(part['input']) }];
  if (part['type'] === 'tool_result') return [{ type: 'tool-result', text: textOf(part['content']) }];
  const call = part['functionCall'];
  if (isObject(call)) return [{ type: 'tool-call', name: str(call['name']), arguments: json(call['args']) }];
  const response = part['functionResponse'];
  if (isObject(response)) return [{ type: 'tool-result', text: json(response['response']) }];
  const image = imageOf(part);
  if (image !== null) return [{ type: 'image', src: image }];
  if (part['thought'] === true) return [];
  const text = part['text'];
  return typeof text === 'string' && text !== '' ? [{ type: 'text', text }] : [];
}

function partsOf(content: unknown): Part[] {
  return Array.isArray(content) ? content.flatMap(partOf) : partOf(content);
}

function textOf(content: unknown): string {
  return partsOf(content)
    .map((part) => ('text' in part ? part.text : ''))
    .join('\n');
}

const role = (value: unknown): Turn['role'] => {
  if (value === 'model' || value === 'assistant') return 'assistant';
  if (value === 'system' || value === 'developer') return 'system';
  if (value === 'tool' || value === 'function') return 'tool';
  return 'user';
};

/** OpenAI Chat Completions and Anthropic Messages: `messages`, and Anthropic's `system`. */
function fromMessages(body: Json): Turn[] {
  const turns: Turn[] = [];
  const system = body['system'];
  if (system !== undefined) turns.push({ role: 'system', parts: partsOf(system) });
  for (const message of list(body['messages']).filter(isObject)) {
    const parts = partsOf(message['content']);
    for (const call of list(message['tool_calls']).filter(isObject)) {
      const fn = isObject(call['function']) ? call['function'] : {};
      parts.push({ type: 'tool-call', name: str(fn['name']), arguments: json(fn['arguments']) });
    }
    const turnRole = role(message['role']);
    turns.push({
      role: turnRole,
      parts:
        turnRole === 'tool'
          ? [{ type: 'tool-result', text: textOf(message['content']) }]
          : // Anthropic's tool results ride in a user turn: shown as the tool's.
            parts,
    });
  }
  return turns;
}

/** Gemini: `systemInstruction` and `contents`. */
function fromContents(body: Json): Turn[] {
  const turns: Turn[] = [];
  const system = body['systemInstruction'];
  if (isObject(system)) turns.push({ role: 'system', parts: partsOf(system['parts']) });
  for (const content of list(body['contents']).filter(isObject))
    turns.push({ role: role(content['role']), parts: partsOf(content['parts']) });
  return turns;
}

/** OpenAI Responses: `instructions` and `input` (a string or items). */
function fromInput(body: Json): Turn[] {
  const turns: Turn[] = [];
  if (typeof body['instructions'] === 'string')
    turns.push({ role: 'system', parts: [{ type: 'text', text: body['instructions'] }] });
  const input = body['input'];
  if (typeof input === 'string') return [...turns, { role: 'user', parts: [{ type: 'text', text: input }] }];
  for (const item of list(input).filter(isObject)) {
    const type = item['type'] ?? 'message';
    if (type === 'message') {
      turns.push({ role: role(item['role']), parts: partsOf(item['content']) });
    } else if (type === 'function_call' || type === 'custom_tool_call') {
      turns.push({
        role: 'assistant',
        parts: [
          { type: 'tool-call', name: str(item['name']), arguments: str(item['arguments'] ?? item['input']) },
        ],
      });
    } else if (type === 'function_call_output' || type === 'custom_tool_call_output') {
      turns.push({ role: 'tool', parts: [{ type: 'tool-result', text: textOf(item['output']) }] });
    }
  }
  return turns;
}

/**
 * The prompt as a conversation, or null when the body is not one this can read — including one
 * with no turn in it (an embeddings request's `input` of strings), which the raw view shows better.
 */
export function readPrompt(body: string): Turn[] | null {
  const parsed = parse(body);
  if (!isObject(parsed)) return null;
  const turns = Array.isArray(parsed['messages'])
    ? fromMessages(parsed)
    : Array.isArray(parsed['contents'])
      ? fromContents(parsed)
      : parsed['input'] !== undefined
        ? fromInput(parsed)
        : [];
  const spoken = turns.filter((turn) => turn.parts.length > 0);
  return spoken.length > 0 ? spoken : null;
}

const ANTHROPIC_EVENTS = new Set([
  'message_start',
  'content_block_start',
  'content_block_delta',
  'content_block_stop',
  'message_delta',
  'message_stop',
]);

/** Puts an answer together, event by event or from a whole body. */
class Assembler {
  text = '';
  reasoning = '';
  readonly calls = new Map<string | number, ToolCall>();
  /** Whether anything added had an answer's shape: valid JSON alone (an error, embeddings) is not one. */
  recognised = false;

  call(key: string | number, name?: unknown, args?: unknown): void {
    let call = this.calls.get(key);
    if (call === undefined) {
      call = { name: '', arguments: '' };
      this.calls.set(key, call);
    }
    if (typeof name === 'string' && name !== '') call.name = name;
    if (typeof args === 'string') call.arguments += args;
    else if (args !== undefined) call.arguments += JSON.stringify(args);
  }

  /** One JSON value of any format: a whole answer, or one event of a stream. */
  add(value: unknown): void {
    if (Array.isArray(value)) return value.forEach((item) => this.add(item));
    if (!isObject(value)) return;
    if (Array.isArray(value['choices']) || Array.isArray(value['candidates'])) this.recognised = true;
    // OpenAI Chat Completions: an answer's message, or a chunk's delta.
    for (const choice of list(value['choices']).filter(isObject)) {
      const message = isObject(choice['message'])
        ? choice['message']
        : isObject(choice['delta'])
          ? choice['delta']
          : {};
      this.text += str(message['content']);
      this.reasoning += str(message['reasoning_content']);
      for (const [index, call] of list(message['tool_calls']).filter(isObject).entries()) {
        const fn = isObject(call['function']) ? call['function'] : {};
        this.call(
          `openai-${typeof call['index'] === 'number' ? call['index'] : index}`,
          fn['name'],
          fn['arguments'],
        );
      }
    }
    // Gemini: candidates' parts.
    for (const candidate of list(value['candidates']).filter(isObject)) {
      const content = isObject(candidate['content']) ? candidate['content'] : {};
      for (const part of list(content['parts']).filter(isObject)) {
        const call = part['functionCall'];
        if (isObject(call)) this.call(`gemini-${this.calls.size}`, call['name'], call['args']);
        else if (part['thought'] === true) this.reasoning += str(part['text']);
        else this.text += str(part['text']);
      }
    }
    this.anthropic(value);
    this.responses(value);
  }

  private anthropic(value: Json): void {
    const type = value['type'];
    if (type === 'message' && Array.isArray(value['content'])) {
      this.recognised = true;
      for (const [index, block] of list(value['content']).filter(isObject).entries()) {
        if (block['type'] === 'text') this.text += str(block['text']);
        else if (block['type'] === 'thinking') this.reasoning += str(block['thinking']);
        else if (block['type'] === 'tool_use') this.call(`anthropic-${index}`, block['name'], block['input']);
      }
      return;
    }
    if (typeof type === 'string' && ANTHROPIC_EVENTS.has(type)) this.recognised = true;
    const index = typeof value['index'] === 'number' ? value['index'] : -1;
    if (type === 'content_block_start' && isObject(value['content_block'])) {
      const block = value['content_block'];
      if (block['type'] === 'tool_use') this.call(`anthropic-${index}`, block['name']);
    } else if (type === 'content_block_delta' && isObject(value['delta'])) {
      const delta = value['delta'];
      if (delta['type'] === 'text_delta') this.text += str(delta['text']);
      else if (delta['type'] === 'thinking_delta') this.reasoning += str(delta['thinking']);
      else if (delta['type'] === 'input_json_delta')
        this.call(`anthropic-${index}`, undefined, str(delta['partial_json']));
    }
  }

  private responses(value: Json): void {
    const type = value['type'];
    if ((typeof type === 'string' && type.startsWith('response.')) || value['object'] === 'response')
      this.recognised = true;
    if (type === 'response.output_text.delta') this.text += str(value['delta']);
    else if (type === 'response.reasoning_summary_text.delta') this.reasoning += str(value['delta']);
    else if (type === 'response.output_item.added' && isObject(value['item'])) {
      const item = value['item'];
      if (item['type'] === 'function_call')
        this.call(`responses-${String(value['output_index'])}`, item['name']);
    } else if (type === 'response.function_call_arguments.delta')
      this.call(`responses-${String(value['output_index'])}`, undefined, str(value['delta']));
    else if (value['object'] === 'response' && Array.isArray(value['output'])) {
      for (const [index, item] of list(value['output']).filter(isObject).entries()) {
        if (item['type'] === 'message') this.text += textOf(item['content']);
        else if (item['type'] === 'reasoning')
          this.reasoning += list(item['summary'])
            .filter(isObject)
            .map((part) => str(part['text']))
            .join('');
        else if (item['type'] === 'function_call')
          this.call(`responses-${index}`, item['name'], item['arguments']);
      }
    }
  }
}

/**
 * The answer as the client got it, put together: a whole JSON body, a Gemini JSON-array stream, or
 * an SSE stream (`data:` lines) of any of the formats. Null when no answer's shape was found in it
 * (an error body, an embeddings answer): that is left to the raw view.
 */
export function readAnswer(body: string): Answer | null {
  const assembler = new Assembler();
  const whole = parse(body);
  if (whole !== undefined) assembler.add(whole);
  else
    for (const line of body.split(/\r?\n/)) {
      if (!line.startsWith('data:')) continue;
      const value = parse(line.slice(5).trim());
      if (value !== undefined) assembler.add(value);
    }
  if (!assembler.recognised) return null;
  return { text: assembler.text, reasoning: assembler.reasoning, toolCalls: [...assembler.calls.values()] };
}
