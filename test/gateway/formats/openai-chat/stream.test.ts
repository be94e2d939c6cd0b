import { describe, expect, it } from 'vitest';
import type { SseEvent } from '../../../../gateway/protocol/sse.ts';
import { hubPartData } from '../../../../gateway/formats/openai-chat/encode-hub-part.ts';
import { openAiStream } from '../../../../gateway/formats/openai-chat/stream.ts';
import type { OpenAiStreamState } from '../../../../gateway/formats/openai-chat/stream.ts';
import { fixtureChunks } from '../../../support/fixtures.ts';

const event = (data: string): SseEvent => ({ event: undefined, data, id: undefined });

interface Replay {
  state: OpenAiStreamState;
  /** The payloads of each input event, in order. */
  outputs: string[][];
  payloads: string[];
  complete: boolean;
}

function replay(lines: readonly string[], clientWantsUsage: boolean, model = 'gpt-4.1-nano'): Replay {
  const state = openAiStream.init({ model, clientWantsUsage, created: 1770000000 });
  const outputs = lines.map((line) => openAiStream.next(state, event(line)).map(hubPartData));
  const end = openAiStream.end(state);
  return {
    state,
    outputs,
    payloads: [...outputs.flat(), ...end.parts.map(hubPartData)],
    complete: end.complete,
  };
}

describe('openAiStream over openai/openai-text.chunks.txt', () => {
  const lines = fixtureChunks('openai/openai-text.chunks.txt');
  const withDone = [...lines, '[DONE]'];

  it('captures the usage and the model', () => {
    const { state } = replay(withDone, false);
    expect(openAiStream.usage(state)).toEqual({
      inputTokens: 16,
      outputTokens: 300,
      cachedInputTokens: 0,
      reasoningTokens: 0,
    });
    expect(openAiStream.upstreamModel(state)).toBe('gpt-4.1-nano-2025-04-14');
    expect(openAiStream.errorCode(state)).toBeNull();
  });

  it('drops only the final usage chunk when the client did not ask for usage, passing the rest byte for byte', () => {
    const { outputs, payloads, complete } = replay(withDone, false);
    const usageChunk = lines[lines.length - 1]!;
    expect(JSON.parse(usageChunk)).toMatchObject({ choices: [], usage: { prompt_tokens: 16 } });
    expect(outputs[lines.length - 1]).toEqual([]);
    expect(payloads).toEqual([...lines.slice(0, -1), '[DONE]']);
    expect(complete).toBe(true);
  });

  it('drops nothing when the client asked for usage', () => {
    const { payloads, complete } = replay(withDone, true);
    expect(payloads).toEqual(withDone);
    expect(complete).toBe(true);
  });

  it('gives one payload for each chunk it keeps', () => {
    const { outputs } = replay(withDone, true);
    expect(outputs.every((output) => output.length === 1)).toBe(true);
  });
});

describe('openAiStream over openai-compatible/deepseek-tool-call.chunks.txt', () => {
  const lines = fixtureChunks('openai-compatible/deepseek-tool-call.chunks.txt');

  it('reads the usage on the finish chunk, with cached and reasoning tokens', () => {
    const { state } = replay([...lines, '[DONE]'], false, 'deepseek-reasoner');
    expect(openAiStream.usage(state)).toEqual({
      inputTokens: 339,
      outputTokens: 83,
      cachedInputTokens: 320,
      reasoningTokens: 39,
    });
    expect(openAiStream.upstreamModel(state)).toBe('deepseek-reasoner');
  });

  it('keeps the finish chunk that carries the usage, but takes the usage off it when the client did not ask', () => {
    const { payloads } = replay([...lines, '[DONE]'], false, 'deepseek-reasoner');
    const finish = lines[lines.length - 1]!;
    expect(JSON.parse(finish)).toMatchObject({ choices: [{ finish_reason: 'tool_calls' }], usage: {} });
    expect(payloads.slice(0, -2)).toEqual(lines.slice(0, -1));
    expect(JSON.parse(payloads.at(-2)!)).toEqual({ ...(JSON.parse(finish) as object), usage: null });
    expect(payloads.at(-1)).toBe('[DONE]');
  });

  it('passes the finish chunk with its usage unchanged when the client asked for usage', () => {
    const { payloads } = replay([...lines, '[DONE]'], true, 'deepseek-reasoner');
    expect(payloads).toEqual([...lines, '[DONE]']);
  });

  it('passes every tool-call argument fragment through unchanged, and together they are valid JSON', () => {
    const { payloads } = replay(lines, false, 'deepseek-reasoner');
    const fragments = (texts: readonly string[]) =>
      texts.flatMap((text) => {
        const chunk = JSON.parse(text) as {
          choices?: { delta?: { tool_calls?: { function?: { arguments?: string } }[] } }[];
        };
        return (chunk.choices ?? []).flatMap((choice) =>
          (choice.delta?.tool_calls ?? []).flatMap((call) =>
            typeof call.function?.arguments === 'string' ? [call.function.arguments] : [],
          ),
        );
      });
    const sent = fragments(payloads);
    expect(sent.length).toBeGreaterThan(3);
    expect(sent).toEqual(fragments(lines));
    expect(JSON.parse(sent.join(''))).toEqual({ location: 'San Francisco' });
  });

  it('is not complete without [DONE], even with its usage', () => {
    const { complete, state } = replay(lines, false, 'deepseek-reasoner');
    expect(complete).toBe(false);
    expect(openAiStream.usage(state).outputTokens).toBe(83);
  });
});

