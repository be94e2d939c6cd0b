import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { anthropicMessagesFormat } from '../../../../gateway/formats/anthropic-messages/index.ts';
import { geminiGenerateFormat } from '../../../../gateway/formats/gemini-generate/index.ts';
import type { ChatStream, JsonObject } from '../../../../gateway/formats/types.ts';
import { carrierWithKey } from '../../../../gateway/secrets/carrier.ts';
import { fixtureChunks, fixtureJson } from '../../../support/fixtures.ts';
import { inbound, MODEL, sdkFinalResponse } from './support.ts';

/*
 * A vendor's signed reasoning through a Responses client and back: sealed in a reasoning item's
 * encrypted_content, restored to the hub's assistant turn, and sent to the vendor as it came.
 */

const carrier = carrierWithKey(randomBytes(32));
const THINKING = fixtureJson('anthropic/anthropic-clear-thinking.1.json');
const THINKING_BLOCK = (THINKING['content'] as JsonObject[])[0]!;

/** A vendor's answer → the hub's → the Responses answer a client gets. */
function responsesAnswer(
  format: typeof anthropicMessagesFormat,
  body: unknown,
  withCarrier = true,
): JsonObject {
  const hub = format.chat.response(body, { model: 'upstream', created: 1 }).body!;
  return inbound.response(hub, { model: MODEL, ...(withCarrier ? { carrier } : {}) });
}

/** The next turn as a client sends it: the first question, the answer's items as they came, a new question. */
function nextTurn(output: unknown[]): JsonObject {
  return {
    model: MODEL,
    input: [
      { role: 'user', content: 'What is 925 / 5?' },
      ...(output as JsonObject[]),
      { role: 'user', content: 'And 925 / 25?' },
    ],
  };
}

const hubMessages = (body: JsonObject): JsonObject[] =>
  inbound.request(body, { model: MODEL, carrier })['messages'] as JsonObject[];

/** The hub request → Anthropic's, thinking asked for, as the pipeline sends it. */
function anthropicRequest(body: JsonObject): JsonObject {
  const hub = { ...inbound.request(body, { model: MODEL, carrier }), reasoning_effort: 'high' };
  return anthropicMessagesFormat.chat.request(hub, {
    model: 'claude-sonnet-4-5',
    stream: false,
    defaultMaxTokens: 64000,
  });
}

function relay<State>(reducer: ChatStream<State>, path: string) {
  const state = reducer.init({ model: 'upstream', created: 1, clientWantsUsage: true });
  const encoder = inbound.stream.init({ model: MODEL, estimatedInputTokens: 10, carrier });
  const events = fixtureChunks(path).flatMap((data) =>
    reducer
      .next(state, { event: undefined, data, id: undefined })
      .flatMap((part) => inbound.stream.next(encoder, part)),
  );
  const end = reducer.end(state);
  return [
    ...events,
    ...end.parts.flatMap((part) => inbound.stream.next(encoder, part)),
    ...inbound.stream.end(encoder, reducer.usage(state), end.complete),
  ];
}

