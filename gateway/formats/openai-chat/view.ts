import { contentSlots, positiveNumber } from '../text-slots.ts';
import type { JsonObject, RequestView, TextSlot } from '../types.ts';
import { isJsonObject } from '../upstream-json.ts';

function textSlots(body: JsonObject): TextSlot[] {
  const out: TextSlot[] = [];
  for (const message of Array.isArray(body['messages']) ? body['messages'] : []) {
    if (!isJsonObject(message)) continue;
    const role = typeof message['role'] === 'string' ? message['role'] : 'user';
    contentSlots(message, 'content', role, out);
    for (const call of Array.isArray(message['tool_calls']) ? message['tool_calls'] : []) {
      const fn = isJsonObject(call) ? call['function'] : undefined;
      if (isJsonObject(fn) && typeof fn['arguments'] === 'string') {
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
  return out;
}

/** An OpenAI request body (chat, embeddings, legacy completions) as policy reads and rewrites it. */
export const openAiChatView: RequestView = {
  textSlots,

  setSystemPrompt(body, mode, text) {
    const messages = Array.isArray(body['messages']) ? (body['messages'] as JsonObject[]) : [];
    const edge = mode === 'append' ? messages.at(-1) : messages[0];
    if (mode !== 'replace' && edge?.['role'] === 'system' && edge['content'] === text) return;
    const others =
      mode === 'replace'
        ? messages.filter((message) => message['role'] !== 'system' && message['role'] !== 'developer')
        : messages;
    body['messages'] =
      mode === 'append'
        ? [...others, { role: 'system', content: text }]
        : [{ role: 'system', content: text }, ...others];
  },

  capMaxTokens(body, max) {
    const keys = ['max_completion_tokens', 'max_tokens'];
    const present = keys.filter((key) => typeof body[key] === 'number');
    if (present.length === 0) body['max_tokens'] = max;
    for (const key of present) body[key] = Math.min(body[key] as number, max);
  },

  maxTokens: (body) => positiveNumber(body['max_completion_tokens'] ?? body['max_tokens']),

  setModel(body, model) {
    body['model'] = model;
  },
};
