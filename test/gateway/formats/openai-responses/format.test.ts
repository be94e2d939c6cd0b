import { describe, expect, it } from 'vitest';
import { compilePatterns } from '../../../../gateway/filters/patterns.ts';
import { formatFor } from '../../../../gateway/formats/index.ts';
import { openAiResponsesFormat } from '../../../../gateway/formats/openai-responses/index.ts';
import type { JsonObject, StreamEvent } from '../../../../gateway/formats/types.ts';
import { fixtureChunks, fixtureJson } from '../../../support/fixtures.ts';
import { payloads, sdkFinalResponse, sse } from './support.ts';

const EMAILS = compilePatterns(['builtin:emails'], 'f');
const { view } = openAiResponsesFormat;

describe('openAiResponsesFormat', () => {
  it('is the format of its id, with no embeddings', () => {
    expect(formatFor('openai-responses')).toBe(openAiResponsesFormat);
    expect(openAiResponsesFormat.embeddings).toBeNull();
    expect(openAiResponsesFormat.errorEvent).toBe('error');
  });
});

describe('the request view', () => {
  const body = (): JsonObject => ({
    model: 'm',
    instructions: 'Be kind.',
    input: [
      { role: 'developer', content: 'Rules.' },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'mail bob@example.com' }] },
      { type: 'function_call', call_id: 'c', name: 'f', arguments: '{"to":"bob@example.com"}' },
      { type: 'function_call_output', call_id: 'c', output: 'sent' },
    ],
  });

  it('gives instructions, message text, call arguments and tool outputs as slots, writable in place', () => {
    const request = body();
    const slots = view.textSlots(request);
    expect(slots.map((slot) => [slot.role, slot.text])).toEqual([
      ['system', 'Be kind.'],
      ['system', 'Rules.'],
      ['user', 'mail bob@example.com'],
      ['assistant', '{"to":"bob@example.com"}'],
      ['tool', 'sent'],
    ]);
    for (const slot of slots) slot.set(slot.text.toUpperCase());
    expect(request['instructions']).toBe('BE KIND.');
    expect((request['input'] as JsonObject[])[2]!['arguments']).toBe('{"TO":"BOB@EXAMPLE.COM"}');
    expect((request['input'] as JsonObject[])[3]!['output']).toBe('SENT');
    const text: JsonObject = { input: 'hello' };
    view.textSlots(text)[0]!.set('bye');
    expect(text['input']).toBe('bye');
  });

  it('sets the system prompt through instructions', () => {
    const prepend = body();
    view.setSystemPrompt(prepend, 'prepend', 'First.');
    expect(prepend['instructions']).toBe('First.\n\nBe kind.');
    const append = body();
    view.setSystemPrompt(append, 'append', 'Last.');
    expect(append['instructions']).toBe('Be kind.\n\nLast.');
    const replace = body();
    view.setSystemPrompt(replace, 'replace', 'Only.');
    expect(replace['instructions']).toBe('Only.');
    expect((replace['input'] as JsonObject[]).some((item) => item['role'] === 'developer')).toBe(false);
    const none: JsonObject = { input: 'x' };
    view.setSystemPrompt(none, 'append', 'New.');
    expect(none['instructions']).toBe('New.');
  });

  it('caps max_output_tokens and sets the model', () => {
    const request: JsonObject = { input: 'x' };
    expect(view.maxTokens(request)).toBeUndefined();
    view.capMaxTokens(request, 500);
    expect(request['max_output_tokens']).toBe(500);
    request['max_output_tokens'] = 100;
    view.capMaxTokens(request, 500);
    expect(view.maxTokens(request)).toBe(100);
    view.setModel(request, 'other');
    expect(request['model']).toBe('other');
  });
});

describe('redaction', () => {
  it('redacts a response object’s text, reasoning summary and arguments', () => {
    const answer = fixtureJson('openai/responses/openai-reasoning-encrypted-content.1.json');
    const output = answer['output'] as JsonObject[];
    ((output[1]!['content'] as JsonObject[])[0] as JsonObject)['text'] = 'write to bob@example.com';
    output.push({ type: 'function_call', call_id: 'c', name: 'f', arguments: '{"to":"bob@example.com"}' });
    openAiResponsesFormat.redact.answer(answer, EMAILS);
    expect(((output[1]!['content'] as JsonObject[])[0] as JsonObject)['text']).toBe(
      'write to [REDACTED:emails]',
    );
    expect(output[2]!['arguments']).toBe('{"to":"[REDACTED:emails]"}');
  });

  it('redacts a recorded stream whose secret is split across deltas, and keeps the numbers running', async () => {
    const lines = fixtureChunks('openai/responses/openai-pdf-input-file.1.chunks.txt');
    const events: StreamEvent[] = lines.map((line) => {
      const data = JSON.parse(line.replaceAll('Dummy PDF file', 'Dummy bob@example.com file')) as JsonObject;
      if (data['delta'] === ' PDF') data['delta'] = ' bob@exam';
      if (data['delta'] === ' file') data['delta'] = 'ple.com file';
      return { event: data['type'] as string, data: JSON.stringify(data) };
    });
    const redactor = openAiResponsesFormat.redact.stream(EMAILS);
    const out = [...events.flatMap((event) => redactor.next({ ...event, id: undefined })), ...redactor.end()];
    const data = payloads(out);
    const deltas = data
      .filter((event) => event['type'] === 'response.output_text.delta')
      .map((event) => event['delta']);
    expect(deltas.join('')).toBe('Dummy [REDACTED:emails] file');
    expect(sse(out)).not.toContain('bob@');
    const numbers = data
      .map((event) => event['sequence_number'])
      .filter((value) => typeof value === 'number');
    expect(numbers).toEqual([...numbers].sort((a, b) => (a as number) - (b as number)));
    expect(new Set(numbers).size).toBe(numbers.length);
    const final = await sdkFinalResponse(out);
    expect(final.output_text).toBe('Dummy [REDACTED:emails] file');
  });
});

describe('terminalEventStart', () => {
  it('finds the completed, incomplete or failed event, by its event line or its data', () => {
    const text =
      'event: response.output_text.delta\ndata: {}\n\nevent: response.completed\ndata: {"type":"response.completed"}\n\n';
    expect(openAiResponsesFormat.terminalEventStart(text)).toBe(text.indexOf('event: response.completed'));
    const bare = 'data: {"type":"response.in_progress"}\n\ndata: {"type":"response.failed"}\n\n';
    expect(openAiResponsesFormat.terminalEventStart(bare)).toBe(
      bare.indexOf('data: {"type":"response.failed"'),
    );
    expect(openAiResponsesFormat.terminalEventStart('event: response.incomplete\ndata: {}\n\n')).toBe(0);
    expect(openAiResponsesFormat.terminalEventStart('event: response.created\ndata: {}\n\n')).toBe(-1);
  });
});