describe('Anthropic’s signed thinking through a Responses client', () => {
  it('goes out sealed in the reasoning item and comes back to the vendor as it came', () => {
    const answer = responsesAnswer(anthropicMessagesFormat, THINKING);
    const output = answer['output'] as JsonObject[];
    expect(output.map((item) => item['type'])).toEqual(['reasoning', 'message']);
    const reasoning = output[0]!;
    expect(reasoning['summary']).toEqual([{ type: 'summary_text', text: THINKING_BLOCK['thinking'] }]);
    expect(carrier.owns(String(reasoning['encrypted_content']))).toBe(true);
    // Sealed: neither the signature nor the thinking can be read in it.
    expect(String(reasoning['encrypted_content'])).not.toContain(String(THINKING_BLOCK['signature']));

    const messages = hubMessages(nextTurn(output));
    expect(messages.map((message) => message['role'])).toEqual(['user', 'assistant', 'user']);
    expect(messages[1]!['thinking_blocks']).toEqual([THINKING_BLOCK]);

    const sent = anthropicRequest(nextTurn(output));
    expect(sent['thinking']).toMatchObject({ type: 'enabled' });
    const turn = (sent['messages'] as JsonObject[])[1]!;
    expect(turn['content']).toEqual([THINKING_BLOCK, { type: 'text', text: '925 ÷ 5 = 185' }]);
  });

  it('goes out sealed from a recorded stream, the SDK keeps it, and it comes back whole', async () => {
    const events = relay(
      anthropicMessagesFormat.chat.stream,
      'anthropic/anthropic-clear-thinking.1.chunks.txt',
    );
    // The block as the recording streamed it: its thinking deltas, then its signature.
    const deltas = fixtureChunks('anthropic/anthropic-clear-thinking.1.chunks.txt')
      .map((line) => JSON.parse(line) as { index?: number; delta?: JsonObject })
      .filter((event) => event.index === 0 && event.delta !== undefined)
      .map((event) => event.delta!);
    const recorded = {
      type: 'thinking',
      thinking: deltas.map((delta) => delta['thinking'] ?? '').join(''),
      signature: deltas.map((delta) => delta['signature'] ?? '').join(''),
    };
    expect(recorded.signature.length).toBeGreaterThan(50);
    const final = await sdkFinalResponse(events);
    const reasoning = final.output.find((item) => item.type === 'reasoning');
    expect(reasoning?.summary.map((part) => part.text).join('')).toBe(recorded.thinking);
    expect(carrier.owns(String(reasoning?.encrypted_content))).toBe(true);
    const messages = hubMessages(nextTurn(final.output));
    expect(messages[1]!['thinking_blocks']).toEqual([recorded]);
  });

  it('goes to the turn it belongs to, before or after the calls, and to no other', () => {
    const sealed = carrier.seal({ thinking_blocks: [THINKING_BLOCK] });
    const messages = hubMessages({
      model: MODEL,
      input: [
        { role: 'user', content: 'Weather?' },
        { type: 'function_call', call_id: 'c1', name: 'get_weather', arguments: '{}' },
        { type: 'reasoning', summary: [], encrypted_content: sealed },
        { type: 'function_call_output', call_id: 'c1', output: 'sunny' },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Sunny.' }] },
      ],
    });
    expect(messages.map((message) => message['role'])).toEqual(['user', 'assistant', 'tool', 'assistant']);
    expect(messages[1]!['thinking_blocks']).toEqual([THINKING_BLOCK]);
    expect(messages[3]!['thinking_blocks']).toBeUndefined();
  });

  it('makes no message of a turn that is reasoning alone', () => {
    const sealed = carrier.seal({ thinking_blocks: [THINKING_BLOCK] });
    const messages = hubMessages({
      model: MODEL,
      input: [
        { role: 'user', content: 'Hi' },
        { type: 'reasoning', summary: [], encrypted_content: sealed },
        { role: 'user', content: 'Hello?' },
      ],
    });
    expect(messages.map((message) => message['role'])).toEqual(['user', 'user']);
  });
});

describe('what is not carried', () => {
  const output = () => responsesAnswer(anthropicMessagesFormat, THINKING)['output'] as JsonObject[];

  it('trusts no reasoning item it did not seal: altered, forged or OpenAI’s own', () => {
    const genuine = output();
    const token = String(genuine[0]!['encrypted_content']);
    for (const encrypted of [
      `${token.slice(0, -6)}AAAAAA`,
      `sbc1.${Buffer.from(JSON.stringify({ thinking_blocks: [THINKING_BLOCK] })).toString('base64url')}`,
      carrierWithKey(randomBytes(32)).seal({ thinking_blocks: [THINKING_BLOCK] }),
      'gAAAAABoX1y2OpenAIsOwn',
    ]) {
      const items = [{ ...genuine[0], encrypted_content: encrypted }, genuine[1]];
      const messages = hubMessages(nextTurn(items));
      expect(messages[1]!['thinking_blocks'], encrypted.slice(0, 12)).toBeUndefined();
      // Without its thinking, the turn goes to Anthropic as text alone, thinking dropped for the loop.
      const turn = (anthropicRequest(nextTurn(items))['messages'] as JsonObject[])[1]!;
      expect(JSON.stringify(turn['content'])).not.toContain('"thinking"');
    }
  });

  it('gives no encrypted content without a carrier', () => {
    const items = responsesAnswer(anthropicMessagesFormat, THINKING, false)['output'] as JsonObject[];
    expect(items[0]).toMatchObject({ type: 'reasoning', encrypted_content: null });
  });

  it('makes no reasoning item for an answer with nothing to carry', () => {
    const items = responsesAnswer(anthropicMessagesFormat, fixtureJson('anthropic/anthropic-text.json'))[
      'output'
    ] as JsonObject[];
    expect(items.map((item) => item['type'])).toEqual(['message']);
  });
});

