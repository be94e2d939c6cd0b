import { describe, expect, it } from 'vitest';
import { anthropicMessagesView } from '../../../gateway/formats/anthropic-messages/view.ts';
import { geminiGenerateView } from '../../../gateway/formats/gemini-generate/view.ts';
import { openAiChatView } from '../../../gateway/formats/openai-chat/view.ts';
import { openAiResponsesView } from '../../../gateway/formats/openai-responses/view.ts';
import type { JsonObject, RequestView } from '../../../gateway/formats/types.ts';

// A system-prompt filter applied to a body it already shaped (a logged request replayed through
// the same route) leaves it as it is; one applied to any other body adds its text where it goes.

const CASES: { name: string; view: RequestView; body: () => JsonObject }[] = [
  {
    name: 'OpenAI Chat',
    view: openAiChatView,
    body: () => ({ messages: [{ role: 'user', content: 'hi' }] }),
  },
  {
    name: 'Anthropic Messages',
    view: anthropicMessagesView,
    body: () => ({ system: 'Mine.', messages: [{ role: 'user', content: 'hi' }] }),
  },
  {
    name: 'Gemini',
    view: geminiGenerateView,
    body: () => ({ systemInstruction: { parts: [{ text: 'Mine.' }] }, contents: [] }),
  },
  { name: 'Responses', view: openAiResponsesView, body: () => ({ instructions: 'Mine.', input: 'hi' }) },
];

describe.each(CASES)('$name: setSystemPrompt', ({ view, body }) => {
  for (const mode of ['prepend', 'append', 'replace'] as const) {
    it(`${mode}s its text once, however often it is applied`, () => {
      const once = body();
      view.setSystemPrompt(once, mode, 'Be brief.');
      const twice = structuredClone(once);
      view.setSystemPrompt(twice, mode, 'Be brief.');
      expect(twice).toEqual(once);
      expect(JSON.stringify(once)).toContain('Be brief.');
    });
  }
});

describe('the text already elsewhere in the prompt', () => {
  it('is still appended where an append filter puts it', () => {
    const body: JsonObject = {
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ],
    };
    openAiChatView.setSystemPrompt(body, 'append', 'Be brief.');
    expect(body['messages']).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'hi' },
      { role: 'system', content: 'Be brief.' },
    ]);
  });
});
