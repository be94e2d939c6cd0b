import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../../gateway/errors.ts';
import { anthropicMessagesFormat } from '../../../../../gateway/formats/anthropic-messages/index.ts';
import { anthropicInbound } from '../../../../../gateway/formats/anthropic-messages/inbound/index.ts';
import { validateChatRequest } from '../../../../../gateway/formats/openai-chat/request-schema.ts';
import type { JsonObject } from '../../../../../gateway/formats/types.ts';

const MODEL = 'gpt-5-mini';
const toHub = (body: JsonObject): JsonObject => anthropicInbound.request(body, { model: MODEL });
const messagesOf = (body: JsonObject): JsonObject[] => toHub(body)['messages'] as JsonObject[];

function refusal(body: JsonObject): GatewayError {
  try {
    toHub(body);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected the request to be refused');
}

const user = (content: unknown) => ({ role: 'user', content });
const assistant = (content: unknown) => ({ role: 'assistant', content });
const PNG = 'iVBORw0KGgo=';

describe('anthropicInbound.request: parameters', () => {
  it('maps the top-level fields and sets the model from the context', () => {
    expect(
      toHub({
        model: 'claude-sonnet-4-5',
        max_tokens: 1024,
        stop_sequences: ['END'],
        temperature: 0.2,
        top_p: 0.9,
        top_k: 40,
        stream: true,
        metadata: { user_id: 'user_abc_session_123' },
        service_tier: 'auto',
        messages: [user('Hi')],
      }),
    ).toEqual({
      model: MODEL,
      messages: [{ role: 'user', content: 'Hi' }],
      max_completion_tokens: 1024,
      stop: ['END'],
      temperature: 0.2,
      top_p: 0.9,
      stream: true,
      stream_options: { include_usage: true },
      user: 'user_abc_session_123',
    });
  });

  it('passes the hub’s own validation', () => {
    expect(() =>
      validateChatRequest(
        toHub({
          max_tokens: 10,
          system: 'Be brief.',
          tools: [{ name: 'a', input_schema: { type: 'object' } }],
          tool_choice: { type: 'any', disable_parallel_tool_use: true },
          thinking: { type: 'enabled', budget_tokens: 2000 },
          messages: [user('Hi')],
        }),
      ),
    ).not.toThrow();
  });

  it.each([
    [{ type: 'enabled', budget_tokens: 1024 }, undefined, 'low'],
    [{ type: 'enabled', budget_tokens: 4000 }, undefined, 'low'],
    [{ type: 'enabled', budget_tokens: 10000 }, undefined, 'medium'],
    [{ type: 'enabled', budget_tokens: 31999 }, undefined, 'high'],
    [{ type: 'adaptive' }, { effort: 'low' }, 'low'],
    [{ type: 'adaptive' }, { effort: 'max' }, 'high'],
    [{ type: 'adaptive' }, undefined, undefined],
    [{ type: 'disabled' }, undefined, undefined],
  ])('thinking %j with output_config %j → reasoning_effort %s', (thinking, outputConfig, effort) => {
    const hub = toHub({ messages: [user('Hi')], thinking, output_config: outputConfig });
    expect(hub['reasoning_effort']).toBe(effort);
  });

  it('carries structured outputs as a strict json_schema', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] };
    expect(
      toHub({ messages: [user('Hi')], output_config: { format: { type: 'json_schema', schema } } }),
    ).toMatchObject({
      response_format: { type: 'json_schema', json_schema: { name: 'response', schema, strict: true } },
    });
  });
});

