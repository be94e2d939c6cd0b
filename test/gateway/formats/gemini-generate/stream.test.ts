import { describe, expect, it } from 'vitest';
import type { SseEvent } from '../../../../gateway/protocol/sse.ts';
import { geminiStream } from '../../../../gateway/formats/gemini-generate/stream.ts';
import { hubPartData } from '../../../../gateway/formats/openai-chat/encode-hub-part.ts';
import type { GeminiStreamState } from '../../../../gateway/formats/gemini-generate/stream.ts';
import { signatureFromToolCallId } from '../../../../gateway/formats/gemini-generate/tool-call-id.ts';
import { fixtureChunks } from '../../../support/fixtures.ts';
import { geminiFixtureChunks } from './own-fixtures.ts';

const event = (data: string): SseEvent => ({ event: undefined, data, id: undefined });

interface ToolCallDelta {
  index: number;
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string };
  extra_content?: { google: { thought_signature: string } };
}

interface Chunk {
  id: string;
  object: string;
  created: number;
  model: string;
  choices: {
    index: number;
    delta: {
      role?: string;
      content?: string;
      reasoning_content?: string;
      tool_calls?: ToolCallDelta[];
      extra_content?: { google: { thought_signature: string } };
    };
    finish_reason: string | null;
    logprobs: unknown;
  }[];
  usage?: Record<string, unknown>;
}

interface Replay {
  state: GeminiStreamState;
  outputs: string[][];
  payloads: string[];
  tail: string[];
  complete: boolean;
}

function replay(lines: readonly string[], clientWantsUsage = true): Replay {
  const state = geminiStream.init({ model: 'gemini-requested', created: 1770000000, clientWantsUsage });
  const outputs = lines.map((line) => geminiStream.next(state, event(line)).map(hubPartData));
  const end = geminiStream.end(state);
  const tail = end.parts.map(hubPartData);
  return { state, outputs, payloads: [...outputs.flat(), ...tail], tail, complete: end.complete };
}

const chunks = (payloads: readonly string[]): Chunk[] =>
  payloads.filter((payload) => payload !== '[DONE]').map((payload) => JSON.parse(payload) as Chunk);

const deltas = (payloads: readonly string[]) =>
  chunks(payloads).flatMap((chunk) => chunk.choices.map((c) => c.delta));

/** What a client that follows OpenAI's stream rules rebuilds from the chunks. */
function assemble(payloads: readonly string[]) {
  let content = '';
  let reasoning = '';
  const calls: { id: string; name: string; arguments: string; pieces: number; signature?: string }[] = [];
  const finishReasons: string[] = [];
  for (const chunk of chunks(payloads)) {
    for (const choice of chunk.choices) {
      content += choice.delta.content ?? '';
      reasoning += choice.delta.reasoning_content ?? '';
      for (const call of choice.delta.tool_calls ?? []) {
        const existing = calls[call.index];
        if (existing === undefined) {
          calls[call.index] = {
            id: call.id!,
            name: call.function!.name!,
            arguments: call.function?.arguments ?? '',
            pieces: 1,
            ...(call.extra_content ? { signature: call.extra_content.google.thought_signature } : {}),
          };
        } else {
          existing.arguments += call.function?.arguments ?? '';
          existing.pieces += 1;
        }
      }
      if (choice.finish_reason !== null) finishReasons.push(choice.finish_reason);
    }
  }
  return { content, reasoning, calls, finishReasons };
}