describe('Gemini’s thought signatures through a Responses client', () => {
  const GEMINI_TEXT = fixtureJson('google/google-text.json');
  const signature = ((GEMINI_TEXT['candidates'] as JsonObject[])[0]!['content'] as { parts: JsonObject[] })
    .parts[0]!['thoughtSignature'];

  function geminiRequest(body: JsonObject): JsonObject {
    const hub = inbound.request(body, { model: MODEL, carrier });
    return geminiGenerateFormat.chat.request(hub, {
      model: 'gemini-3-pro-preview',
      stream: false,
      defaultMaxTokens: 8192,
    });
  }

  it('carries the signature of an answer’s text, in a reasoning item of its own, back to its part', () => {
    const output = responsesAnswer(geminiGenerateFormat as never, GEMINI_TEXT)['output'] as JsonObject[];
    expect(output.map((item) => item['type'])).toEqual(['reasoning', 'message']);
    expect(output[0]!['summary']).toEqual([]);
    const contents = geminiRequest(nextTurn(output))['contents'] as { role: string; parts: JsonObject[] }[];
    expect(contents[1]!.role).toBe('model');
    expect(contents[1]!.parts[0]!['thoughtSignature']).toBe(signature);
  });

  it('carries it from a stream, where it comes with the last text, after any reasoning', async () => {
    const events = relay(geminiGenerateFormat.chat.stream, 'google/google-text.chunks.txt');
    const final = await sdkFinalResponse(events);
    expect(final.output.map((item) => item.type)).toEqual(['message', 'reasoning']);
    const contents = geminiRequest(nextTurn(final.output))['contents'] as { parts: JsonObject[] }[];
    expect(typeof contents[1]!.parts[0]!['thoughtSignature']).toBe('string');
    expect(String(contents[1]!.parts[0]!['thoughtSignature']).length).toBeGreaterThan(20);
  });

  it('carries a call’s signature by its id too, for calls whose id cannot hold it', () => {
    const sealed = carrier.seal({ calls: { plain_id: { google: { thought_signature: 'c2lnbmVk' } } } });
    const contents = geminiRequest({
      model: MODEL,
      input: [
        { role: 'user', content: 'Weather?' },
        { type: 'reasoning', summary: [], encrypted_content: sealed },
        { type: 'function_call', call_id: 'plain_id', name: 'get_weather', arguments: '{}' },
        { type: 'function_call_output', call_id: 'plain_id', output: 'sunny' },
      ],
    })['contents'] as { parts: JsonObject[] }[];
    expect(contents[1]!.parts[0]).toMatchObject({ thoughtSignature: 'c2lnbmVk' });
  });
});

describe('a streamed call’s own vendor state', () => {
  it('is sealed with the answer and goes back to that call', () => {
    const encoder = inbound.stream.init({ model: MODEL, estimatedInputTokens: 10, carrier });
    const extra = { google: { thought_signature: 'c2lnbmVkLWxhdGU=' } };
    const delta = (value: JsonObject, finish: string | null = null) => ({
      type: 'chunk' as const,
      chunk: {
        id: 'c',
        object: 'chat.completion.chunk',
        choices: [{ index: 0, delta: value, finish_reason: finish }],
      },
    });
    const parts = [
      delta({ role: 'assistant', content: '' }),
      delta({
        tool_calls: [{ index: 0, id: 'plain_id', type: 'function', function: { name: 'f', arguments: '{' } }],
      }),
      // The signature arrives after the call's id went out, with its last arguments.
      delta({ tool_calls: [{ index: 0, function: { arguments: '}' }, extra_content: extra }] }),
      delta({}, 'tool_calls'),
    ];
    const events = [
      ...parts.flatMap((part) => inbound.stream.next(encoder, part)),
      ...inbound.stream.end(
        encoder,
        { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0, reasoningTokens: 0 },
        true,
      ),
    ];
    const completed = JSON.parse(events.at(-1)!.data) as { response: { output: JsonObject[] } };
    const output = completed.response.output;
    expect(output.map((item) => item['type'])).toEqual(['function_call', 'reasoning']);
    const messages = hubMessages({
      model: MODEL,
      input: [
        { role: 'user', content: 'Go' },
        ...output,
        { type: 'function_call_output', call_id: 'plain_id', output: 'ok' },
      ],
    });
    expect((messages[1]!['tool_calls'] as JsonObject[])[0]!['extra_content']).toEqual(extra);
  });
});

describe('a server that speaks the Responses API itself', () => {
  it('gets the request without the reasoning the gateway sealed, and with its own', () => {
    const forNative = inbound.forNative!;
    const ours = { type: 'reasoning', summary: [], encrypted_content: carrier.seal({ extra_content: {} }) };
    const theirs = { type: 'reasoning', summary: [], encrypted_content: 'gAAAAABoX1y2' };
    const body = { model: 'gpt-5', input: [{ role: 'user', content: 'Hi' }, ours, theirs] };
    expect(forNative(body, carrier)).toEqual({ ...body, input: [body.input[0], theirs] });
    expect(forNative({ model: 'gpt-5', input: [theirs] }, carrier)).toBeNull();
    expect(forNative({ model: 'gpt-5', input: 'Hi' }, carrier)).toBeNull();
  });
});
