import { describe, expect, it } from 'vitest';
import { openAiErrorBody } from '../../../../gateway/errors.ts';
import {
  expandPrevious,
  notFoundError,
  previousNotFoundError,
  storedRecord,
  type ResponseRecord,
} from '../../../../gateway/formats/openai-responses/previous.ts';
import type { JsonObject } from '../../../../gateway/formats/types.ts';
import { fixtureJson } from '../../../support/fixtures.ts';
import { inbound } from './support.ts';

/** OpenAI's answer to a turn (a reasoning item with encrypted content, then a message), recorded. */
const recorded = fixtureJson('openai/responses/openai-reasoning-encrypted-content.1.json') as JsonObject;

const SHELL = {
  type: 'function',
  name: 'shell',
  parameters: { type: 'object', properties: { command: { type: 'array' } } },
};

const call = {
  id: 'fc_1',
  type: 'function_call',
  status: 'completed',
  call_id: 'call_1',
  name: 'shell',
  arguments: '{"command":["ls"]}',
};

const answer = (id: string, output: JsonObject[]): JsonObject => ({
  id,
  object: 'response',
  created_at: 1_765_591_383,
  status: 'completed',
  model: 'claude-sonnet-4-5',
  output,
  usage: { input_tokens: 40, output_tokens: 9, total_tokens: 49 },
});

const message = (id: string, text: string): JsonObject => ({
  id,
  type: 'message',
  status: 'completed',
  role: 'assistant',
  content: [{ type: 'output_text', text, annotations: [] }],
});

const user = (text: string): JsonObject => ({
  type: 'message',
  role: 'user',
  content: [{ type: 'input_text', text }],
});

describe('previous_response_id', () => {
  it('continues a text turn: its input, its output, then the new input; instructions not carried', () => {
    const first = {
      model: 'gpt-5-mini',
      instructions: 'Show your steps.',
      input: 'What is (12 + 7) × 3 × 10?',
    };
    const record = storedRecord(first, recorded);
    expect(record).toEqual({
      input: [user('What is (12 + 7) × 3 × 10?')],
      output: recorded['output'],
      instructions: 'Show your steps.',
      model: 'gpt-5-mini-2025-08-07',
      status: 'completed',
      usage: recorded['usage'],
    });

    const next = expandPrevious(
      { model: 'gpt-5-mini', previous_response_id: recorded['id'], input: 'And halved?', store: true },
      record,
    );
    expect(next).toEqual({
      model: 'gpt-5-mini',
      input: [
        user('What is (12 + 7) × 3 × 10?'),
        ...(recorded['output'] as JsonObject[]),
        user('And halved?'),
      ],
      store: true,
    });
    // The reasoning item travels with its encrypted content, for the vendor that can use it.
    expect((next['input'] as JsonObject[])[1]).toMatchObject({
      type: 'reasoning',
      encrypted_content: expect.any(String),
    });
    // The hub reads the previous answer as the assistant's.
    expect(inbound.request(next, { model: 'claude-sonnet-4-5' })['messages']).toEqual([
      { role: 'user', content: 'What is (12 + 7) × 3 × 10?' },
      { role: 'assistant', content: '12 + 7 = 19\n19 × 3 = 57\n57 × 10 = 570\n\nFinal result: 570' },
      { role: 'user', content: 'And halved?' },
    ]);
  });

  it('takes the new request’s instructions, never the previous ones', () => {
    const record = storedRecord(
      { instructions: 'Old rules.', input: 'hi' },
      answer('resp_1', [message('msg_1', 'hello')]),
    );
    const next = expandPrevious(
      { previous_response_id: 'resp_1', instructions: 'New rules.', input: 'again' },
      record,
    );
    expect(next['instructions']).toBe('New rules.');
    expect(inbound.request(next, { model: 'm' })['messages']).toEqual([
      { role: 'system', content: 'New rules.' },
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hello' },
      { role: 'user', content: 'again' },
    ]);
  });

  it('continues a function call with its output', () => {
    const first = { model: 'm', input: [user('List the files.')], tools: [SHELL] };
    const record = storedRecord(first, answer('resp_1', [call]));
    const next = expandPrevious(
      {
        model: 'm',
        previous_response_id: 'resp_1',
        input: [{ type: 'function_call_output', call_id: 'call_1', output: 'a.txt\nb.txt' }],
        tools: [SHELL],
      },
      record,
    );
    expect(next['input']).toEqual([
      user('List the files.'),
      call,
      { type: 'function_call_output', call_id: 'call_1', output: 'a.txt\nb.txt' },
    ]);
    expect(inbound.request(next, { model: 'm' })['messages']).toEqual([
      { role: 'user', content: 'List the files.' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'shell', arguments: '{"command":["ls"]}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'a.txt\nb.txt' },
    ]);
  });

  it('chains: each record holds the whole conversation, so the third turn needs only the second', () => {
    const first = { model: 'm', input: 'List the files.', tools: [SHELL] };
    const one = storedRecord(first, answer('resp_1', [call]));

    const second = expandPrevious(
      {
        model: 'm',
        previous_response_id: 'resp_1',
        input: [{ type: 'function_call_output', call_id: 'call_1', output: 'a.txt' }],
      },
      one,
    );
    const two = storedRecord(second, answer('resp_2', [message('msg_2', 'There is a.txt.')]));

    const third = expandPrevious({ model: 'm', previous_response_id: 'resp_2', input: 'Thanks.' }, two);
    expect(third['input']).toEqual([
      user('List the files.'),
      call,
      { type: 'function_call_output', call_id: 'call_1', output: 'a.txt' },
      message('msg_2', 'There is a.txt.'),
      user('Thanks.'),
    ]);
    expect(third).not.toHaveProperty('previous_response_id');
  });

  it('copies: changing the expanded request leaves the record as stored', () => {
    const record = storedRecord({ input: 'hi' }, answer('resp_1', [message('msg_1', 'hello')]));
    const kept = structuredClone(record);
    const next = expandPrevious({ previous_response_id: 'resp_1' }, record);
    ((next['input'] as JsonObject[])[1]!['content'] as JsonObject[])[0]!['text'] = 'changed';
    expect(record).toEqual(kept);
    // No input of its own: the previous turn alone.
    expect(next['input']).toHaveLength(2);
  });

  it('stores what a response without output or usage has', () => {
    const record: ResponseRecord = storedRecord(
      { model: 'm', input: [] },
      { id: 'resp_1', status: 'incomplete' },
    );
    expect(record).toEqual({
      input: [],
      output: [],
      instructions: null,
      model: 'm',
      status: 'incomplete',
      usage: null,
    });
  });
});

describe('errors for ids not stored', () => {
  it('GET and DELETE: 404 as OpenAI words it', () => {
    const error = notFoundError('resp_gone');
    expect(error.status).toBe(404);
    expect(openAiErrorBody(error)).toEqual({
      error: {
        message: "Response with id 'resp_gone' not found.",
        type: 'invalid_request_error',
        param: null,
        code: 'not_found',
      },
    });
  });

  it('a create with an unknown previous_response_id: 400 previous_response_not_found', () => {
    const error = previousNotFoundError('resp_gone');
    expect(error.status).toBe(400);
    expect(openAiErrorBody(error)).toEqual({
      error: {
        message: "Previous response with id 'resp_gone' not found.",
        type: 'invalid_request_error',
        param: 'previous_response_id',
        code: 'previous_response_not_found',
      },
    });
  });
});