describe('geminiStream over google/google-text.chunks.txt', () => {
  const lines = fixtureChunks('google/google-text.chunks.txt');

  it('streams a role chunk, the text deltas, one stop chunk, the usage chunk and [DONE]', () => {
    const { payloads, complete } = replay(lines);
    expect(complete).toBe(true);
    expect(payloads.at(-1)).toBe('[DONE]');
    const all = chunks(payloads);
    for (const chunk of all) {
      expect(chunk).toMatchObject({
        id: 'bH6LaZW8Fp_3nsEPqtaSwQ4',
        object: 'chat.completion.chunk',
        created: 1770000000,
        model: 'gemini-3-pro-preview',
      });
    }
    expect(all[0]!.choices).toEqual([
      { index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null, logprobs: null },
    ]);
    const { content, finishReasons } = assemble(payloads);
    expect(content).toBe('There are **3** "r"s in strawberry.\n\nst**r**awbe**rr**y');
    expect(finishReasons).toEqual(['stop']);
    expect(all.at(-1)).toEqual({
      id: 'bH6LaZW8Fp_3nsEPqtaSwQ4',
      object: 'chat.completion.chunk',
      created: 1770000000,
      model: 'gemini-3-pro-preview',
      choices: [],
      usage: {
        prompt_tokens: 9,
        completion_tokens: 23 + 185,
        total_tokens: 217,
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 185 },
      },
    });
  });

  it('passes the signature of the empty last text part on as extra_content', () => {
    const signed = deltas(replay(lines).payloads).filter((delta) => delta.extra_content !== undefined);
    expect(signed).toHaveLength(1);
    expect(signed[0]!.extra_content!.google.thought_signature.startsWith('EqsFCqgFAb4+9vvtAF5n87lB4')).toBe(
      true,
    );
    expect(signed[0]!.content).toBeUndefined();
  });

  it('takes the latest cumulative usage and the model version', () => {
    const { state } = replay(lines);
    expect(geminiStream.usage(state)).toEqual({
      inputTokens: 9,
      outputTokens: 208,
      cachedInputTokens: 0,
      reasoningTokens: 185,
    });
    expect(geminiStream.upstreamModel(state)).toBe('gemini-3-pro-preview');
    expect(geminiStream.errorCode(state)).toBeNull();
  });

  it('sends no usage chunk when the client did not ask, but still knows the usage', () => {
    const { payloads, tail, state } = replay(lines, false);
    expect(tail).toEqual(['[DONE]']);
    expect(chunks(payloads).every((chunk) => chunk.usage === undefined && chunk.choices.length === 1)).toBe(
      true,
    );
    expect(geminiStream.usage(state).inputTokens).toBe(9);
  });

  it('sends the text of each event as it comes, never held back', () => {
    const { outputs } = replay(lines);
    expect(deltas(outputs[0]!)).toEqual([{ role: 'assistant', content: '' }, { content: 'There are **3**' }]);
    expect(deltas(outputs[1]!)).toEqual([{ content: ' "r"s in strawberry.\n\nst**r**awbe**rr**y' }]);
  });
});

describe('geminiStream over google/google-tool-call.chunks.txt', () => {
  const lines = fixtureChunks('google/google-tool-call.chunks.txt');

  it('gives one complete tool call delta and finishes with tool_calls', () => {
    const { payloads, complete } = replay(lines);
    expect(complete).toBe(true);
    const { calls, content, finishReasons } = assemble(payloads);
    expect(content).toBe('');
    expect(finishReasons).toEqual(['tool_calls']);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ name: 'weather', arguments: '{"location":"San Francisco"}', pieces: 1 });
    expect(JSON.parse(calls[0]!.arguments)).toEqual({ location: 'San Francisco' });
  });

  it('carries the thought signature in extra_content and in the id', () => {
    const { calls } = assemble(replay(lines).payloads);
    const call = calls[0]!;
    expect(call.signature!.startsWith('EqUCCqICAb4+9vsh8Pd5taZVoPzSvjWWwzBrvhEQ')).toBe(true);
    expect(call.id.startsWith('call_b36LacjwM668nsEP2tbsgQQ_0__thought__')).toBe(true);
    expect(signatureFromToolCallId(call.id)).toBe(call.signature);
  });

  it('reads the usage with thoughts', () => {
    expect(geminiStream.usage(replay(lines).state)).toEqual({
      inputTokens: 29,
      outputTokens: 60,
      cachedInputTokens: 0,
      reasoningTokens: 45,
    });
  });
});

