import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../gateway/errors.ts';
import { compilePatterns } from '../../../gateway/filters/patterns.ts';
import {
  anthropicMessagesFormat,
  encodeHubPart,
  formatFor,
  geminiGenerateFormat,
  openAiChatFormat,
  validateChatRequest,
  type StreamRedactor,
} from '../../../gateway/formats/index.ts';
import type { SseEvent } from '../../../gateway/protocol/sse.ts';

const EMAILS = compilePatterns(['builtin:emails'], 'f');
const event = (data: string, name?: string): SseEvent => ({ event: name, data, id: undefined });

function refusal(run: () => void): GatewayError {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

describe('formatFor', () => {
  it('gives each format by its id', () => {
    for (const format of [openAiChatFormat, anthropicMessagesFormat, geminiGenerateFormat]) {
      expect(formatFor(format.id)).toBe(format);
    }
    expect(anthropicMessagesFormat.errorEvent).toBe('error');
    expect(openAiChatFormat.errorEvent).toBeUndefined();
    expect(geminiGenerateFormat.errorEvent).toBeUndefined();
  });
});

describe('encodeHubPart', () => {
  it('writes chunks (their upstream text where unchanged), raw data and [DONE] as SSE frames', () => {
    expect(encodeHubPart({ type: 'done' })).toBe('data: [DONE]\n\n');
    expect(encodeHubPart({ type: 'raw', data: 'not json' })).toBe('data: not json\n\n');
    expect(encodeHubPart({ type: 'chunk', chunk: { a: 1 }, text: '{ "a" : 1 }' })).toBe(
      'data: { "a" : 1 }\n\n',
    );
    expect(encodeHubPart({ type: 'chunk', chunk: { a: 1 } })).toBe('data: {"a":1}\n\n');
  });
});

describe('validateChatRequest', () => {
  it('checks the types of what the translations read, for every route', () => {
    expect(refusal(() => validateChatRequest({}))).toMatchObject({
      status: 400,
      code: 'invalid_request',
      param: 'messages',
      message: '"messages" must be an array.',
    });
    expect(refusal(() => validateChatRequest({ messages: [], temperature: 'hot' }))).toMatchObject({
      param: 'temperature',
    });
    expect(refusal(() => validateChatRequest({ messages: [], stop: 5 })).param).toBe('stop');
  });

  it('leaves values and message shapes to the route: what an OpenAI-compatible server may take', () => {
    for (const body of [
      { messages: [] },
      { messages: [{ role: 'function', name: 'f', content: 'x' }] },
      { messages: [{ role: 'user', content: 'x' }], temperature: 3, max_tokens: -1, frobnicate: true },
    ]) {
      expect(() => validateChatRequest(body)).not.toThrow();
    }
  });

  it('is cheap for a typical small request', () => {
    const body = {
      model: 'gpt-4.1-nano',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'What is the capital of France?' },
      ],
      max_tokens: 100,
      temperature: 0.2,
      stream: true,
      stream_options: { include_usage: true },
    };
    const runs = 20_000;
    const start = performance.now();
    for (let run = 0; run < runs; run++) validateChatRequest(body);
    const microseconds = ((performance.now() - start) * 1000) / runs;
    expect(microseconds).toBeLessThan(50);
  });
});

describe('embeddings validation', () => {
  it('needs an input, on every route', () => {
    expect(refusal(() => openAiChatFormat.validate({ model: 'x' }, 'embeddings'))).toMatchObject({
      code: 'invalid_request',
      param: 'input',
    });
    expect(() => openAiChatFormat.validate({ input: 'x' }, 'embeddings')).not.toThrow();
  });
});

describe('terminalEventStart', () => {
  it("finds each format's own last event, and only its own", () => {
    const openAi = 'data: {"choices":[]}\n\ndata: [DONE]\n\n';
    expect(openAiChatFormat.terminalEventStart(openAi)).toBe(openAi.indexOf('data: [DONE]'));
    expect(openAiChatFormat.terminalEventStart('data: {"choices":[]}\n\n')).toBe(-1);

    const anthropic =
      'event: message_delta\ndata: {}\n\nevent: message_stop\ndata: {"type":"message_stop"}\n\n';
    expect(anthropicMessagesFormat.terminalEventStart(anthropic)).toBe(
      anthropic.indexOf('event: message_stop'),
    );
    expect(anthropicMessagesFormat.terminalEventStart(openAi)).toBe(-1);

    const gemini = 'data: {"candidates":[]}\n\ndata: {"candidates":[{"finishReason":"STOP"}]}\n\n';
    expect(geminiGenerateFormat.terminalEventStart(gemini)).toBe(gemini.indexOf('data: {"candidates":[{'));
    expect(geminiGenerateFormat.terminalEventStart('data: {"candidates":[{"finishReason":"STOP"}]}')).toBe(0);
    expect(geminiGenerateFormat.terminalEventStart(openAi)).toBe(-1);
  });
});

