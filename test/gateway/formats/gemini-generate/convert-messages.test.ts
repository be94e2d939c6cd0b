import { describe, expect, it } from 'vitest';
import type { GatewayError } from '../../../../gateway/errors.ts';
import {
  convertMessages,
  functionResponseBody,
  UNSIGNED_CALL_SIGNATURE,
} from '../../../../gateway/formats/gemini-generate/convert-messages.ts';
import { toolCallId } from '../../../../gateway/formats/gemini-generate/tool-call-id.ts';

const call = (id: string, name: string, args: unknown = {}) => ({
  id,
  type: 'function',
  function: { name, arguments: JSON.stringify(args) },
});

describe('convertMessages', () => {
  it('makes system and developer messages the system instruction, several kept in order', () => {
    const { systemInstruction, contents } = convertMessages([
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Hi' },
      { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
      { role: 'system', content: '' },
    ]);
    expect(systemInstruction).toEqual({ parts: [{ text: 'You are terse.' }, { text: 'Answer in French.' }] });
    expect(contents).toEqual([{ role: 'user', parts: [{ text: 'Hi' }] }]);
  });

  it('merges turns of the same role and leaves out empty ones', () => {
    const { contents } = convertMessages([
      { role: 'user', content: 'One' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Two' },
          { type: 'text', text: '' },
        ],
      },
      { role: 'assistant', content: '' },
      { role: 'user', content: 'Three' },
      { role: 'assistant', content: 'Four' },
      { role: 'assistant', content: [{ type: 'refusal', refusal: 'Five' }] },
    ]);
    expect(contents).toEqual([
      { role: 'user', parts: [{ text: 'One' }, { text: 'Two' }, { text: 'Three' }] },
      { role: 'model', parts: [{ text: 'Four' }, { text: 'Five' }] },
    ]);
  });

  it('turns tool calls into functionCall parts and their results into functionResponse parts of one user turn', () => {
    const { contents } = convertMessages([
      { role: 'user', content: 'Weather in Paris and London?' },
      {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [call('c1', 'weather', { city: 'Paris' }), call('c2', 'weather', { city: 'London' })],
      },
      { role: 'tool', tool_call_id: 'c1', content: '{"temp":21}' },
      { role: 'tool', tool_call_id: 'c2', content: 'rainy' },
      { role: 'user', content: 'Thanks' },
    ]);
    expect(contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather in Paris and London?' }] },
      {
        role: 'model',
        parts: [
          { text: 'Checking.' },
          {
            functionCall: { name: 'weather', args: { city: 'Paris' } },
            thoughtSignature: UNSIGNED_CALL_SIGNATURE,
          },
          { functionCall: { name: 'weather', args: { city: 'London' } } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'weather', response: { temp: 21 } } },
          { functionResponse: { name: 'weather', response: { content: 'rainy' } } },
          { text: 'Thanks' },
        ],
      },
    ]);
  });

  it('puts results back in the order of the calls they answer', () => {
    const { contents } = convertMessages([
      { role: 'user', content: 'Go' },
      { role: 'assistant', content: null, tool_calls: [call('a', 'first'), call('b', 'second')] },
      { role: 'tool', tool_call_id: 'b', content: '2' },
      { role: 'tool', tool_call_id: 'a', content: '1' },
    ]);
    expect(contents[2]!.parts).toEqual([
      { functionResponse: { name: 'first', response: { result: 1 } } },
      { functionResponse: { name: 'second', response: { result: 2 } } },
    ]);
  });

  it('finds the name of the nearest earlier call with that id', () => {
    const { contents } = convertMessages([
      { role: 'user', content: 'Go' },
      { role: 'assistant', tool_calls: [call('same', 'old_name')] },
      { role: 'tool', tool_call_id: 'same', content: 'x' },
      { role: 'assistant', tool_calls: [call('same', 'new_name')] },
      { role: 'tool', tool_call_id: 'same', content: 'y' },
    ]);
    expect(contents[4]!.parts).toEqual([
      { functionResponse: { name: 'new_name', response: { content: 'y' } } },
    ]);
  });

  it('takes legacy function messages by name', () => {
    const { contents } = convertMessages([
      { role: 'user', content: 'Go' },
      { role: 'assistant', content: null, function_call: { name: 'lookup', arguments: '{"q":"x"}' } },
      { role: 'function', name: 'lookup', content: '[1,2]' },
    ]);
    expect(contents.slice(1)).toEqual([
      {
        role: 'model',
        parts: [
          { functionCall: { name: 'lookup', args: { q: 'x' } }, thoughtSignature: UNSIGNED_CALL_SIGNATURE },
        ],
      },
      { role: 'user', parts: [{ functionResponse: { name: 'lookup', response: { result: [1, 2] } } }] },
    ]);
  });

  it('restores signatures from extra_content, from the id, and on the first text part', () => {
    const signed = toolCallId('resp', 0, 'c2lnbmF0dXJlLW9uZQ==');
    const { contents } = convertMessages([
      { role: 'user', content: 'Go' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'A' },
          { type: 'text', text: 'B' },
        ],
        extra_content: { google: { thought_signature: 'dGV4dA==' } },
        tool_calls: [
          { ...call('plain', 'f'), extra_content: { google: { thought_signature: 'ZXh0cmE=' } } },
          call(signed, 'g'),
        ],
      },
    ]);
    expect(contents[1]!.parts).toEqual([
      { text: 'A', thoughtSignature: 'dGV4dA==' },
      { text: 'B' },
      { functionCall: { name: 'f', args: {} }, thoughtSignature: 'ZXh0cmE=' },
      { functionCall: { name: 'g', args: {} }, thoughtSignature: 'c2lnbmF0dXJlLW9uZQ==' },
    ]);
  });

  it('refuses a tool result that answers no call, and arguments that are not a JSON object', () => {
    const refused = (messages: unknown[]) => {
      try {
        convertMessages(messages);
      } catch (error) {
        return error as GatewayError;
      }
      throw new Error('expected a refusal');
    };
    const orphan = refused([
      { role: 'user', content: 'Go' },
      { role: 'tool', tool_call_id: 'nope', content: 'x' },
    ]);
    expect([orphan.status, orphan.code, orphan.param]).toEqual([
      400,
      'invalid_request',
      'messages[1].tool_call_id',
    ]);
    const broken = refused([
      {
        role: 'assistant',
        tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{"a":' } }],
      },
    ]);
    expect(broken.param).toBe('messages[0].tool_calls[0].function.arguments');
    expect(refused([{ role: 'assistant', tool_calls: [call('c', 'f', [1])] }]).code).toBe('invalid_request');
    expect(refused([{ role: 'wizard', content: 'x' }]).param).toBe('messages[0].role');
    expect(refused(['x']).param).toBe('messages[0]');
  });
});

describe('functionResponseBody', () => {
  it('sends a JSON object as it is, other JSON as {result}, and text as {content}', () => {
    expect(functionResponseBody('{"ok":true}')).toEqual({ ok: true });
    expect(functionResponseBody('[1]')).toEqual({ result: [1] });
    expect(functionResponseBody('42')).toEqual({ result: 42 });
    expect(functionResponseBody('null')).toEqual({ result: null });
    expect(functionResponseBody('sunny, 21°C')).toEqual({ content: 'sunny, 21°C' });
    expect(functionResponseBody('')).toEqual({ content: '' });
  });
});