describe('geminiStream over google/google-stream-no-args-tool-call.chunks.txt (Vertex partialArgs)', () => {
  const lines = fixtureChunks('google/google-stream-no-args-tool-call.chunks.txt');
  const signature = (
    JSON.parse(lines[1]!) as { candidates: { content: { parts: { thoughtSignature: string }[] } }[] }
  ).candidates[0]!.content.parts[0]!.thoughtSignature;

  it('streams the thought as reasoning_content, never as content', () => {
    const { reasoning, content } = assemble(replay(lines).payloads);
    expect(reasoning.startsWith("**Processing User Requests**\n\nI've started by understanding")).toBe(true);
    expect(reasoning.endsWith('"B" and "C" in parallel as instructed.\n\n\n')).toBe(true);
    expect(content).toBe('');
  });

  it('gives four calls: read_theme with {} and three read_screen calls whose arguments are valid JSON', () => {
    const { calls, finishReasons } = assemble(replay(lines).payloads);
    expect(calls.map((call) => call.name)).toEqual([
      'read_theme',
      'read_screen',
      'read_screen',
      'read_screen',
    ]);
    expect(calls.map((call) => JSON.parse(call.arguments) as unknown)).toEqual([
      {},
      { id: 'A' },
      { id: 'B' },
      { id: 'C' },
    ]);
    expect(finishReasons).toEqual(['tool_calls']);
  });

  it('sends streamed arguments in several deltas, one per event as it arrives', () => {
    const { calls, outputs } = { ...assemble(replay(lines).payloads), outputs: replay(lines).outputs };
    expect(calls[0]!.pieces).toBe(1);
    for (const call of calls.slice(1)) expect(call.pieces).toBeGreaterThanOrEqual(3);
    // Events 3..6 are read_screen("A"): its start, `{"id":"A`, the closing quote, the closing brace.
    const pieces = outputs
      .slice(2, 6)
      .map((output) => deltas(output).map((delta) => delta.tool_calls?.[0]?.function));
    expect(pieces).toEqual([
      [{ name: 'read_screen', arguments: '' }],
      [{ arguments: '{"id":"A' }],
      [{ arguments: '"' }],
      [{ arguments: '}' }],
    ]);
  });

  it('gives every call a distinct id; the signed one carries its signature in both places', () => {
    const { calls } = assemble(replay(lines).payloads);
    expect(new Set(calls.map((call) => call.id)).size).toBe(4);
    expect(calls[0]!.signature).toBe(signature);
    expect(signatureFromToolCallId(calls[0]!.id)).toBe(signature);
    expect(calls.slice(1).map((call) => call.id)).toEqual([
      'call__vr4aYiWEJnYodAPkujX0QM_1',
      'call__vr4aYiWEJnYodAPkujX0QM_2',
      'call__vr4aYiWEJnYodAPkujX0QM_3',
    ]);
  });

  it('takes the usage that comes only with the last chunk', () => {
    const { state, payloads } = replay(lines);
    expect(geminiStream.usage(state)).toEqual({
      inputTokens: 249,
      outputTokens: 58 + 183,
      cachedInputTokens: 0,
      reasoningTokens: 183,
    });
    expect(chunks(payloads).at(-1)!.usage).toMatchObject({
      prompt_tokens: 249,
      completion_tokens: 241,
      total_tokens: 490,
    });
    expect(geminiStream.upstreamModel(state)).toBe('gemini-3-flash-preview');
  });

  it('is not complete when the stream is cut before the finish, and estimates the output from what came', () => {
    const { complete, tail, state } = replay(lines.slice(0, 8));
    expect(complete).toBe(false);
    expect(tail).toEqual([]);
    const usage = geminiStream.usage(state);
    expect(usage.inputTokens).toBeNull();
    expect(usage.outputTokens).toBeGreaterThan(50);
  });
});

