import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../gateway/errors.ts';
import { validateChatRequest } from '../../../../gateway/formats/openai-chat/index.ts';
import { droppedTools, openAiResponsesFormat } from '../../../../gateway/formats/openai-responses/index.ts';
import type { JsonObject } from '../../../../gateway/formats/types.ts';
import { inbound } from './support.ts';

const PDF = 'data:application/pdf;base64,JVBERi0xLjQK';

/** A request as Codex sends one on its second turn: instructions, history, a call and its output. */
const codexRequest = (): JsonObject => ({
  model: 'gpt-5-codex',
  instructions: 'You are Codex.',
  input: [
    { type: 'message', role: 'developer', content: [{ type: 'input_text', text: '<permissions>' }] },
    {
      type: 'message',
      role: 'user',
      content: [
        { type: 'input_text', text: 'List the files, and read this:' },
        { type: 'input_image', image_url: 'https://example.test/a.png', detail: 'low' },
        { type: 'input_file', filename: 'a.pdf', file_data: PDF },
      ],
    },
    { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'gAAAA' },
    { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Looking.' }] },
    { type: 'function_call', call_id: 'call_1', name: 'shell', arguments: '{"command":["ls"]}' },
    { type: 'function_call_output', call_id: 'call_1', output: 'a.txt\nb.txt' },
    { type: 'web_search_call', id: 'ws_1', status: 'completed' },
  ],
  tools: [
    {
      type: 'function',
      name: 'shell',
      description: 'Runs a command.',
      parameters: { type: 'object', properties: {} },
      strict: false,
    },
    { type: 'web_search' },
    { type: 'custom', name: 'apply_patch', format: { type: 'grammar' } },
    { type: 'local_shell' },
    { type: 'namespace', name: 'mcp', tools: [] },
  ],
  tool_choice: 'auto',
  parallel_tool_calls: false,
  reasoning: { effort: 'high', summary: 'auto' },
  store: false,
  stream: true,
  include: ['reasoning.encrypted_content'],
  prompt_cache_key: 'session-1',
  text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true } },
  max_output_tokens: 2000,
  temperature: 0.5,
  top_p: 0.9,
  user: 'u1',
  metadata: { a: '1' },
});