describe('views', () => {
  it('read the output limit each format names, positive numbers only', () => {
    expect(openAiChatFormat.view.maxTokens({ max_completion_tokens: 50, max_tokens: 80 })).toBe(50);
    expect(openAiChatFormat.view.maxTokens({ max_tokens: 80 })).toBe(80);
    expect(openAiChatFormat.view.maxTokens({ max_tokens: 0 })).toBeUndefined();
    expect(anthropicMessagesFormat.view.maxTokens({ max_tokens: 1024 })).toBe(1024);
    expect(anthropicMessagesFormat.view.maxTokens({ max_tokens: '1024' })).toBeUndefined();
    expect(geminiGenerateFormat.view.maxTokens({ generationConfig: { maxOutputTokens: 64 } })).toBe(64);
    expect(geminiGenerateFormat.view.maxTokens({ generationConfig: 'x' })).toBeUndefined();
  });

  it('write the model into the body, but not where the path names it', () => {
    const openAi = { model: 'a' };
    openAiChatFormat.view.setModel(openAi, 'b');
    expect(openAi).toEqual({ model: 'b' });
    const anthropic = { model: 'a' };
    anthropicMessagesFormat.view.setModel(anthropic, 'b');
    expect(anthropic).toEqual({ model: 'b' });
    const gemini = { contents: [] };
    geminiGenerateFormat.view.setModel(gemini, 'b');
    expect(gemini).toEqual({ contents: [] });
  });
});

/** The events a redactor sends for `events`, its end included. */
function redacted(redactor: StreamRedactor, events: SseEvent[]) {
  return [...events.flatMap((item) => redactor.next(item)), ...redactor.end()];
}

describe('native stream redaction', () => {
  it('passes events of any JSON type other than an object on unchanged, in every format', () => {
    for (const format of [openAiChatFormat, anthropicMessagesFormat, geminiGenerateFormat]) {
      for (const data of ['null', '5', '[1,2]', '"text"', 'true']) {
        const redactor = format.redact.stream(EMAILS);
        const out = redactor.next({ event: 'content_block_delta', id: undefined, data });
        expect(
          out.map((item) => item.data),
          `${format.id}: ${data}`,
        ).toEqual([data]);
      }
    }
  });

  it('OpenAI: an email split across chunks is redacted, [DONE] comes last', () => {
    const chunk = (content: string, finish: string | null = null) =>
      JSON.stringify({ id: 'c', choices: [{ index: 0, delta: { content }, finish_reason: finish }] });
    const out = redacted(openAiChatFormat.redact.stream(EMAILS), [
      event(chunk('mail jo')),
      event(chunk('e@example.com')),
      event(chunk(' now', 'stop')),
      event('[DONE]'),
    ]);
    const text = out
      .filter((item) => item.data !== '[DONE]')
      .map(
        (item) =>
          (JSON.parse(item.data) as { choices: { delta: { content?: string } }[] }).choices[0]!.delta.content,
      )
      .join('');
    expect(text).toBe('mail [REDACTED:emails] now');
    expect(out.at(-1)).toEqual({ event: undefined, data: '[DONE]' });
  });

  it('Anthropic: held text goes out as one more delta before the block stops', () => {
    const delta = (text: string) =>
      event(
        JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }),
        'content_block_delta',
      );
    const out = redacted(anthropicMessagesFormat.redact.stream(EMAILS), [
      delta('mail jo'),
      delta('e@example.com now'),
      event('{"type":"content_block_stop","index":0}', 'content_block_stop'),
    ]);
    const text = out
      .filter((item) => item.event === 'content_block_delta')
      .map((item) => (JSON.parse(item.data) as { delta: { text: string } }).delta.text)
      .join('');
    expect(text).toBe('mail [REDACTED:emails] now');
    expect(out.at(-1)!.event).toBe('content_block_stop');
  });

  it('Gemini: held text goes out in the candidate that finishes, or in one more chunk at the end', () => {
    const chunk = (text: string, finish?: string) =>
      event(
        JSON.stringify({
          candidates: [{ content: { parts: [{ text }] }, ...(finish ? { finishReason: finish } : {}) }],
        }),
      );
    const textOf = (items: { data: string }[]) =>
      items
        .flatMap(
          (item) =>
            (JSON.parse(item.data) as { candidates: { content: { parts: { text: string }[] } }[] })
              .candidates,
        )
        .flatMap((candidate) => candidate.content.parts.map((part) => part.text))
        .join('');
    const finished = redacted(geminiGenerateFormat.redact.stream(EMAILS), [
      chunk('mail jo'),
      chunk('e@example.com now', 'STOP'),
    ]);
    expect(textOf(finished)).toBe('mail [REDACTED:emails] now');
    expect(finished).toHaveLength(2);
    const cut = redacted(geminiGenerateFormat.redact.stream(EMAILS), [
      chunk('mail jo'),
      chunk('e@example.com now'),
    ]);
    expect(textOf(cut)).toBe('mail [REDACTED:emails] now');
  });

  it('redacts answers in place, in each format', () => {
    const anthropic = {
      content: [
        { type: 'text', text: 'mail a@b.io' },
        { type: 'tool_use', id: 't', name: 'f', input: { to: 'c@d.io' } },
      ],
    };
    anthropicMessagesFormat.redact.answer(anthropic, EMAILS);
    expect(anthropic.content).toEqual([
      { type: 'text', text: 'mail [REDACTED:emails]' },
      { type: 'tool_use', id: 't', name: 'f', input: { to: '[REDACTED:emails]' } },
    ]);
    const gemini = {
      candidates: [
        { content: { parts: [{ text: 'a@b.io' }, { functionCall: { name: 'f', args: { to: 'c@d.io' } } }] } },
      ],
    };
    geminiGenerateFormat.redact.answer(gemini, EMAILS);
    expect(gemini.candidates[0]!.content.parts).toEqual([
      { text: '[REDACTED:emails]' },
      { functionCall: { name: 'f', args: { to: '[REDACTED:emails]' } } },
    ]);
  });
});
