import { describe, expect, it } from 'vitest';
import { markSignature } from '../../../../../gateway/formats/gemini-generate/inbound/signature.ts';
import type { HubPart, JsonObject } from '../../../../../gateway/formats/types.ts';
import { NO_USAGE } from '../../../../../gateway/formats/types.ts';
import { fixtureChunks } from '../../../../support/fixtures.ts';
import {
  encodeGeminiChunks,
  encodeOpenAiChunks,
  encodeParts,
  partsOf,
  textOf,
  type GeminiChunk,
} from './encode.ts';

const hubChunk = (delta: JsonObject, finishReason: string | null = null): HubPart => ({
  type: 'chunk',
  chunk: {
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  },
});
const usage = { inputTokens: 20, outputTokens: 12, cachedInputTokens: 0, reasoningTokens: 0 };
const last = (chunks: GeminiChunk[]) => chunks[chunks.length - 1]!;

describe('geminiInbound.stream on recordings', () => {
  it("streams OpenAI's text as Gemini text chunks, finishing with STOP and the usage", () => {
    const lines = fixtureChunks('openai/openai-text.chunks.txt');
    const { chunks } = encodeOpenAiChunks(lines);
    const expected = lines
      .map((line) => JSON.parse(line) as { choices: { delta: { content?: string } }[] })
      .map((chunk) => chunk.choices[0]?.delta.content ?? '')
      .join('');
    expect(textOf(partsOf(chunks))).toBe(expected);
    // Every chunk but the last carries text only, as Gemini's do.
    for (const chunk of chunks.slice(0, -1)) {
      expect(chunk.candidates).toHaveLength(1);
      expect(chunk.candidates![0]!.finishReason).toBeUndefined();
      expect(chunk.usageMetadata).toBeUndefined();
      expect(chunk.modelVersion).toBe('client-model');
      expect(chunk.responseId).toBe('chatcmpl-D8Z5oo6uDh67AD85p73ksdT1KxhE0');
    }
    expect(last(chunks)).toEqual({
      candidates: [{ content: { role: 'model', parts: [{ text: '' }] }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: 16, candidatesTokenCount: 300, totalTokenCount: 316 },
      modelVersion: 'client-model',
      responseId: 'chatcmpl-D8Z5oo6uDh67AD85p73ksdT1KxhE0',
    });
  });

  it("streams DeepSeek's reasoning as thought parts and its streamed call as one whole functionCall", () => {
    const { chunks } = encodeOpenAiChunks(fixtureChunks('openai-compatible/deepseek-tool-call.chunks.txt'));
    const parts = partsOf(chunks);
    expect(textOf(parts, true)).toMatch(/^The user is asking for the weather/);
    const calls = parts.filter((part) => part['functionCall'] !== undefined);
    expect(calls).toEqual([
      {
        functionCall: {
          id: 'call_00_ioIn7yN9p1ZOMNpDLwd4MgAF',
          name: 'weather',
          args: { location: 'San Francisco' },
        },
      },
    ]);
    expect(last(chunks).candidates![0]!.finishReason).toBe('STOP');
    expect(last(chunks).usageMetadata).toEqual({
      promptTokenCount: 339,
      candidatesTokenCount: 83 - 39,
      totalTokenCount: 422,
      cachedContentTokenCount: 320,
      thoughtsTokenCount: 39,
    });
  });

  it('gives back what Gemini itself streamed, after a trip through the hub (text, usage)', () => {
    const lines = fixtureChunks('google/google-text.chunks.txt');
    const original = lines.map((line) => JSON.parse(line) as GeminiChunk);
    const { chunks } = encodeGeminiChunks(lines);
    expect(textOf(partsOf(chunks))).toBe(textOf(partsOf(original)));
    const finish = last(chunks);
    const originalFinish = last(original);
    expect(finish.candidates![0]!.finishReason).toBe(originalFinish.candidates![0]!.finishReason);
    const { promptTokenCount, candidatesTokenCount, totalTokenCount, thoughtsTokenCount } =
      originalFinish.usageMetadata!;
    expect(finish.usageMetadata).toEqual({
      promptTokenCount,
      candidatesTokenCount,
      totalTokenCount,
      thoughtsTokenCount,
    });
    // Gemini signed its last text part; the signature comes back marked as ours, on the finishing chunk.
    const signature = originalFinish.candidates![0]!.content!.parts[0]!['thoughtSignature'] as string;
    expect(finish.candidates![0]!.content!.parts).toEqual([
      { text: '', thoughtSignature: markSignature(signature) },
    ]);
  });

  it('gives back a function call Gemini streamed, with its signature, and calls without arguments', () => {
    const lines = fixtureChunks('google/google-tool-call.chunks.txt');
    const originalPart = (JSON.parse(lines[0]!) as GeminiChunk).candidates![0]!.content!.parts[0]!;
    const calls = partsOf(encodeGeminiChunks(lines).chunks).filter(
      (part) => part['functionCall'] !== undefined,
    );
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      functionCall: { name: 'weather', args: { location: 'San Francisco' } },
      thoughtSignature: markSignature(originalPart['thoughtSignature'] as string),
    });

    const { chunks } = encodeGeminiChunks(fixtureChunks('google/google-stream-no-args-tool-call.chunks.txt'));
    const parts = partsOf(chunks);
    expect(
      parts.filter((part) => part['functionCall'] !== undefined).map((part) => part['functionCall']),
    ).toEqual([
      expect.objectContaining({ name: 'read_theme', args: {} }),
      expect.objectContaining({ name: 'read_screen', args: { id: 'A' } }),
      expect.objectContaining({ name: 'read_screen', args: { id: 'B' } }),
      expect.objectContaining({ name: 'read_screen', args: { id: 'C' } }),
    ]);
    expect(textOf(parts, true)).toMatch(/^\*\*Processing User Requests\*\*/);
    expect(last(chunks).usageMetadata).toMatchObject({ promptTokenCount: 249, thoughtsTokenCount: 183 });
  });
});