function refusal(run: () => unknown): GatewayError {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

describe('a Responses request → the hub (inbound)', () => {
  it('carries a Codex turn: instructions, roles, parts, the call and its output, and the settings', () => {
    const hub = inbound.request(codexRequest(), { model: 'claude-sonnet-4-5' });
    expect(hub).toEqual({
      model: 'claude-sonnet-4-5',
      messages: [
        { role: 'system', content: 'You are Codex.' },
        { role: 'system', content: '<permissions>' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'List the files, and read this:' },
            { type: 'image_url', image_url: { url: 'https://example.test/a.png', detail: 'low' } },
            { type: 'file', file: { filename: 'a.pdf', file_data: PDF } },
          ],
        },
        {
          role: 'assistant',
          content: 'Looking.',
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'shell', arguments: '{"command":["ls"]}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'a.txt\nb.txt' },
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'shell',
            description: 'Runs a command.',
            parameters: { type: 'object', properties: {} },
            strict: false,
          },
        },
      ],
      tool_choice: 'auto',
      parallel_tool_calls: false,
      reasoning_effort: 'high',
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'answer', schema: { type: 'object' }, strict: true },
      },
      max_completion_tokens: 2000,
      temperature: 0.5,
      top_p: 0.9,
      stream: true,
      stream_options: { include_usage: true },
      user: 'u1',
      metadata: { a: '1' },
    });
    // What comes out is a request the hub's own validation takes.
    expect(() => validateChatRequest(hub)).not.toThrow();
  });

  it('names the tools it leaves out, and never refuses them', () => {
    expect(droppedTools(codexRequest())).toEqual([
      'web_search',
      'custom:apply_patch',
      'local_shell',
      'namespace:mcp',
    ]);
    const onlyHosted = { input: 'hi', tools: [{ type: 'web_search' }], tool_choice: { type: 'web_search' } };
    expect(inbound.request(onlyHosted, { model: 'm' })).toEqual({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
    });
  });

  it('takes a string input, a forced function and parallel calls of one turn into one assistant message', () => {
    const hub = inbound.request(
      {
        input: [
          { role: 'user', content: 'weather?' },
          { type: 'function_call', call_id: 'a', name: 'w', arguments: '{"c":1}' },
          { type: 'function_call', call_id: 'b', name: 'w', arguments: '{"c":2}' },
          {
            type: 'function_call_output',
            call_id: 'a',
            output: [
              { type: 'input_text', text: 'sunny' },
              { type: 'input_image', image_url: 'data:image/png;base64,AA' },
            ],
          },
          { type: 'function_call_output', call_id: 'b', output: 'rain' },
        ],
        tools: [{ type: 'function', name: 'w', parameters: null }],
        tool_choice: { type: 'function', name: 'w' },
      },
      { model: 'm' },
    );
    expect(hub['messages']).toEqual([
      { role: 'user', content: 'weather?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'a', type: 'function', function: { name: 'w', arguments: '{"c":1}' } },
          { id: 'b', type: 'function', function: { name: 'w', arguments: '{"c":2}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'a', content: 'sunny' },
      { role: 'tool', tool_call_id: 'b', content: 'rain' },
      { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AA' } }] },
    ]);
    expect(hub['tool_choice']).toEqual({ type: 'function', function: { name: 'w' } });
    expect(hub['tools']).toEqual([
      { type: 'function', function: { name: 'w', parameters: { type: 'object', properties: {} } } },
    ]);
    expect(inbound.request({ input: 'hi' }, { model: 'm' })['messages']).toEqual([
      { role: 'user', content: 'hi' },
    ]);
  });

  it('is a 400 naming the field for what cannot be carried', () => {
    expect(
      refusal(() =>
        inbound.request(
          { input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file-1' }] }] },
          { model: 'm' },
        ),
      ),
    ).toMatchObject({ status: 400, param: 'input[0].content[0].image_url' });
    expect(
      refusal(() =>
        inbound.request(
          { input: [{ role: 'user', content: [{ type: 'input_file', file_url: 'https://x' }] }] },
          { model: 'm' },
        ),
      ),
    ).toMatchObject({ status: 400, param: 'input[0].content[0].file_data' });
    expect(
      refusal(() => inbound.request({ input: [{ role: 'tool', content: 'x' }] }, { model: 'm' })),
    ).toMatchObject({
      status: 400,
      param: 'input[0].role',
    });
  });
});

describe('validate', () => {
  const validate = (body: JsonObject) => openAiResponsesFormat.validate(body, 'chat');

  it('takes a string, a list of items, or no input', () => {
    expect(() => validate(codexRequest())).not.toThrow();
    expect(() => validate({ model: 'm', input: 'hi' })).not.toThrow();
    expect(() => validate({ model: 'm', previous_response_id: 'resp_1' })).not.toThrow();
  });

  it('is a 400 for input or tools of the wrong type', () => {
    expect(refusal(() => validate({ input: 3 }))).toMatchObject({
      status: 400,
      code: 'invalid_request',
      param: 'input',
    });
    expect(refusal(() => validate({ input: 'x', tools: {} }))).toMatchObject({ status: 400, param: 'tools' });
    expect(refusal(() => validate({ input: 'x', temperature: 'hot' }))).toMatchObject({
      status: 400,
      param: 'temperature',
    });
  });
});

describe('the hub → a Responses request (chat.request)', () => {
  const context = { model: 'gpt-5', stream: true, defaultMaxTokens: 4096 };

  it('carries messages, tools and settings, and stores nothing upstream', () => {
    const request = openAiResponsesFormat.chat.request(
      {
        model: 'x',
        messages: [
          { role: 'system', content: 'Be brief.' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'hi' },
              { type: 'image_url', image_url: { url: 'https://i' } },
            ],
          },
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }],
          },
          { role: 'tool', tool_call_id: 'c1', content: 'done' },
        ],
        tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
        tool_choice: { type: 'function', function: { name: 'f' } },
        max_tokens: 100,
        reasoning_effort: 'low',
        response_format: { type: 'json_schema', json_schema: { name: 'r', schema: { type: 'object' } } },
      },
      context,
    );
    expect(request).toEqual({
      model: 'gpt-5',
      store: false,
      stream: true,
      input: [
        { type: 'message', role: 'system', content: 'Be brief.' },
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'hi' },
            { type: 'input_image', image_url: 'https://i', detail: 'auto' },
          ],
        },
        { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: 'done' },
      ],
      tools: [{ type: 'function', name: 'f', parameters: { type: 'object' } }],
      tool_choice: { type: 'function', name: 'f' },
      max_output_tokens: 100,
      reasoning: { effort: 'low' },
      text: { format: { type: 'json_schema', name: 'r', schema: { type: 'object' } } },
    });
  });

  it('refuses what the Responses API cannot honour', () => {
    expect(refusal(() => openAiResponsesFormat.chat.request({ messages: [], n: 2 }, context))).toMatchObject({
      status: 400,
      code: 'unsupported_parameter',
      param: 'n',
    });
    expect(
      refusal(() => openAiResponsesFormat.chat.request({ messages: [], stop: ['x'] }, context)),
    ).toMatchObject({ param: 'stop' });
  });
});
