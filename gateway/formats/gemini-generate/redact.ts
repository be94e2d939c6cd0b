import type { Pattern } from '../../filters/patterns.ts';
import { redactJsonField, redactText, StreamRedactors } from '../../filters/redact.ts';
import type { JsonObject, StreamRedactor } from '../types.ts';
import { isJsonObject } from '../upstream-json.ts';

/** Redacts a Gemini generateContent answer in place: each candidate's text and function-call arguments. */
export function redactGeminiAnswer(answer: JsonObject, patterns: readonly Pattern[]): void {
  for (const candidate of Array.isArray(answer['candidates']) ? answer['candidates'] : []) {
    const content = isJsonObject(candidate) ? candidate['content'] : undefined;
    for (const part of isJsonObject(content) && Array.isArray(content['parts']) ? content['parts'] : []) {
      if (!isJsonObject(part)) continue;
      if (typeof part['text'] === 'string') part['text'] = redactText(part['text'], patterns);
      if (isJsonObject(part['functionCall'])) redactJsonField(part['functionCall'], 'args', patterns);
    }
  }
}

/**
 * A Gemini stream, redacted: each candidate's text is redacted as it streams; what is held of a
 * candidate goes out as a text part of its last chunk (or of one more chunk at the end).
 */
export function geminiStreamRedactor(patterns: readonly Pattern[]): StreamRedactor {
  const texts = new StreamRedactors<number>(patterns);
  let last: JsonObject | null = null;
  const drain = (candidate: JsonObject, index: number) => {
    const rest = texts.end(index);
    if (rest === '') return false;
    const content = isJsonObject(candidate['content'])
      ? candidate['content']
      : (candidate['content'] = { role: 'model', parts: [] });
    const parts = Array.isArray(content['parts']) ? (content['parts'] as unknown[]) : (content['parts'] = []);
    (parts as unknown[]).push({ text: rest });
    return true;
  };
  return {
    next(event) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(event.data);
      } catch {
        return [{ event: event.event, data: event.data }];
      }
      // `null`, a number, an array: nothing to redact; passed on as it came.
      if (!isJsonObject(parsed)) return [{ event: event.event, data: event.data }];
      const data = parsed;
      let changed = false;
      const candidates = Array.isArray(data['candidates']) ? data['candidates'] : [];
      for (const [position, candidate] of candidates.entries()) {
        if (!isJsonObject(candidate)) continue;
        const index = typeof candidate['index'] === 'number' ? candidate['index'] : position;
        const content = candidate['content'];
        for (const part of isJsonObject(content) && Array.isArray(content['parts']) ? content['parts'] : []) {
          if (!isJsonObject(part) || typeof part['text'] !== 'string' || part['text'] === '') continue;
          part['text'] = texts.push(index, part['text']);
          changed = true;
        }
        if (candidate['finishReason'] !== undefined && drain(candidate, index)) changed = true;
      }
      last = data;
      return [{ event: event.event, data: changed ? JSON.stringify(data) : event.data }];
    },
    end() {
      const held = texts.keys();
      if (held.length === 0) return [];
      const template: JsonObject = { ...(last ?? {}), candidates: [] };
      for (const index of held) {
        const candidate: JsonObject = { index, content: { role: 'model', parts: [] } };
        if (drain(candidate, index)) (template['candidates'] as JsonObject[]).push(candidate);
      }
      return [{ event: undefined, data: JSON.stringify(template) }];
    },
  };
}