describe('geminiStream on fixtures of our own and odd streams', () => {
  it('turns an error object in the stream into one OpenAI error payload, and is not complete', () => {
    const { outputs, tail, complete, state } = replay(geminiFixtureChunks('gemini-stream-error.chunks.txt'));
    expect(assemble(outputs[0]!).content).toBe('Once upon a');
    expect(outputs[1]!.map((payload) => JSON.parse(payload) as unknown)).toEqual([
      {
        error: {
          message: 'The model is overloaded. Please try again later.',
          type: 'api_error',
          code: 'unavailable',
          param: null,
        },
      },
    ]);
    expect(geminiStream.errorCode(state)).toBe('unavailable');
    expect(complete).toBe(false);
    expect(tail).toEqual([]);
    expect(geminiStream.next(state, event(fixtureChunks('google/google-text.chunks.txt')[0]!))).toEqual([]);
    expect(geminiStream.usage(state)).toEqual({
      inputTokens: 5,
      outputTokens: 3,
      cachedInputTokens: 0,
      reasoningTokens: 0,
    });
  });

  it('finishes a stream cut by SAFETY with content_filter after the text that came', () => {
    const { payloads, complete } = replay(geminiFixtureChunks('gemini-stream-safety.chunks.txt'));
    expect(complete).toBe(true);
    expect(assemble(payloads)).toMatchObject({
      content: 'Here is how you',
      finishReasons: ['content_filter'],
    });
  });

  it('answers a blocked prompt with a role chunk and a content_filter finish', () => {
    const blocked = JSON.stringify({
      promptFeedback: { blockReason: 'PROHIBITED_CONTENT' },
      usageMetadata: { promptTokenCount: 12, totalTokenCount: 12 },
      modelVersion: 'gemini-2.5-flash',
      responseId: 'blocked-1',
    });
    const { payloads, complete, state } = replay([blocked]);
    expect(complete).toBe(true);
    expect(
      chunks(payloads).map((chunk) =>
        chunk.choices.length === 0 ? 'usage' : chunk.choices[0]!.finish_reason,
      ),
    ).toEqual([null, 'content_filter', 'usage']);
    expect(geminiStream.usage(state)).toEqual({
      inputTokens: 12,
      outputTokens: 0,
      cachedInputTokens: 0,
      reasoningTokens: 0,
    });
  });

  it('keeps the choices of several candidates apart and completes when all have finished', () => {
    const line = (index: number, text: string, finishReason?: string) =>
      JSON.stringify({
        responseId: 'multi',
        candidates: [{ index, content: { parts: [{ text }] }, ...(finishReason ? { finishReason } : {}) }],
      });
    const { payloads, complete } = replay([line(0, 'A'), line(1, 'B'), line(0, 'a', 'STOP')]);
    expect(complete).toBe(false);
    expect(chunks(payloads).filter((chunk) => chunk.choices[0]?.delta.role === 'assistant').length).toBe(2);
    expect(replay([line(0, 'A'), line(1, 'B', 'MAX_TOKENS'), line(0, 'a', 'STOP')]).complete).toBe(true);
  });

  it('closes a call whose arguments are still open when the finish comes', () => {
    const lines = [
      JSON.stringify({
        responseId: 'r',
        candidates: [{ content: { parts: [{ functionCall: { name: 'f', willContinue: true } }] } }],
      }),
      JSON.stringify({
        responseId: 'r',
        candidates: [
          {
            content: {
              parts: [
                {
                  functionCall: {
                    partialArgs: [{ jsonPath: '$.path', stringValue: 'src/', willContinue: true }],
                    willContinue: true,
                  },
                },
              ],
            },
          },
        ],
      }),
      JSON.stringify({
        responseId: 'r',
        candidates: [{ content: { parts: [{ text: '' }] }, finishReason: 'STOP' }],
      }),
    ];
    const { calls, finishReasons } = assemble(replay(lines).payloads);
    expect(JSON.parse(calls[0]!.arguments)).toEqual({ path: 'src/' });
    expect(finishReasons).toEqual(['tool_calls']);
  });

  it('ignores payloads that are not JSON or not objects, and [DONE]', () => {
    const state = geminiStream.init({ model: 'm', created: 1, clientWantsUsage: false });
    expect(geminiStream.next(state, event('not json'))).toEqual([]);
    expect(geminiStream.next(state, event('[DONE]'))).toEqual([]);
    expect(geminiStream.next(state, event('42'))).toEqual([]);
    expect(geminiStream.end(state)).toEqual({ parts: [], complete: false });
    expect(geminiStream.usage(state)).toEqual({
      inputTokens: null,
      outputTokens: null,
      cachedInputTokens: null,
      reasoningTokens: null,
    });
  });

  it('uses the requested model and a derived id when the chunks name neither', () => {
    const { payloads } = replay([
      JSON.stringify({ candidates: [{ content: { parts: [{ text: 'hi' }] }, finishReason: 'STOP' }] }),
    ]);
    const first = chunks(payloads)[0]!;
    expect(first.model).toBe('gemini-requested');
    expect(first.id).toMatch(/^gemini-1770000000-[a-z0-9]+$/);
    expect(new Set(chunks(payloads).map((chunk) => chunk.id)).size).toBe(1);
  });

  it('puts the logprobs of a chunk on its text', () => {
    const line = JSON.stringify({
      responseId: 'lp',
      candidates: [
        {
          content: { parts: [{ text: 'Yes' }] },
          logprobsResult: { chosenCandidates: [{ token: 'Yes', logProbability: -0.5 }], topCandidates: [] },
          finishReason: 'STOP',
        },
      ],
    });
    const text = chunks(replay([line]).payloads).find((chunk) => chunk.choices[0]?.delta.content === 'Yes')!;
    expect(text.choices[0]!.logprobs).toEqual({
      content: [{ token: 'Yes', logprob: -0.5, bytes: [89, 101, 115], top_logprobs: [] }],
      refusal: null,
    });
  });
});