describe('geminiInbound.stream', () => {
  it('holds each call until the next one begins, and the last until the finish', () => {
    const call = (index: number, id: string, name: string, args: string): HubPart =>
      hubChunk({ tool_calls: [{ index, id, type: 'function', function: { name, arguments: args } }] });
    const more = (index: number, args: string) =>
      hubChunk({ tool_calls: [{ index, function: { arguments: args } }] });
    const parts: HubPart[] = [
      hubChunk({ role: 'assistant', content: '' }),
      hubChunk({ content: 'Reading both.' }),
      call(0, 'a', 'read_file', '{"pa'),
      more(0, 'th":"a"}'),
      call(1, 'b', 'read_file', ''),
      more(1, '{"path":"b"}'),
      hubChunk({}, 'tool_calls'),
      { type: 'done' },
    ];
    const encoded = parts.map((part) => encodeParts([part], NO_USAGE, false).chunks.length);
    // Alone, each part says something only where it completes something.
    expect(encoded).toEqual([0, 1, 0, 0, 0, 0, 0, 0]);
    const { chunks } = encodeParts(parts, usage);
    expect(chunks.map((chunk) => chunk.candidates![0]!.content!.parts)).toEqual([
      [{ text: 'Reading both.' }],
      [{ functionCall: { id: 'a', name: 'read_file', args: { path: 'a' } } }],
      [{ functionCall: { id: 'b', name: 'read_file', args: { path: 'b' } } }],
      [{ text: '' }],
    ]);
    expect(last(chunks).candidates![0]!.finishReason).toBe('STOP');
    expect(last(chunks).usageMetadata).toEqual({
      promptTokenCount: 20,
      candidatesTokenCount: 12,
      totalTokenCount: 32,
    });
  });

  it('flushes a call still held when the stream ends without a finish reason', () => {
    const { chunks } = encodeParts(
      [
        hubChunk({ tool_calls: [{ index: 0, id: 'a', function: { name: 'now', arguments: '' } }] }),
        { type: 'done' },
      ],
      usage,
    );
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.candidates![0]).toEqual({
      content: { role: 'model', parts: [{ functionCall: { id: 'a', name: 'now', args: {} } }] },
      finishReason: 'STOP',
      index: 0,
    });
  });

  it("finishes as MALFORMED_FUNCTION_CALL when a call's arguments are not a JSON object", () => {
    const { chunks } = encodeParts(
      [
        hubChunk(
          { tool_calls: [{ index: 0, id: 'a', function: { name: 'x', arguments: '{"unclosed' } }] },
          'tool_calls',
        ),
      ],
      usage,
    );
    expect(partsOf(chunks).some((part) => part['functionCall'] !== undefined)).toBe(false);
    expect(last(chunks).candidates![0]!.finishReason).toBe('MALFORMED_FUNCTION_CALL');
  });

  it('maps finish reasons', () => {
    const finish = (reason: string) =>
      last(encodeParts([hubChunk({ content: 'x' }, reason)], usage).chunks).candidates![0]!.finishReason;
    expect(finish('stop')).toBe('STOP');
    expect(finish('length')).toBe('MAX_TOKENS');
    expect(finish('content_filter')).toBe('SAFETY');
    expect(finish('tool_calls')).toBe('STOP');
  });

  it("turns an error chunk into Google's error and says nothing after it", () => {
    const { data } = encodeParts(
      [
        hubChunk({ content: 'Hel' }),
        {
          type: 'chunk',
          chunk: {
            error: { message: 'Slow down', type: 'rate_limit_error', code: 'rate_limited', param: null },
          },
        },
        hubChunk({ content: 'lo' }),
      ],
      usage,
      false,
    );
    expect(data).toHaveLength(2);
    expect(JSON.parse(data[1]!)).toEqual({
      error: { code: 429, message: 'Slow down', status: 'RESOURCE_EXHAUSTED' },
    });
  });

  it('owes nothing for a cut stream, and ignores raw events and the end marker', () => {
    const { chunks } = encodeParts(
      [hubChunk({ content: 'Hel' }), { type: 'raw', data: ': keep-alive' }, { type: 'done' }],
      usage,
      false,
    );
    expect(chunks.map((chunk) => chunk.candidates![0]!.content!.parts)).toEqual([[{ text: 'Hel' }]]);
  });
});
