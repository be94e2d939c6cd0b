import type { JsonObject } from '../formats/types.ts';

/** Which wire format a body is in: the OpenAI-compatible endpoints, or a vendor's own on /proxy. */
export type BodyFormat = 'openai' | 'anthropic' | 'gemini';

/** One piece of text in a request, with its role, that a filter may read and rewrite in place. */
export interface TextSlot {
  role: string;
  text: string;
  set(text: string): void;
}

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A JSON value (tool-call input, a function's arguments or response) as text a filter can read
 * and rewrite: written back parsed; a rewrite that is no longer JSON is kept as a string.
 */
function jsonSlot(holder: JsonObject, key: string, role: string, out: TextSlot[]): void {
  if (holder[key] === undefined) return;
  out.push({
    role,
    text: JSON.stringify(holder[key]),
    set: (text) => {
      try {
        holder[key] = JSON.parse(text) as unknown;
      } catch {
        holder[key] = { text };
      }
    },
  });
}

function slotsOfContent(holder: JsonObject, key: string, role: string, out: TextSlot[]): void {
  const content = holder[key];
  if (typeof content === 'string') {
    out.push({ role, text: content, set: (text) => (holder[key] = text) });
    return;
  }
  if (!Array.isArray(content)) return;
  for (const part of content) {
    if (!isObject(part)) continue;
    if (typeof part['text'] === 'string')
      out.push({ role, text: part['text'], set: (text) => (part['text'] = text) });
    // Anthropic tool results carry text too (a string or blocks), and tool calls their input.
    if (part['type'] === 'tool_result') slotsOfContent(part, 'content', 'tool', out);
    if (part['type'] === 'tool_use') jsonSlot(part, 'input', role, out);
  }
}

/**
 * A normalised, writable view of the text in a request body, the same for OpenAI, Anthropic and
 * Gemini bodies: system prompts, messages (text parts), tool results and tool-call arguments.
 * Filters read and rewrite text through it without knowing the vendor's format.
 */
export function textSlots(body: JsonObject, format: BodyFormat): TextSlot[] {
  const out: TextSlot[] = [];
  if (format === 'openai') {
    for (const message of Array.isArray(body['messages']) ? body['messages'] : []) {
      if (!isObject(message)) continue;
      const role = typeof message['role'] === 'string' ? message['role'] : 'user';
      slotsOfContent(message, 'content', role, out);
      for (const call of Array.isArray(message['tool_calls']) ? message['tool_calls'] : []) {
        const fn = isObject(call) ? call['function'] : undefined;
        if (isObject(fn) && typeof fn['arguments'] === 'string') {
          out.push({ role: 'assistant', text: fn['arguments'], set: (text) => (fn['arguments'] = text) });
        }
      }
    }
    // Legacy completions and embeddings name their text `input` / `prompt`.
    for (const key of ['input', 'prompt']) {
      if (typeof body[key] === 'string')
        out.push({ role: 'user', text: body[key], set: (text) => (body[key] = text) });
      else if (Array.isArray(body[key])) {
        const list = body[key] as unknown[];
        list.forEach((item, index) => {
          if (typeof item === 'string')
            out.push({ role: 'user', text: item, set: (text) => (list[index] = text) });
        });
      }
    }
  } else if (format === 'anthropic') {
    slotsOfContent(body, 'system', 'system', out);
    for (const message of Array.isArray(body['messages']) ? body['messages'] : []) {
      if (isObject(message)) slotsOfContent(message, 'content', String(message['role'] ?? 'user'), out);
    }
  } else {
    const system = body['systemInstruction'] ?? body['system_instruction'];
    if (isObject(system)) slotsOfParts(system, 'system', out);
    for (const content of Array.isArray(body['contents']) ? body['contents'] : []) {
      if (isObject(content)) slotsOfParts(content, content['role'] === 'model' ? 'assistant' : 'user', out);
    }
  }
  return out;
}

function slotsOfParts(content: JsonObject, role: string, out: TextSlot[]): void {
  for (const part of Array.isArray(content['parts']) ? content['parts'] : []) {
    if (!isObject(part)) continue;
    if (typeof part['text'] === 'string') {
      out.push({ role, text: part['text'], set: (text) => (part['text'] = text) });
    }
    // Function calls' arguments and function responses are text a secret can hide in too.
    if (isObject(part['functionCall'])) jsonSlot(part['functionCall'], 'args', role, out);
    if (isObject(part['functionResponse'])) jsonSlot(part['functionResponse'], 'response', 'tool', out);
  }
}

/** The messages as plain `{role, content}` pairs, the shape scripts see. */
export function plainMessages(body: JsonObject, format: BodyFormat): { role: string; content: string }[] {
  return textSlots(body, format).map((slot) => ({ role: slot.role, content: slot.text }));
}
