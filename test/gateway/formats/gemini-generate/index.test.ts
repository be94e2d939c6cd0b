import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { geminiGenerateFormat } from '../../../../gateway/formats/gemini-generate/index.ts';
import { CHAT_PARAMETERS } from '../../../../gateway/formats/gemini-generate/parameters.ts';
import { EMBEDDINGS_PARAMETERS } from '../../../../gateway/formats/gemini-generate/embeddings.ts';

describe('geminiGenerateFormat', () => {
  it('is the gemini-generate format, with embeddings', () => {
    expect(geminiGenerateFormat.id).toBe('gemini-generate');
    expect(geminiGenerateFormat.embeddings).not.toBeNull();
  });

  it('reads usage from a native stream on /proxy, where every usage is wanted', () => {
    const reducer = geminiGenerateFormat.chat.stream;
    const state = reducer.init({ model: '', created: 0, clientWantsUsage: true });
    reducer.next(state, {
      event: undefined,
      id: undefined,
      data: '{"candidates":[{"content":{"parts":[{"text":"hi"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":1},"modelVersion":"gemini-2.5-flash"}',
    });
    expect(reducer.end(state).complete).toBe(true);
    expect(reducer.usage(state)).toEqual({
      inputTokens: 3,
      outputTokens: 1,
      cachedInputTokens: 0,
      reasoningTokens: 0,
    });
    expect(reducer.upstreamModel(state)).toBe('gemini-2.5-flash');
  });
});

describe('docs/vendors/gemini.md', () => {
  const doc = readFileSync(new URL('../../../../docs/vendors/gemini.md', import.meta.url), 'utf8');
  /** The rows of the parameter tables: the sections "Chat parameters" and "Embeddings". */
  const section = (title: string) => doc.split('\n## ').find((part) => part.startsWith(title)) ?? '';
  const tableRows = [section('Chat parameters'), section('Embeddings')]
    .join('\n')
    .split('\n')
    .filter((line) => line.startsWith('| `'));
  const rowOf = (name: string) => tableRows.find((line) => line.startsWith(`| \`${name}\``));

  it('has a table row for every chat parameter, saying what the code does with it', () => {
    for (const [name, rule] of CHAT_PARAMETERS) {
      const row = rowOf(name);
      expect(row, `row for ${name}`).toBeDefined();
      const word = { carried: 'carried', dropped: 'dropped', 'dropped-when': 'dropped', refused: 'refused' }[
        rule.kind
      ];
      expect(row!.toLowerCase(), `row for ${name}`).toContain(word);
      if (rule.kind === 'dropped-when') expect(row!.toLowerCase(), `row for ${name}`).toContain('refused');
    }
  });

  it('has a row for every embeddings parameter', () => {
    for (const name of Object.keys(EMBEDDINGS_PARAMETERS)) {
      expect(doc, `embeddings parameter ${name}`).toContain(`\`${name}\``);
    }
  });

  it('lists no parameter the code does not know', () => {
    const known = new Set([...CHAT_PARAMETERS.keys(), ...Object.keys(EMBEDDINGS_PARAMETERS)]);
    for (const row of tableRows) {
      const name = /^\| `([a-z_]+)`/.exec(row)?.[1];
      if (name !== undefined) expect(known.has(name), `documented parameter ${name}`).toBe(true);
    }
  });
});
