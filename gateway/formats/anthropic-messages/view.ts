import { contentSlots, positiveNumber } from '../text-slots.ts';
import type { JsonObject, RequestView, TextSlot } from '../types.ts';
import { isJsonObject } from '../upstream-json.ts';

function textSlots(body: JsonObject): TextSlot[] {
  const out: TextSlot[] = [];
  contentSlots(body, 'system', 'system', out);
  for (const message of Array.isArray(body['messages']) ? body['messages'] : []) {
    if (isJsonObject(message)) contentSlots(message, 'content', String(message['role'] ?? 'user'), out);
  }
  return out;
}

/** An Anthropic Messages request body as policy reads and rewrites it (on `/proxy`). */
export const anthropicMessagesView: RequestView = {
  textSlots,

  setSystemPrompt(body, mode, text) {
    const current = body['system'];
    const blocks =
      mode === 'replace' || current === undefined
        ? []
        : typeof current === 'string'
          ? [{ type: 'text', text: current }]
          : (current as unknown[]);
    const edge = mode === 'append' ? blocks.at(-1) : blocks[0];
    if (mode !== 'replace' && isJsonObject(edge) && edge['type'] === 'text' && edge['text'] === text) return;
    const added = { type: 'text', text };
    body['system'] = mode === 'append' ? [...blocks, added] : [added, ...blocks];
  },

  capMaxTokens(body, max) {
    const current = body['max_tokens'];
    body['max_tokens'] = typeof current === 'number' ? Math.min(current, max) : max;
  },

  maxTokens: (body) => positiveNumber(body['max_tokens']),

  setModel(body, model) {
    body['model'] = model;
  },
};
