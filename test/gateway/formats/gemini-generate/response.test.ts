import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../gateway/errors.ts';
import { fromGeminiResponse } from '../../../../gateway/formats/gemini-generate/response.ts';
import { signatureFromToolCallId } from '../../../../gateway/formats/gemini-generate/tool-call-id.ts';
import { fixtureJson } from '../../../support/fixtures.ts';
import { geminiFixtureJson } from './own-fixtures.ts';
import { checkUsage } from '../../../../gateway/formats/usage-check.ts';

const context = { model: 'gemini-requested', created: 1770000000 };

interface Choice {
  index: number;
  finish_reason: string;
  logprobs: unknown;
  message: {
    role: string;
    content: string | null;
    reasoning_content: string | null;
    refusal: null;
    tool_calls?: {
      id: string;
      type: string;
      function: { name: string; arguments: string };
      extra_content?: { google: { thought_signature: string } };
    }[];
    extra_content?: { google: { thought_signature: string } };
  };
}

interface Completion {
  id: string;
  object: string;
  created: number;
  model: string;
  choices: Choice[];
  usage?: Record<string, unknown>;
}

function translate(body: unknown) {
  const result = fromGeminiResponse(body, context);
  return { ...result, completion: result.body as unknown as Completion };
}

describe('fromGeminiResponse over google/google-text.json', () => {
  const recording = fixtureJson('google/google-text.json');
  const { completion, usage, upstreamModel } = translate(recording);

  it('gives an OpenAI chat.completion with the text, the responseId and the model version', () => {
    expect(completion).toMatchObject({
      id: 'Un6LacrVMcjUxs0PmJfWoQc',
      object: 'chat.completion',
      created: 1770000000,
      model: 'gemini-3-pro-preview',
    });
    expect(completion.choices).toHaveLength(1);
    expect(completion.choices[0]).toMatchObject({
      index: 0,
      finish_reason: 'stop',
      logprobs: null,
      message: {
        role: 'assistant',
        content: "There are **3** r's in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.",
        reasoning_content: null,
        refusal: null,
      },
    });
    expect(completion.choices[0]!.message.tool_calls).toBeUndefined();
    expect(upstreamModel).toBe('gemini-3-pro-preview');
  });

  it("carries the text part's thought signature on the message", () => {
    expect(completion.choices[0]!.message.extra_content).toEqual({
      google: {
        thought_signature:
          'EtoFCtcFAb4+9vtfe4MXRxQjw48U1WKrR/7lYsgFkVi/bepqsSPjY0VU7HEzkeCBIfy1fu5t9aUZ4IZ65aWagqbBrV45fc97olcg',
      },
    });
  });

  it('counts thoughts inside completion tokens, as OpenAI counts reasoning', () => {
    expect(usage).toEqual({
      inputTokens: 9,
      outputTokens: 28 + 244,
      cachedInputTokens: 0,
      reasoningTokens: 244,
    });
    expect(completion.usage).toEqual({
      prompt_tokens: 9,
      completion_tokens: 272,
      total_tokens: 281,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 244 },
    });
  });
});

