import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePatterns } from '../../../../gateway/filters/patterns.ts';
import type { Pattern } from '../../../../gateway/filters/patterns.ts';
import { redactText } from '../../../../gateway/filters/redact.ts';
import { hubPartData } from '../../../../gateway/formats/openai-chat/encode-hub-part.ts';
import { hubStreamRedactor, redactCompletion } from '../../../../gateway/formats/openai-chat/redact.ts';
import type { SseEvent } from '../../../../gateway/protocol/sse.ts';
import { openAiStream } from '../../../../gateway/formats/openai-chat/stream.ts';
import type { ChatStream, JsonObject, StreamContext } from '../../../../gateway/formats/types.ts';
import { EXAMPLES, email, prose, split } from '../../filters/samples.ts';

/**
 * A reducer and the hub stream redactor composed as the pipeline composes them (the reducer's
 * parts, then the redactor's), with each part as the event data the client reads.
 */
function redactingStream<State>(reducer: ChatStream<State>, patterns: readonly Pattern[]) {
  type Composed = { inner: State; redactor: ReturnType<typeof hubStreamRedactor> };
  return {
    init: (context: StreamContext): Composed => ({
      inner: reducer.init(context),
      redactor: hubStreamRedactor(patterns),
    }),
    next: (state: Composed, event: SseEvent) =>
      state.redactor.next(reducer.next(state.inner, event)).map(hubPartData),
    end(state: Composed) {
      const tail = reducer.end(state.inner);
      const parts = [...state.redactor.next(tail.parts), ...state.redactor.end()];
      return { payloads: parts.map(hubPartData), complete: tail.complete };
    },
    usage: (state: Composed) => reducer.usage(state.inner),
    upstreamModel: (state: Composed) => reducer.upstreamModel(state.inner),
    errorCode: (state: Composed) => reducer.errorCode(state.inner),
  };
}

const EMAILS = compilePatterns(['builtin:emails'], 'f');
const event = (data: string): SseEvent => ({ event: undefined, data, id: undefined });

const base = {
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: 1770000000,
  model: 'gpt-4.1-nano-2025-04-14',
};
const roleChunk = () =>
  JSON.stringify({
    ...base,
    choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
  });
const textChunk = (content: string, index = 0) =>
  JSON.stringify({ ...base, choices: [{ index, delta: { content }, finish_reason: null }] });
const finishChunk = (index = 0, content?: string) =>
  JSON.stringify({
    ...base,
    choices: [{ index, delta: content === undefined ? {} : { content }, finish_reason: 'stop' }],
  });
const usageChunk = () =>
  JSON.stringify({
    ...base,
    choices: [],
    usage: { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 },
  });

interface Played {
  payloads: string[];
  complete: boolean;
  /** The content the client saw, per choice, in order. */
  content: Map<number, string>;
  /** Position (in payloads) of each choice's finish chunk. */
  finishedAt: Map<number, number>;
  /** Position of the last payload carrying content for each choice. */
  lastContentAt: Map<number, number>;
}

function play(
  lines: readonly string[],
  patterns: readonly Pattern[] = EMAILS,
  clientWantsUsage = false,
): Played {
  const stream = redactingStream(openAiStream, patterns);
  const state = stream.init({ model: 'gpt-4.1-nano', created: 1770000000, clientWantsUsage });
  const payloads = lines.flatMap((line) => stream.next(state, event(line)));
  const tail = stream.end(state);
  payloads.push(...tail.payloads);
  const content = new Map<number, string>();
  const finishedAt = new Map<number, number>();
  const lastContentAt = new Map<number, number>();
  payloads.forEach((payload, position) => {
    if (payload === '[DONE]') return;
    const chunk = JSON.parse(payload) as JsonObject;
    for (const choice of (chunk['choices'] as JsonObject[] | undefined) ?? []) {
      const index = choice['index'] as number;
      const delta = choice['delta'] as JsonObject | undefined;
      if (typeof delta?.['content'] === 'string' && delta['content'] !== '') {
        content.set(index, (content.get(index) ?? '') + delta['content']);
        lastContentAt.set(index, position);
      }
      if (choice['finish_reason']) finishedAt.set(index, position);
    }
  });
  return { payloads, complete: tail.complete, content, finishedAt, lastContentAt };
}

