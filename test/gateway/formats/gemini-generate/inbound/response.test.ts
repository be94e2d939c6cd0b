import { describe, expect, it } from 'vitest';
import { geminiGenerateFormat } from '../../../../../gateway/formats/gemini-generate/index.ts';
import { geminiInbound } from '../../../../../gateway/formats/gemini-generate/inbound/index.ts';
import { markSignature } from '../../../../../gateway/formats/gemini-generate/inbound/signature.ts';
import type { JsonObject } from '../../../../../gateway/formats/types.ts';
import { fixtureJson } from '../../../../support/fixtures.ts';

const context = { model: 'client-model' };
const toGemini = (answer: JsonObject) => geminiInbound.response(answer, context);

describe('geminiInbound.response', () => {
  it("turns OpenAI's answer into a GenerateContentResponse", () => {
    const answer = fixtureJson('openai/openai-text.json');
    const message = (answer['choices'] as { message: { content: string } }[])[0]!.message;
    expect(toGemini(answer)).toEqual({
      candidates: [
        { content: { role: 'model', parts: [{ text: message.content }] }, finishReason: 'STOP', index: 0 },
      ],
      usageMetadata: { promptTokenCount: 16, candidatesTokenCount: 363, totalTokenCount: 379 },
      modelVersion: 'client-model',
      responseId: 'chatcmpl-D8Z5f52zQqikDBEKQMQoYcWMcWPeU',
    });
  });

  it("turns DeepSeek's reasoning and tool call into a thought part and a functionCall", () => {
    const gemini = toGemini(fixtureJson('openai-compatible/deepseek-tool-call.json'));
    const candidate = (gemini['candidates'] as JsonObject[])[0]!;
    const parts = (candidate['content'] as { parts: JsonObject[] }).parts;
    expect(parts).toHaveLength(2);
    expect(parts[0]).toMatchObject({ thought: true, text: expect.stringMatching(/^The user is asking/) });
    expect(parts[1]).toEqual({
      functionCall: {
        id: 'call_00_9V0vrf86Pc9aelHCJMZqnJBo',
        name: 'weather',
        args: { location: 'San Francisco' },
      },
    });
    expect(candidate['finishReason']).toBe('STOP');
    expect(gemini['usageMetadata']).toEqual({
      promptTokenCount: 339,
      candidatesTokenCount: 44,
      totalTokenCount: 431,
      cachedContentTokenCount: 320,
      thoughtsTokenCount: 48,
    });
  });

  it('gives back what Gemini answered, after a trip through the hub', () => {
    for (const name of ['google/google-tool-call.json', 'google/google-text.json']) {
      const original = fixtureJson(name);
      const hub = geminiGenerateFormat.chat.response(original, { model: 'gemini-3-pro-preview', created: 1 });
      const back = toGemini(hub.body!);
      const originalCandidate = (original['candidates'] as JsonObject[])[0]!;
      const candidate = (back['candidates'] as JsonObject[])[0]!;
      const withOurMark = (originalCandidate['content'] as { parts: JsonObject[] }).parts.map((part) => ({
        ...part,
        thoughtSignature: markSignature(part['thoughtSignature'] as string),
      }));
      const parts = (candidate['content'] as { parts: JsonObject[] }).parts.map((part) => {
        const call = part['functionCall'] as JsonObject | undefined;
        if (call === undefined) return part;
        // Gemini's call had no id; the hub's is kept so that the client can pair its answer.
        expect(call['id']).toMatch(/^call_/);
        const { id: _id, ...rest } = call;
        return { ...part, functionCall: rest };
      });
      expect(parts).toEqual(withOurMark);
      expect(candidate['finishReason']).toBe(originalCandidate['finishReason']);
      const { promptTokensDetails: _details, ...usage } = original['usageMetadata'] as JsonObject;
      expect(back['usageMetadata']).toEqual(usage);
      expect(back['responseId']).toBe(original['responseId']);
    }
  });

  it('maps finish reasons and reports a call whose arguments are not an object as malformed', () => {
    const answer = (message: JsonObject, finishReason: string) =>
      (
        toGemini({ id: 'x', choices: [{ index: 0, message, finish_reason: finishReason }] })[
          'candidates'
        ] as JsonObject[]
      )[0]!;
    expect(answer({ content: 'cut' }, 'length')['finishReason']).toBe('MAX_TOKENS');
    expect(answer({ content: null }, 'content_filter')).toEqual({ finishReason: 'SAFETY', index: 0 });
    const malformed = answer(
      {
        content: 'Calling.',
        tool_calls: [
          { id: 'a', type: 'function', function: { name: 'x', arguments: '[1]' } },
          { id: 'b', type: 'function', function: { name: 'y', arguments: '' } },
        ],
      },
      'tool_calls',
    );
    expect(malformed).toEqual({
      content: {
        role: 'model',
        parts: [{ text: 'Calling.' }, { functionCall: { id: 'b', name: 'y', args: {} } }],
      },
      finishReason: 'MALFORMED_FUNCTION_CALL',
      index: 0,
    });
  });

  it('answers countTokens and model lists in Google shapes', () => {
    expect(geminiInbound.tokenCount(42)).toEqual({ totalTokens: 42 });
    expect(geminiInbound.modelList(['gpt-5', 'models/x'])).toEqual({
      models: [
        {
          name: 'models/gpt-5',
          displayName: 'gpt-5',
          supportedGenerationMethods: ['generateContent', 'streamGenerateContent', 'countTokens'],
        },
        {
          name: 'models/x',
          displayName: 'models/x',
          supportedGenerationMethods: ['generateContent', 'streamGenerateContent', 'countTokens'],
        },
      ],
    });
  });
});
