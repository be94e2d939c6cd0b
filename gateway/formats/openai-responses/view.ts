import { contentSlots, positiveNumber } from '../text-slots.ts';
import type { JsonObject, RequestView, TextSlot } from '../types.ts';
import { isJsonObject } from '../upstream-json.ts';

function itemSlots(item: JsonObject, out: TextSlot[]): void {
  const type = item['type'] ?? 'message';
  if (type === 'message') {
    const role = typeof item['role'] === 'string' ? item['role'] : 'user';
    contentSlots(item, 'content', role === 'developer' ? 'system' : role, out);
  } else if (type === 'function_call' && typeof item['arguments'] === 'string') {
    out.push({ role: 'assistant', text: item['arguments'], set: (text) => (item['arguments'] = text) });
  } else if (type === 'function_call_output' || type === 'custom_tool_call_output') {
    contentSlots(item, 'output', 'tool', out);
  }
}

function textSlots(body: JsonObject): TextSlot[] {
  const out: TextSlot[] = [];
  if (typeof body['instructions'] === 'string')
    out.push({ role: 'system', text: body['instructions'], set: (text) => (body['instructions'] = text) });
  const input = body['input'];
  if (typeof input === 'string')
    out.push({ role: 'user', text: input, set: (text) => (body['input'] = text) });
  else if (Array.isArray(input)) for (const item of input) if (isJsonObject(item)) itemSlots(item, out);
  return out;
}

const isSystemItem = (item: unknown): boolean =>
  isJsonObject(item) &&
  (item['type'] ?? 'message') === 'message' &&
  (item['role'] === 'system' || item['role'] === 'developer');

/** A Responses request body as policy reads and rewrites it: its system prompt is `instructions`. */
export const openAiResponsesView: RequestView = {
  textSlots,

  setSystemPrompt(body, mode, text) {
    const current = typeof body['instructions'] === 'string' ? body['instructions'] : '';
    if (mode === 'replace') {
      body['instructions'] = text;
      if (Array.isArray(body['input'])) body['input'] = body['input'].filter((item) => !isSystemItem(item));
      return;
    }
    const present =
      current === text ||
      (mode === 'append' ? current.endsWith(`\n\n${text}`) : current.startsWith(`${text}\n\n`));
    if (present) return;
    if (current === '') body['instructions'] = text;
    else body['instructions'] = mode === 'append' ? `${current}\n\n${text}` : `${text}\n\n${current}`;
  },

  capMaxTokens(body, max) {
    const current = body['max_output_tokens'];
    body['max_output_tokens'] = typeof current === 'number' ? Math.min(current, max) : max;
  },

  maxTokens: (body) => positiveNumber(body['max_output_tokens']),

  setModel(body, model) {
    body['model'] = model;
  },
};