describe('anthropicInbound.request: system and messages', () => {
  it('takes system as a string or as text blocks, cache_control dropped', () => {
    expect(messagesOf({ system: 'Be brief.', messages: [user('Hi')] })[0]).toEqual({
      role: 'system',
      content: 'Be brief.',
    });
    expect(
      messagesOf({
        system: [
          { type: 'text', text: 'You are Claude Code.' },
          { type: 'text', text: 'Rules.', cache_control: { type: 'ephemeral', ttl: '1h' } },
        ],
        messages: [user('Hi')],
      })[0],
    ).toEqual({ role: 'system', content: 'You are Claude Code.\n\nRules.' });
  });

  it('takes a system-role message inside messages as a system message (Claude Code, non-Claude model names)', () => {
    expect(
      messagesOf({
        messages: [{ role: 'system', content: [{ type: 'text', text: 'Be terse.' }] }, user('Hi')],
      }),
    ).toEqual([
      { role: 'system', content: 'Be terse.' },
      { role: 'user', content: 'Hi' },
    ]);
  });

  it('joins text blocks, keeps images (base64 and url) and documents as parts', () => {
    expect(
      messagesOf({
        messages: [
          user([
            { type: 'text', text: 'Look:', cache_control: { type: 'ephemeral' } },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/a.jpg' } },
            {
              type: 'document',
              title: 'spec.pdf',
              source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' },
            },
            {
              type: 'document',
              title: 'notes',
              source: { type: 'text', media_type: 'text/plain', data: 'hello' },
            },
          ]),
        ],
      }),
    ).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Look:' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
          { type: 'image_url', image_url: { url: 'https://example.com/a.jpg' } },
          { type: 'file', file: { filename: 'spec.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' } },
          { type: 'text', text: 'notes\n\nhello' },
        ],
      },
    ]);
    expect(
      messagesOf({
        messages: [
          user([
            { type: 'text', text: 'a' },
            { type: 'text', text: 'b' },
          ]),
        ],
      }),
    ).toEqual([{ role: 'user', content: 'a\n\nb' }]);
  });

  it('turns tool_use into tool calls and tool_result into tool messages right after, then the turn’s text', () => {
    expect(
      messagesOf({
        messages: [
          user('Weather in Paris and Rome?'),
          assistant([
            { type: 'thinking', thinking: 'Two calls.', signature: 'sig' },
            { type: 'redacted_thinking', data: 'opaque' },
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } },
            { type: 'tool_use', id: 'toolu_2', name: 'weather', input: { city: 'Rome' } },
          ]),
          user([
            {
              type: 'tool_result',
              tool_use_id: 'toolu_1',
              content: 'sunny',
              cache_control: { type: 'ephemeral' },
            },
            {
              type: 'tool_result',
              tool_use_id: 'toolu_2',
              is_error: true,
              content: [{ type: 'text', text: 'service down' }],
            },
            { type: 'text', text: 'Thanks.' },
          ]),
        ],
      }),
    ).toEqual([
      { role: 'user', content: 'Weather in Paris and Rome?' },
      {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [
          { id: 'toolu_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
          { id: 'toolu_2', type: 'function', function: { name: 'weather', arguments: '{"city":"Rome"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'toolu_1', content: 'sunny' },
      { role: 'tool', tool_call_id: 'toolu_2', content: 'Error: service down' },
      { role: 'user', content: 'Thanks.' },
    ]);
  });

  it('moves a tool result’s images into the user turn after the results', () => {
    const image = { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } };
    expect(
      messagesOf({
        messages: [
          user('Read it'),
          assistant([{ type: 'tool_use', id: 't', name: 'Read', input: {} }]),
          user([
            { type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: 'an image' }, image] },
          ]),
        ],
      }).slice(1),
    ).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 't', type: 'function', function: { name: 'Read', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 't', content: 'an image' },
      { role: 'user', content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }] },
    ]);
  });

  it('drops an assistant turn of thinking alone and server-tool blocks', () => {
    expect(
      messagesOf({
        messages: [
          user('Hi'),
          assistant([{ type: 'thinking', thinking: 'hm', signature: 's' }]),
          assistant([
            { type: 'server_tool_use', id: 'srv', name: 'web_search', input: { query: 'x' } },
            { type: 'web_search_tool_result', tool_use_id: 'srv', content: [] },
            { type: 'text', text: 'Found it.' },
          ]),
        ],
      }),
    ).toEqual([
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Found it.' },
    ]);
  });

  it.each([
    [{ messages: 'Hi' }, 'messages'],
    [{}, 'messages'],
    [{ messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].role'],
    [{ messages: [user([{ type: 'hologram', data: 'x' }])] }, 'messages[0].content[0].type'],
    [
      { messages: [user([{ type: 'image', source: { type: 'file', file_id: 'f' } }])] },
      'messages[0].content[0].source',
    ],
    [
      { messages: [user([{ type: 'document', source: { type: 'url', url: 'https://x/a.pdf' } }])] },
      'messages[0].content[0].source',
    ],
    [{ messages: [user([{ type: 'tool_result', content: 'x' }])] }, 'messages[0].content[0].tool_use_id'],
  ])('refuses what cannot be read: %j (%s)', (body, param) => {
    const error = refusal(body as JsonObject);
    expect(error.status).toBe(400);
    expect(error.type).toBe('invalid_request_error');
    expect(error.param).toBe(param);
  });

  it('reads an unknown block type that carries text as text', () => {
    expect(messagesOf({ messages: [user([{ type: 'future_text', text: 'hello' }])] })).toEqual([
      { role: 'user', content: 'hello' },
    ]);
  });
});