describe('fromGeminiResponse over google/google-tool-call.json', () => {
  const { completion, usage } = translate(fixtureJson('google/google-tool-call.json'));
  const choice = completion.choices[0]!;
  const signature =
    'EskgCsYgAb4+9vtF7/499YQS2bjZs3xcQI+iAl+ILn29nK1j0Kg6su7QsUUUk3nrAAfnS2w5WiVvlcCqu9fAebJ2cvfaEyBahEt5';

  it("says tool_calls although Gemini's finishReason is STOP", () => {
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
  });

  it('gives the call with its name, arguments as a JSON string and an id from the responseId', () => {
    const calls = choice.message.tool_calls!;
    expect(calls).toHaveLength(1);
    expect(calls[0]!.type).toBe('function');
    expect(calls[0]!.function).toEqual({ name: 'weather', arguments: '{"location":"San Francisco"}' });
    expect(calls[0]!.id.startsWith('call_m36LaZGyCLz1xs0PtNSB-QU_0__thought__')).toBe(true);
    expect(calls[0]!.id).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('puts the thought signature in extra_content and in the id, recoverable from either', () => {
    const call = choice.message.tool_calls![0]!;
    expect(call.extra_content).toEqual({ google: { thought_signature: signature } });
    expect(signatureFromToolCallId(call.id)).toBe(signature);
  });

  it('reads the usage with 893 thought tokens', () => {
    expect(usage).toEqual({
      inputTokens: 29,
      outputTokens: 15 + 893,
      cachedInputTokens: 0,
      reasoningTokens: 893,
    });
  });
});

describe('fromGeminiResponse over fixtures of our own', () => {
  it('maps a SAFETY stop to content_filter with no content', () => {
    const { completion, usage } = translate(geminiFixtureJson('gemini-safety-block.json'));
    expect(completion.choices).toEqual([
      {
        index: 0,
        finish_reason: 'content_filter',
        logprobs: null,
        message: { role: 'assistant', content: null, reasoning_content: null, refusal: null },
      },
    ]);
    expect(usage).toEqual({ inputTokens: 14, outputTokens: 0, cachedInputTokens: 0, reasoningTokens: 0 });
  });

  it('answers a blocked prompt with one empty choice finished by content_filter', () => {
    const { completion, usage, upstreamModel } = translate(geminiFixtureJson('gemini-prompt-blocked.json'));
    expect(completion.id).toBe('pH2LaYq0JNrWxs0P3eO4mAk');
    expect(completion.choices).toEqual([
      {
        index: 0,
        finish_reason: 'content_filter',
        logprobs: null,
        message: { role: 'assistant', content: null, reasoning_content: null, refusal: null },
      },
    ]);
    expect(usage).toEqual({ inputTokens: 8, outputTokens: 0, cachedInputTokens: 0, reasoningTokens: 0 });
    expect(upstreamModel).toBe('gemini-2.5-flash');
  });

  it('reads cached and tool-use prompt tokens', () => {
    const { completion, usage } = translate(geminiFixtureJson('gemini-cached-usage.json'));
    expect(usage).toEqual({
      inputTokens: 40213 + 12,
      outputTokens: 15 + 90,
      cachedInputTokens: 40000,
      reasoningTokens: 90,
    });
    expect(completion.usage).toEqual({
      prompt_tokens: 40225,
      completion_tokens: 105,
      total_tokens: 40330,
      prompt_tokens_details: { cached_tokens: 40000 },
      completion_tokens_details: { reasoning_tokens: 90 },
    });
  });

  it('gives parallel calls distinct ids, the signature only where Gemini put it, and the thought as reasoning', () => {
    const recording = geminiFixtureJson('gemini-parallel-function-calls.json');
    const { completion } = translate(recording);
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.reasoning_content).toBe('Checking both cities.');
    expect(choice.message.content).toBeNull();
    const calls = choice.message.tool_calls!;
    expect(calls.map((call) => call.function)).toEqual([
      { name: 'weather', arguments: '{"location":"Paris","unit":"celsius"}' },
      { name: 'weather', arguments: '{"location":"London","unit":"celsius"}' },
    ]);
    const signature =
      'CzBVep/E6Q4zWH2ix+wRNluApcrvFDleg6jN8hc8YYar0PUaP2SJrtP4HUJnjLHW+yBFao+02f4jSG2St9wBJktwlbrfBClOc5i9';
    expect(signatureFromToolCallId(calls[0]!.id)).toBe(signature);
    expect(calls[0]!.extra_content?.google.thought_signature).toBe(signature);
    expect(calls[1]!.id).toBe('call_Xn6LaZ3NH9Dexs0PkbS8gQw_1');
    expect(calls[1]!.extra_content).toBeUndefined();
  });

  it('maps each candidate to a choice of its own', () => {
    const { completion } = translate(geminiFixtureJson('gemini-two-candidates.json'));
    expect(
      completion.choices.map((choice) => [choice.index, choice.message.content, choice.finish_reason]),
    ).toEqual([
      [0, 'Blue.', 'stop'],
      [1, 'The sky looks blue because', 'length'],
    ]);
  });

  it('maps logprobsResult to OpenAI logprobs', () => {
    const { completion } = translate(geminiFixtureJson('gemini-logprobs.json'));
    expect(completion.choices[0]!.logprobs).toEqual({
      content: [
        {
          token: 'Yes',
          logprob: -0.0012,
          bytes: [89, 101, 115],
          top_logprobs: [
            { token: 'Yes', logprob: -0.0012, bytes: [89, 101, 115] },
            { token: 'No', logprob: -6.9, bytes: [78, 111] },
          ],
        },
        {
          token: '.',
          logprob: -0.04,
          bytes: [46],
          top_logprobs: [{ token: '.', logprob: -0.04, bytes: [46] }],
        },
      ],
      refusal: null,
    });
  });
});

describe('fromGeminiResponse on odd answers', () => {
  it('uses the requested model and a derived, stable id when Gemini names neither', () => {
    const body = { candidates: [{ content: { parts: [{ text: 'hi' }] }, finishReason: 'STOP' }] };
    const first = translate(body).completion;
    expect(first.model).toBe('gemini-requested');
    expect(first.id).toMatch(/^gemini-1770000000-[a-z0-9]+$/);
    expect(translate(body).completion.id).toBe(first.id);
    expect(translate({ ...body, extra: 1 }).completion.id).not.toBe(first.id);
  });

  it('joins several text parts and keeps thoughts out of the content', () => {
    const body = {
      responseId: 'r1',
      candidates: [
        {
          content: {
            parts: [{ text: 'Let me think.', thought: true }, { text: 'Hello, ' }, { text: 'world.' }],
          },
          finishReason: 'STOP',
        },
      ],
    };
    const message = translate(body).completion.choices[0]!.message;
    expect(message.content).toBe('Hello, world.');
    expect(message.reasoning_content).toBe('Let me think.');
  });

  it("gives a call without arguments '{}', and keeps text next to calls", () => {
    const body = {
      responseId: 'r2',
      candidates: [
        {
          content: { parts: [{ text: 'Let me look.' }, { functionCall: { name: 'list_files' } }] },
          finishReason: 'STOP',
        },
      ],
    };
    const choice = translate(body).completion.choices[0]!;
    expect(choice.message.content).toBe('Let me look.');
    expect(choice.message.tool_calls).toEqual([
      { id: 'call_r2_0', type: 'function', function: { name: 'list_files', arguments: '{}' } },
    ]);
    expect(choice.finish_reason).toBe('tool_calls');
  });

  it('maps MALFORMED_FUNCTION_CALL to stop', () => {
    const body = {
      responseId: 'r3',
      candidates: [{ content: { parts: [] }, finishReason: 'MALFORMED_FUNCTION_CALL' }],
    };
    expect(translate(body).completion.choices[0]!.finish_reason).toBe('stop');
  });

  it('is a 502 for an answer that is not an object, or has no candidates and no block reason', () => {
    for (const body of ['text', null, 42, { usageMetadata: { promptTokenCount: 3 } }, { candidates: [] }]) {
      let caught: unknown;
      try {
        fromGeminiResponse(body, context);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(GatewayError);
      expect((caught as GatewayError).status).toBe(502);
    }
  });

  it('reads fields of the wrong type as absent instead of failing the answer', () => {
    const body = {
      responseId: 7,
      modelVersion: ['x'],
      candidates: [{ content: { parts: [{ text: 'ok' }, 'junk', { text: 5 }] }, finishReason: 3 }],
      usageMetadata: { promptTokenCount: '9', candidatesTokenCount: 2 },
    };
    const { completion, usage, upstreamModel } = translate(body);
    expect(completion.choices[0]!.message.content).toBe('ok');
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(upstreamModel).toBeNull();
    // A count there but unreadable reaches the recorder as NaN, which checkUsage records as unknown.
    expect(usage).toEqual({
      inputTokens: Number.NaN,
      outputTokens: 2,
      cachedInputTokens: null,
      reasoningTokens: 0,
    });
    expect(checkUsage(usage).usage).toEqual({
      inputTokens: null,
      outputTokens: 2,
      cachedInputTokens: null,
      reasoningTokens: 0,
    });
  });
});