describe('hubStreamRedactor over openAiStream', () => {
  const pieces = ['Sure! Write to jo', 'hn.doe@exam', 'ple.com and I will answer.'];
  const lines = [
    roleChunk(),
    ...pieces.map((piece) => textChunk(piece)),
    finishChunk(),
    usageChunk(),
    '[DONE]',
  ];

  it('never shows the client an email split across three chunks, and shows the marker instead', () => {
    const { payloads, content } = play(lines);
    for (const payload of payloads) {
      expect(payload).not.toContain('john.doe');
      expect(payload).not.toContain('example.com');
    }
    expect(content.get(0)).toBe('Sure! Write to [REDACTED:emails] and I will answer.');
    expect(content.get(0)).toBe(redactText(pieces.join(''), EMAILS));
  });

  it("sends the held-back text in the finish chunk itself, after that chunk's own text, then [DONE]", () => {
    const { payloads, finishedAt, lastContentAt, complete } = play(lines);
    expect(lastContentAt.get(0)).toBe(finishedAt.get(0));
    expect(payloads.at(-1)).toBe('[DONE]');
    expect(complete).toBe(true);
    const finish = JSON.parse(payloads[finishedAt.get(0)!]!) as JsonObject;
    expect(finish).toMatchObject({
      id: 'chatcmpl-1',
      object: 'chat.completion.chunk',
      model: 'gpt-4.1-nano-2025-04-14',
    });
    expect(finish['choices']).toMatchObject([
      { index: 0, delta: { content: expect.any(String) as unknown }, finish_reason: 'stop' },
    ]);
  });

  it('keeps the order when the finish chunk carries text of its own', () => {
    const { content } = play([
      roleChunk(),
      textChunk('Hello '),
      finishChunk(0, 'A'.repeat(20) + 'B'.repeat(280)),
      '[DONE]',
    ]);
    expect(content.get(0)).toBe(`Hello ${'A'.repeat(20)}${'B'.repeat(280)}`);
  });

  it('keeps the usage and model the inner stream read, and drops the usage chunk the client did not ask for', () => {
    const stream = redactingStream(openAiStream, EMAILS);
    const state = stream.init({ model: 'gpt-4.1-nano', created: 1770000000, clientWantsUsage: false });
    const payloads = lines.flatMap((line) => stream.next(state, event(line)));
    expect(stream.usage(state)).toMatchObject({ inputTokens: 10, outputTokens: 20 });
    expect(stream.upstreamModel(state)).toBe('gpt-4.1-nano-2025-04-14');
    expect(stream.errorCode(state)).toBeNull();
    expect(payloads.some((payload) => payload.includes('"usage":{'))).toBe(false);
    expect(play(lines, EMAILS, true).payloads.some((payload) => payload.includes('"prompt_tokens":10'))).toBe(
      true,
    );
  });

  it('passes chunks without content through byte for byte', () => {
    const { payloads } = play(lines);
    expect(payloads[0]).toBe(lines[0]);
  });

  it('flushes at [DONE] or at the end of a cut stream when no finish chunk came', () => {
    const withoutFinish = play([
      roleChunk(),
      textChunk('mail jane@'),
      textChunk('example.com now'),
      '[DONE]',
    ]);
    expect(withoutFinish.content.get(0)).toBe('mail [REDACTED:emails] now');
    expect(withoutFinish.payloads.at(-1)).toBe('[DONE]');
    const cut = play([roleChunk(), textChunk('mail jane@'), textChunk('example.com now')]);
    expect(cut.content.get(0)).toBe('mail [REDACTED:emails] now');
    expect(cut.complete).toBe(false);
  });

  // Not asserted (reported):
  // - a finish chunk that also carries content (as some OpenAI-compatible servers send) gets the
  //   held-back text flushed in a chunk *before* it, so the client sees the tail of the answer
  //   before the text released from that last chunk: 'Hello ' then `${'A'.repeat(20)}${'B'.repeat(280)}`
  //   with finish_reason 'stop' reaches the client as 254 × 'B', then 'Hello ' + 20 × 'A' + 26 × 'B'.
  // - streamed tool-call arguments (`delta.tool_calls[].function.arguments`) and
  //   `delta.reasoning_content` pass unredacted, though redactCompletion redacts tool-call
  //   arguments of answers that are not streamed.
  it('redacts each choice on its own', () => {
    const { content, finishedAt, lastContentAt } = play([
      roleChunk(),
      textChunk('first a@', 0),
      textChunk('second b@', 1),
      textChunk('x.io end', 0),
      textChunk('y.io end', 1),
      finishChunk(0),
      finishChunk(1),
      '[DONE]',
    ]);
    expect(content.get(0)).toBe('first [REDACTED:emails] end');
    expect(content.get(1)).toBe('second [REDACTED:emails] end');
    expect(lastContentAt.get(0)).toBeLessThanOrEqual(finishedAt.get(0)!);
    expect(lastContentAt.get(1)).toBeLessThanOrEqual(finishedAt.get(1)!);
  });

  it('catches a PEM private key streamed in many small chunks', () => {
    const patterns = compilePatterns(['builtin:api-keys'], 'f');
    const text = `Here you go:\n${EXAMPLES.pem}\nKeep it safe.`;
    const chunks = text.match(/[\s\S]{1,4}/g)!.map((piece) => textChunk(piece));
    const { payloads, content } = play([roleChunk(), ...chunks, finishChunk(), '[DONE]'], patterns);
    expect(content.get(0)).toBe('Here you go:\n[REDACTED:api-keys]\nKeep it safe.');
    for (const payload of payloads) expect(payload).not.toContain('MIIE');
  });

  it('property: the client sees exactly redactText of the whole answer, however it is chunked', () => {
    fc.assert(
      fc.property(prose(email), fc.array(fc.nat(), { maxLength: 20 }), (text, points) => {
        const chunks = split(text, points).map((piece) => textChunk(piece));
        const { content, finishedAt, lastContentAt } = play([
          roleChunk(),
          ...chunks,
          finishChunk(),
          '[DONE]',
        ]);
        expect(content.get(0) ?? '').toBe(redactText(text, EMAILS));
        if (lastContentAt.has(0)) expect(lastContentAt.get(0)).toBeLessThanOrEqual(finishedAt.get(0)!);
      }),
      { numRuns: 100 },
    );
  });
});