describe('openAiStream over openai/azure-model-router.1.chunks.txt', () => {
  const lines = fixtureChunks('openai/azure-model-router.1.chunks.txt');

  it('does not take the empty model of the first chunk as the upstream model', () => {
    expect(JSON.parse(lines[0]!)).toMatchObject({ model: '', choices: [] });
    const { state } = replay([...lines, '[DONE]'], false, 'model-router');
    expect(openAiStream.upstreamModel(state)).toBe('gpt-5-nano-2025-08-07');
  });

  it('keeps the first chunk (no usage, empty choices) and drops only the usage chunk', () => {
    const { payloads, state } = replay([...lines, '[DONE]'], false, 'model-router');
    expect(payloads).toEqual([...lines.slice(0, -1), '[DONE]']);
    expect(openAiStream.usage(state)).toEqual({
      inputTokens: 15,
      outputTokens: 78,
      cachedInputTokens: 0,
      reasoningTokens: 64,
    });
  });
});

describe('openAiStream edge cases', () => {
  it('marks the stream complete on [DONE] and passes [DONE] on', () => {
    const state = openAiStream.init({ model: 'm', clientWantsUsage: false, created: 1770000000 });
    expect(openAiStream.end(state).complete).toBe(false);
    expect(openAiStream.next(state, event('[DONE]'))).toEqual([{ type: 'done' }]);
    expect(state.done).toBe(true);
    expect(openAiStream.end(state)).toEqual({ parts: [], complete: true });
  });

  it('estimates the output tokens of a stream cut before its usage', () => {
    const lines = fixtureChunks('openai/openai-text.chunks.txt').slice(0, 40);
    const { state, complete } = replay(lines, false);
    expect(complete).toBe(false);
    const streamed = lines
      .map((line) => (JSON.parse(line) as { choices: { delta: { content?: string } }[] }).choices[0]!.delta)
      .reduce((sum, delta) => sum + (delta.content ?? '').length, 0);
    expect(streamed).toBeGreaterThan(0);
    const usage = openAiStream.usage(state);
    expect(usage.outputTokens).toBe(Math.ceil(streamed / 4));
    expect(usage.outputTokens).toBeGreaterThan(0);
    expect(usage.inputTokens).toBeNull();
    expect(openAiStream.upstreamModel(state)).toBe('gpt-4.1-nano-2025-04-14');
  });

  it('counts reasoning text and tool arguments in the estimate of a cut stream', () => {
    const lines = fixtureChunks('openai-compatible/deepseek-tool-call.chunks.txt').slice(0, -1);
    const { state } = replay(lines, false, 'deepseek-reasoner');
    const usage = openAiStream.usage(state);
    expect(usage.inputTokens).toBeNull();
    // The recording has 83 completion tokens in all; the estimate is in the same range.
    expect(usage.outputTokens).toBeGreaterThan(30);
    expect(usage.outputTokens).toBeLessThan(200);
  });

  it('reports null output tokens for a stream cut before any text', () => {
    const state = openAiStream.init({ model: 'm', clientWantsUsage: false, created: 1770000000 });
    expect(openAiStream.usage(state)).toEqual({
      inputTokens: null,
      outputTokens: null,
      cachedInputTokens: null,
      reasoningTokens: null,
    });
  });

  it('sets errorCode from an error chunk and passes the chunk on', () => {
    const state = openAiStream.init({ model: 'm', clientWantsUsage: false, created: 1770000000 });
    const chunk =
      '{"error":{"message":"overloaded","type":"server_error","param":null,"code":"overloaded_error"}}';
    expect(openAiStream.next(state, event(chunk))).toEqual([
      { type: 'chunk', chunk: JSON.parse(chunk) as unknown, text: chunk },
    ]);
    expect(openAiStream.errorCode(state)).toBe('overloaded_error');
  });

  it('falls back to the error type, then to upstream_error', () => {
    const typed = openAiStream.init({ model: 'm', clientWantsUsage: false, created: 1770000000 });
    openAiStream.next(typed, event('{"error":{"message":"x","type":"server_error","code":null}}'));
    expect(openAiStream.errorCode(typed)).toBe('server_error');

    const bare = openAiStream.init({ model: 'm', clientWantsUsage: false, created: 1770000000 });
    openAiStream.next(bare, event('{"error":"something broke"}'));
    expect(openAiStream.errorCode(bare)).toBe('upstream_error');
  });

  it('passes a payload that is not JSON through unchanged', () => {
    const state = openAiStream.init({ model: 'm', clientWantsUsage: false, created: 1770000000 });
    expect(openAiStream.next(state, event('not json {'))).toEqual([{ type: 'raw', data: 'not json {' }]);
    expect(state.done).toBe(false);
  });
});