describe('anthropicInbound.request: tools', () => {
  it('maps custom tools, removes $schema, drops server tools and cache_control', () => {
    const hub = toHub({
      messages: [user('Hi')],
      tools: [
        {
          name: 'Bash',
          description: 'Run a command',
          input_schema: {
            $schema: 'http://json-schema.org/draft-07/schema#',
            type: 'object',
            properties: { command: { type: 'string' }, $schema: { type: 'string' } },
            required: ['command'],
            additionalProperties: false,
          },
          cache_control: { type: 'ephemeral' },
        },
        { type: 'custom', name: 'noop', input_schema: { type: 'object' } },
        { type: 'web_search_20250305', name: 'web_search', max_uses: 3 },
      ],
    });
    expect(hub['tools']).toEqual([
      {
        type: 'function',
        function: {
          name: 'Bash',
          description: 'Run a command',
          parameters: {
            type: 'object',
            properties: { command: { type: 'string' }, $schema: { type: 'string' } },
            required: ['command'],
            additionalProperties: false,
          },
        },
      },
      { type: 'function', function: { name: 'noop', parameters: { type: 'object' } } },
    ]);
  });

  it.each([
    [{ type: 'auto' }, { tool_choice: 'auto' }],
    [{ type: 'any' }, { tool_choice: 'required' }],
    [{ type: 'none' }, { tool_choice: 'none' }],
    [{ type: 'tool', name: 'a' }, { tool_choice: { type: 'function', function: { name: 'a' } } }],
    [
      { type: 'auto', disable_parallel_tool_use: true },
      { tool_choice: 'auto', parallel_tool_calls: false },
    ],
  ])('tool_choice %j → %j', (choice, expected) => {
    const hub = toHub({
      messages: [user('Hi')],
      tools: [{ name: 'a', input_schema: { type: 'object' } }],
      tool_choice: choice,
    });
    expect({ tool_choice: hub['tool_choice'], parallel_tool_calls: hub['parallel_tool_calls'] }).toEqual({
      parallel_tool_calls: undefined,
      ...expected,
    });
  });

  it('sends no tool_choice without tools, and refuses forcing a tool that is not offered', () => {
    const hub = toHub({ messages: [user('Hi')], tool_choice: { type: 'any' } });
    expect(hub['tool_choice']).toBeUndefined();
    const error = refusal({
      messages: [user('Hi')],
      tools: [
        { name: 'a', input_schema: {} },
        { type: 'web_search_20250305', name: 'web_search' },
      ],
      tool_choice: { type: 'tool', name: 'web_search' },
    });
    expect(error.param).toBe('tool_choice.name');
  });
});

describe('anthropicInbound.request: round trip through the outbound direction', () => {
  it('keeps messages, tools and tool results equivalent', () => {
    const original = {
      model: 'claude-sonnet-4-5',
      max_tokens: 2048,
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
      tools: [
        {
          name: 'weather',
          description: 'Weather for a city',
          input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      ],
      tool_choice: { type: 'auto', disable_parallel_tool_use: true },
      stop_sequences: ['STOP'],
      messages: [
        user('Weather in Paris?'),
        assistant([
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } },
        ]),
        user([
          { type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' },
          { type: 'text', text: 'And tomorrow?' },
        ]),
      ],
    };
    const hub = anthropicInbound.request(original, { model: 'claude-sonnet-4-5' });
    validateChatRequest(hub);
    const back = anthropicMessagesFormat.chat.request(hub, {
      model: 'claude-sonnet-4-5',
      stream: false,
      defaultMaxTokens: 64000,
    });
    expect(back).toMatchObject({
      model: 'claude-sonnet-4-5',
      max_tokens: 2048,
      system: [{ type: 'text', text: 'Be brief.' }],
      stop_sequences: ['STOP'],
      tools: [original.tools[0]],
      tool_choice: { type: 'auto', disable_parallel_tool_use: true },
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' },
            { type: 'text', text: 'And tomorrow?' },
          ],
        },
      ],
    });
  });
});
