import { jsonSlot, positiveNumber } from '../text-slots.ts';
import type { JsonObject, RequestView, TextSlot } from '../types.ts';
import { isJsonObject } from '../upstream-json.ts';

function partSlots(content: JsonObject, role: string, out: TextSlot[]): void {
  for (const part of Array.isArray(content['parts']) ? content['parts'] : []) {
    if (!isJsonObject(part)) continue;
    if (typeof part['text'] === 'string') {
      out.push({ role, text: part['text'], set: (text) => (part['text'] = text) });
    }
    // Function calls' arguments and function responses are text a secret can hide in too.
    if (isJsonObject(part['functionCall'])) jsonSlot(part['functionCall'], 'args', role, out);
    if (isJsonObject(part['functionResponse'])) jsonSlot(part['functionResponse'], 'response', 'tool', out);
  }
}

function textSlots(body: JsonObject): TextSlot[] {
  const out: TextSlot[] = [];
  const system = body['systemInstruction'] ?? body['system_instruction'];
  if (isJsonObject(system)) partSlots(system, 'system', out);
  for (const content of Array.isArray(body['contents']) ? body['contents'] : []) {
    if (isJsonObject(content)) partSlots(content, content['role'] === 'model' ? 'assistant' : 'user', out);
  }
  return out;
}

/** A Gemini generateContent body as policy reads and rewrites it (on `/proxy`). */
export const geminiGenerateView: RequestView = {
  textSlots,

  setSystemPrompt(body, mode, text) {
    const key = body['system_instruction'] !== undefined ? 'system_instruction' : 'systemInstruction';
    const holder = body[key];
    const current =
      isJsonObject(holder) && Array.isArray(holder['parts']) ? (holder['parts'] as unknown[]) : [];
    const parts = mode === 'replace' ? [] : current;
    const edge = mode === 'append' ? parts.at(-1) : parts[0];
    if (mode !== 'replace' && isJsonObject(edge) && edge['text'] === text) return;
    body[key] = { parts: mode === 'append' ? [...parts, { text }] : [{ text }, ...parts] };
  },

  capMaxTokens(body, max) {
    const config = isJsonObject(body['generationConfig'])
      ? body['generationConfig']
      : (body['generationConfig'] = {});
    const current = config['maxOutputTokens'];
    config['maxOutputTokens'] = typeof current === 'number' ? Math.min(current, max) : max;
  },

  maxTokens: (body) =>
    positiveNumber(
      isJsonObject(body['generationConfig']) ? body['generationConfig']['maxOutputTokens'] : undefined,
    ),

  // The model is in the path, which the request was admitted on: the body has none to set.
  setModel: () => undefined,
};