describe('redactCompletion', () => {
  it('redacts message content and tool-call arguments of every choice, in place', () => {
    const completion: JsonObject = {
      id: 'chatcmpl-1',
      choices: [
        { index: 0, message: { role: 'assistant', content: 'mail jane@example.com' }, finish_reason: 'stop' },
        {
          index: 1,
          message: {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: 'c',
                type: 'function',
                function: { name: 'send', arguments: '{"to":"bob@example.org"}' },
              },
            ],
          },
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 1 },
    };
    redactCompletion(completion, EMAILS);
    expect(completion).toEqual({
      id: 'chatcmpl-1',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'mail [REDACTED:emails]' },
          finish_reason: 'stop',
        },
        {
          index: 1,
          message: {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: 'c',
                type: 'function',
                function: { name: 'send', arguments: '{"to":"[REDACTED:emails]"}' },
              },
            ],
          },
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 1 },
    });
  });

  it('copes with completions that have no choices or odd ones', () => {
    const odd: JsonObject = { choices: [null, 3, { message: 'x' }, { message: { content: 7 } }] };
    const copy = structuredClone(odd);
    redactCompletion(odd, EMAILS);
    expect(odd).toEqual(copy);
    redactCompletion({}, EMAILS);
  });
});

describe('hubStreamRedactor over reasoning and tool-call arguments', () => {
  it('redacts streamed reasoning and tool-call arguments, each held back on its own', () => {
    const chunk = (delta: JsonObject, finish: string | null = null) =>
      JSON.stringify({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] });
    const lines = [
      roleChunk(),
      chunk({ reasoning_content: 'The user is bob@exa' }),
      chunk({ reasoning_content: 'mple.com, so' }),
      chunk({
        tool_calls: [
          {
            index: 0,
            id: 'call_1',
            type: 'function',
            function: { name: 'mail', arguments: '{"to":"carol@' },
          },
        ],
      }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: 'example.org"}' } }] }),
      chunk({}, 'tool_calls'),
      '[DONE]',
    ];
    const stream = redactingStream(openAiStream, EMAILS);
    const state = stream.init({ model: 'gpt-4.1-nano', created: 1770000000, clientWantsUsage: false });
    const payloads = [
      ...lines.flatMap((line) => stream.next(state, event(line))),
      ...stream.end(state).payloads,
    ];
    let reasoning = '';
    let args = '';
    for (const payload of payloads) {
      if (payload === '[DONE]') continue;
      for (const choice of (JSON.parse(payload) as { choices: { delta: JsonObject }[] }).choices) {
        if (typeof choice.delta['reasoning_content'] === 'string')
          reasoning += choice.delta['reasoning_content'];
        for (const call of (choice.delta['tool_calls'] as
          { function?: { arguments?: string } }[] | undefined) ?? []) {
          args += call.function?.arguments ?? '';
        }
      }
    }
    expect(reasoning).toBe('The user is [REDACTED:emails], so');
    expect(JSON.parse(args)).toEqual({ to: '[REDACTED:emails]' });
    expect(payloads.join('')).not.toContain('example.');
  });
});
