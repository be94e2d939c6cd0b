import { describe, expect, it } from 'vitest';
import { openAiResponsesFormat } from '../../../../gateway/formats/openai-responses/index.ts';
import type { HubPart, JsonObject } from '../../../../gateway/formats/types.ts';
import { fixtureChunks } from '../../../support/fixtures.ts';
import { encode, sdkFinalResponse } from './support.ts';

const reducer = openAiResponsesFormat.chat.stream;

/** The recording's streams: a file may hold several, one after another, each from `response.created`. */
function streams(path: string): string[][] {
  const out: string[][] = [];
  for (const line of fixtureChunks(path)) {
    if ((JSON.parse(line) as JsonObject)['type'] === 'response.created') out.push([]);
    out.at(-1)!.push(line);
  }
  return out;
}

function reduce(lines: readonly string[], clientWantsUsage = true) {
  const state = reducer.init({ model: 'asked', created: 7, clientWantsUsage });
  const parts = lines.flatMap((line) =>
    reducer.next(state, {
      event: (JSON.parse(line) as JsonObject)['type'] as string,
      data: line,
      id: undefined,
    }),
  );
  return { state, parts, end: reducer.end(state) };
}

const deltas = (parts: readonly HubPart[], field: string): string =>
  parts
    .flatMap((part) =>
      part.type === 'chunk' && Array.isArray(part.chunk['choices']) ? part.chunk['choices'] : [],
    )
    .map((choice) => ((choice as JsonObject)['delta'] as JsonObject | undefined)?.[field])
    .filter((text): text is string => typeof text === 'string')
    .join('');

const finalResponse = (lines: readonly string[]): JsonObject =>
  (JSON.parse(lines.at(-1)!) as JsonObject)['response'] as JsonObject;

describe('the Responses stream reducer', () => {
  it('reads a recorded text stream (PDF input) into hub chunks, finish, usage and done', () => {
    const [lines] = streams('openai/responses/openai-pdf-input-file.1.chunks.txt');
    const { state, parts, end } = reduce(lines!);
    expect(end.complete).toBe(true);
    expect(deltas(parts, 'content')).toBe('Dummy PDF file');
    expect(parts.at(-1)).toEqual({ type: 'done' });
    const recorded = finalResponse(lines!)['usage'] as JsonObject;
    const usageChunk = parts.at(-2) as { chunk: JsonObject };
    expect(usageChunk.chunk['usage']).toMatchObject({
      prompt_tokens: recorded['input_tokens'],
      completion_tokens: recorded['output_tokens'],
    });
    const finish = parts.at(-3) as { chunk: JsonObject };
    expect((finish.chunk['choices'] as JsonObject[])[0]!['finish_reason']).toBe('stop');
    const usage = reducer.usage(state);
    expect(usage.inputTokens).toBe(recorded['input_tokens']);
    expect(usage.outputTokens).toBe(recorded['output_tokens']);
    expect(usage.cachedInputTokens).toBe(0);
    expect(reducer.upstreamModel(state)).toBe('gpt-4.1-nano-2025-04-14');
    expect(reducer.errorCode(state)).toBeNull();
  });

  it('reads reasoning summaries, function calls and usage from a recorded tool conversation', () => {
    const recorded = streams('openai/responses/openai-reasoning-encrypted-content.1.chunks.txt');
    expect(recorded).toHaveLength(4);
    const first = reduce(recorded[0]!);
    expect(deltas(first.parts, 'reasoning_content')).toMatch(/^\*\*Calculating/);
    const calls = first.parts.flatMap((part) =>
      part.type === 'chunk' ? ((part.chunk['choices'] as JsonObject[] | undefined) ?? []) : [],
    );
    const opened = calls.flatMap(
      (choice) => ((choice['delta'] as JsonObject)['tool_calls'] as JsonObject[] | undefined) ?? [],
    );
    expect(opened[0]).toMatchObject({
      index: 0,
      id: 'call_AB6AaRZ1FYZB2RwS6A5vbdqn',
      function: { name: 'calculator' },
    });
    expect(opened.map((call) => (call['function'] as JsonObject)['arguments']).join('')).toBe(
      '{"a":12,"b":7,"op":"add"}',
    );
    expect(calls.find((choice) => choice['finish_reason'] !== null)?.['finish_reason']).toBe('tool_calls');
    const usage = finalResponse(recorded[0]!)['usage'] as JsonObject;
    expect(reducer.usage(first.state)).toEqual({
      inputTokens: usage['input_tokens'],
      outputTokens: usage['output_tokens'],
      cachedInputTokens: (usage['input_tokens_details'] as JsonObject)['cached_tokens'],
      reasoningTokens: (usage['output_tokens_details'] as JsonObject)['reasoning_tokens'],
    });
    const last = reduce(recorded[3]!);
    expect(deltas(last.parts, 'content')).toBe('The final result is **570**.');
    expect(last.end.complete).toBe(true);
  });

  it('sends the usage chunk only to clients that asked', () => {
    const [lines] = streams('openai/responses/openai-pdf-input-file.1.chunks.txt');
    const { parts } = reduce(lines!, false);
    expect(parts.some((part) => part.type === 'chunk' && part.chunk['usage'] !== undefined)).toBe(false);
  });

  it('reports a recorded error stream once, with its code, and never complete', () => {
    const [lines] = streams('openai/responses/openai-error.1.chunks.txt');
    const { state, parts, end } = reduce(lines!);
    expect(end.complete).toBe(false);
    expect(reducer.errorCode(state)).toBe('insufficient_quota');
    const errors = parts.filter((part) => part.type === 'chunk' && part.chunk['error'] !== undefined);
    expect(errors).toHaveLength(1);
  });

  it('is cut where response.completed never came, with the output estimated', () => {
    const [lines] = streams('openai/responses/openai-pdf-input-file.1.chunks.txt');
    const { state, end } = reduce(lines!.slice(0, -1));
    expect(end.complete).toBe(false);
    expect(reducer.usage(state)).toMatchObject({ inputTokens: null, outputTokens: 4 });
  });

  it('round-trips: recorded Responses events → hub parts → the encoder → what the SDK assembles', async () => {
    const recorded = streams('openai/responses/openai-reasoning-encrypted-content.1.chunks.txt');
    for (const lines of [recorded[0]!, recorded[3]!]) {
      const { state, parts, end } = reduce(lines);
      const final = await sdkFinalResponse(encode(parts, reducer.usage(state), end.complete));
      const original = finalResponse(lines);
      const strip = (items: unknown) =>
        (items as JsonObject[])
          .filter((item) => item['type'] !== 'reasoning')
          .map((item) =>
            item['type'] === 'function_call'
              ? {
                  type: item['type'],
                  call_id: item['call_id'],
                  name: item['name'],
                  arguments: item['arguments'],
                }
              : { type: item['type'], text: ((item['content'] as JsonObject[])[0] as JsonObject)['text'] },
          );
      expect(strip(final.output)).toEqual(strip(original['output']));
      expect(final.usage).toEqual(original['usage']);
    }
  });
});
