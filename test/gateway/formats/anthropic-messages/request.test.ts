import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../gateway/errors.ts';
import { CONVERSATION_START } from '../../../../gateway/formats/anthropic-messages/convert-messages.ts';
import type { MessagesRequest } from '../../../../gateway/formats/anthropic-messages/messages-request.ts';
import { toAnthropicRequest } from '../../../../gateway/formats/anthropic-messages/request.ts';
import { validateChatRequest } from '../../../../gateway/formats/openai-chat/request-schema.ts';
import { RESPONSE_FORMAT_TOOL } from '../../../../gateway/formats/anthropic-messages/response-format.ts';
import { THINKING_BUDGETS } from '../../../../gateway/formats/anthropic-messages/thinking.ts';
import type { ChatCallContext, JsonObject } from '../../../../gateway/formats/types.ts';

const CONTEXT: ChatCallContext = { model: 'claude-sonnet-4-5', stream: false, defaultMaxTokens: 64000 };

/** A request as the pipeline translates it: validated for every route, then translated. */
function translate(body: JsonObject, context: Partial<ChatCallContext> = {}): MessagesRequest {
  validateChatRequest(body);
  return toAnthropicRequest(body, { ...CONTEXT, ...context });
}

/** The GatewayError a translation throws. */
function refusal(body: JsonObject, context: Partial<ChatCallContext> = {}): GatewayError {
  try {
    translate(body, context);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected the translation to refuse the request');
}

const user = (content: unknown) => ({ role: 'user', content });
const assistant = (content: unknown, extra: JsonObject = {}) => ({ role: 'assistant', content, ...extra });
const call = (id: string, name: string, args: unknown) => ({
  id,
  type: 'function',
  function: { name, arguments: args },
});
const toolMessage = (id: string, content: unknown) => ({ role: 'tool', tool_call_id: id, content });
const weather = {
  type: 'function',
  function: { name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};
const signed = { type: 'thinking', thinking: 'Let me think.', signature: 'sig-1' };

describe('the basics', () => {
  it('sends the model, the messages and max_tokens', () => {
    const body = toAnthropicRequest({ model: 'ignored', messages: [user('Hi')] }, CONTEXT);
    expect(body).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 64000,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
    });
  });

  it('takes max_completion_tokens, then max_tokens, then the default', () => {
    expect(
      translate({ messages: [user('Hi')], max_completion_tokens: 100, max_tokens: 200 }).max_tokens,
    ).toBe(100);
    expect(translate({ messages: [user('Hi')], max_tokens: 200 }).max_tokens).toBe(200);
    expect(
      translate({ messages: [user('Hi')], max_tokens: null }, { defaultMaxTokens: 4096 }).max_tokens,
    ).toBe(4096);
  });

  it('refuses a max_tokens that is not a positive integer', () => {
    for (const value of [0, -5, 1.5, '100']) {
      expect(refusal({ messages: [user('Hi')], max_tokens: value })).toMatchObject({
        status: 400,
        code: 'invalid_request',
        param: 'max_tokens',
      });
    }
  });

  it('streams when the call streams', () => {
    expect(translate({ messages: [user('Hi')], stream: true }, { stream: true }).stream).toBe(true);
    expect(translate({ messages: [user('Hi')] }).stream).toBeUndefined();
  });

  it('refuses a request without messages, or with an unknown role', () => {
    expect(refusal({})).toMatchObject({ status: 400, code: 'invalid_request', param: 'messages' });
    expect(refusal({ messages: [] })).toMatchObject({ status: 400, param: 'messages' });
    expect(refusal({ messages: [{ role: 'constructor', content: 'x' }] })).toMatchObject({ status: 400 });
    expect(refusal({ messages: [{ role: 'robot', content: 'x' }] })).toMatchObject({
      status: 400,
      param: 'messages[0].role',
    });
    expect(refusal({ messages: [{ role: 'function', name: 'f', content: 'x' }] })).toMatchObject({
      status: 400,
      code: 'unsupported_parameter',
    });
    expect(refusal({ messages: [{ role: 'user' }] })).toMatchObject({
      status: 400,
      param: 'messages[0].content',
    });
  });
});

describe('system and developer messages', () => {
  it('go to system as text blocks, in their order, wherever they stand', () => {
    const out = translate({
      messages: [
        { role: 'system', content: 'Be brief.' },
        user('Hi'),
        {
          role: 'developer',
          content: [
            { type: 'text', text: 'Use metric units.' },
            { type: 'text', text: '  ' },
          ],
        },
        assistant('Hello'),
        { role: 'system', content: '' },
        user('Weather?'),
      ],
    });
    expect(out.system).toEqual([
      { type: 'text', text: 'Be brief.' },
      { type: 'text', text: 'Use metric units.' },
    ]);
    expect(out.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
  });

  it('take text only', () => {
    expect(
      refusal({
        messages: [
          { role: 'system', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] },
          user('x'),
        ],
      }),
    ).toMatchObject({ status: 400, code: 'invalid_request' });
  });
});

describe('turns', () => {
  it('merges consecutive messages of the same role', () => {
    const out = translate({
      messages: [user('a'), user([{ type: 'text', text: 'b' }]), assistant('c'), assistant('d'), user('e')],
    });
    expect(out.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'a' },
          { type: 'text', text: 'b' },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'c' },
          { type: 'text', text: 'd' },
        ],
      },
      { role: 'user', content: [{ type: 'text', text: 'e' }] },
    ]);
  });

  it('puts a user turn before a conversation that starts with the assistant, keeping its words', () => {
    const out = translate({
      messages: [{ role: 'system', content: 'S' }, assistant('How can I help?'), user('Weather?')],
    });
    expect(out.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: CONVERSATION_START }] },
      { role: 'assistant', content: [{ type: 'text', text: 'How can I help?' }] },
      { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
    ]);
  });

  it('puts the same user turn in a conversation of system messages only', () => {
    expect(translate({ messages: [{ role: 'system', content: 'Greet the user.' }] }).messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: CONVERSATION_START }] },
    ]);
  });

  it('leaves out empty and blank messages, and merges what is left', () => {
    const out = translate({
      messages: [user('a'), assistant(''), assistant(null), user('  '), user('b'), assistant([])],
    });
    expect(out.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'a' },
          { type: 'text', text: 'b' },
        ],
      },
    ]);
  });

  it('keeps a final assistant message as a prefill, without the trailing whitespace Anthropic refuses', () => {
    expect(translate({ messages: [user('Count'), assistant('One, two, ')] }).messages.at(-1)).toEqual({
      role: 'assistant',
      content: [{ type: 'text', text: 'One, two,' }],
    });
    expect(translate({ messages: [user('Count'), assistant(' \n')] }).messages).toHaveLength(1);
  });

  it('carries refusal parts of assistant messages as text', () => {
    const out = translate({
      messages: [user('x'), assistant([{ type: 'refusal', refusal: 'No.' }]), user('ok')],
    });
    expect(out.messages[1]).toEqual({ role: 'assistant', content: [{ type: 'text', text: 'No.' }] });
  });
});

describe('user content', () => {
  it('carries text, base64 images and image URLs', () => {
    const out = translate({
      messages: [
        user([
          { type: 'text', text: 'Look' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'high' } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
        ]),
      ],
    });
    expect(out.messages[0]!.content).toEqual([
      { type: 'text', text: 'Look' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
    ]);
  });

  it('refuses images Anthropic cannot read, and URLs that are neither http nor data', () => {
    const image = (url: string) => ({ messages: [user([{ type: 'image_url', image_url: { url } }])] });
    expect(refusal(image('data:image/svg+xml;base64,PHN2Zz4='))).toMatchObject({
      code: 'unsupported_parameter',
      param: 'messages[0].content[0]',
    });
    expect(refusal(image('data:image/png,notbase64'))).toMatchObject({ code: 'invalid_request' });
    expect(refusal(image('file:///etc/passwd'))).toMatchObject({ code: 'invalid_request' });
  });

  it('carries inline PDFs and text files as documents, and images sent as files as images', () => {
    const out = translate({
      messages: [
        user([
          {
            type: 'file',
            file: { filename: 'report.pdf', file_data: 'data:application/pdf;base64,JVBERi0x' },
          },
          {
            type: 'file',
            file: { file_data: `data:text/plain;base64,${Buffer.from('héllo').toString('base64')}` },
          },
          { type: 'file', file: { filename: 'scan.pdf', file_data: 'JVBERi0y' } },
          { type: 'file', file: { file_data: 'data:image/jpeg;base64,/9j/' } },
        ]),
      ],
    });
    expect(out.messages[0]!.content).toEqual([
      {
        type: 'document',
        source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0x' },
        title: 'report.pdf',
      },
      { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'héllo' } },
      {
        type: 'document',
        source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0y' },
        title: 'scan.pdf',
      },
      { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/' } },
    ]);
  });

  it('refuses audio, file ids, other file types and unknown parts', () => {
    const withPart = (part: unknown) => ({ messages: [user([{ type: 'text', text: 'x' }, part])] });
    expect(
      refusal(withPart({ type: 'input_audio', input_audio: { data: 'AAA', format: 'wav' } })),
    ).toMatchObject({
      status: 400,
      code: 'unsupported_parameter',
      param: 'messages[0].content[1]',
    });
    expect(refusal(withPart({ type: 'file', file: { file_id: 'file-abc' } }))).toMatchObject({
      code: 'unsupported_parameter',
    });
    expect(
      refusal(withPart({ type: 'file', file: { file_data: 'data:application/zip;base64,UEs=' } })),
    ).toMatchObject({
      code: 'unsupported_parameter',
    });
    expect(refusal(withPart({ type: 'video', video: {} }))).toMatchObject({ code: 'invalid_request' });
  });
});

describe('tools', () => {
  it('become Anthropic tools; a function without parameters takes an empty object', () => {
    const out = translate({
      messages: [user('x')],
      tools: [
        {
          type: 'function',
          function: {
            name: 'weather',
            description: 'The weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          },
        },
        { type: 'function', function: { name: 'now' } },
      ],
    });
    expect(out.tools).toEqual([
      {
        name: 'weather',
        description: 'The weather',
        input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
      { name: 'now', input_schema: { type: 'object', properties: {} } },
    ]);
    expect(out.tool_choice).toBeUndefined();
  });

  it('carry strict where the model has structured outputs', () => {
    const strictTool = {
      type: 'function',
      function: {
        name: 'f',
        strict: true,
        parameters: { type: 'object', properties: {}, additionalProperties: false },
      },
    };
    expect(translate({ messages: [user('x')], tools: [strictTool] }).tools![0]!.strict).toBe(true);
    expect(
      translate({ messages: [user('x')], tools: [strictTool] }, { model: 'claude-opus-4-1' }).tools![0]!
        .strict,
    ).toBeUndefined();
  });

  it('refuses tools that are not functions, duplicate names and non-object parameters', () => {
    expect(
      refusal({ messages: [user('x')], tools: [{ type: 'custom', custom: { name: 'grammar' } }] }),
    ).toMatchObject({
      code: 'unsupported_parameter',
      param: 'tools[0]',
    });
    expect(refusal({ messages: [user('x')], tools: [weather, weather] })).toMatchObject({
      code: 'invalid_request',
    });
    expect(
      refusal({
        messages: [user('x')],
        tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'string' } } }],
      }),
    ).toMatchObject({ code: 'invalid_request' });
  });

  it('map tool_choice, and parallel_tool_calls: false onto it', () => {
    const choice = (tool_choice: unknown, parallel_tool_calls?: boolean) =>
      translate({
        messages: [user('x')],
        tools: [weather],
        tool_choice,
        ...(parallel_tool_calls === undefined ? {} : { parallel_tool_calls }),
      }).tool_choice;
    expect(choice('auto')).toEqual({ type: 'auto' });
    expect(choice('none')).toEqual({ type: 'none' });
    expect(choice('required')).toEqual({ type: 'any' });
    expect(choice({ type: 'function', function: { name: 'weather' } })).toEqual({
      type: 'tool',
      name: 'weather',
    });
    expect(choice('required', false)).toEqual({ type: 'any', disable_parallel_tool_use: true });
    expect(choice(undefined, false)).toEqual({ type: 'auto', disable_parallel_tool_use: true });
    expect(choice('none', false)).toEqual({ type: 'none' });
    expect(choice(undefined, true)).toBeUndefined();
  });

  it('offers only the allowed tools of an allowed_tools choice', () => {
    const now = { type: 'function', function: { name: 'now' } };
    const out = translate({
      messages: [user('x')],
      tools: [weather, now],
      tool_choice: {
        type: 'allowed_tools',
        allowed_tools: { mode: 'required', tools: [{ type: 'function', function: { name: 'now' } }] },
      },
    });
    expect(out.tools!.map((tool) => tool.name)).toEqual(['now']);
    expect(out.tool_choice).toEqual({ type: 'any' });
  });

  it('refuses a named tool choice for a tool that is not there, and drops a tool choice without tools', () => {
    expect(
      refusal({
        messages: [user('x')],
        tools: [weather],
        tool_choice: { type: 'function', function: { name: 'nope' } },
      }),
    ).toMatchObject({
      code: 'invalid_request',
      param: 'tool_choice',
    });
    const out = translate({ messages: [user('x')], tool_choice: 'required', parallel_tool_calls: false });
    expect(out.tools).toBeUndefined();
    expect(out.tool_choice).toBeUndefined();
  });
});

describe('tool calls and results', () => {
  it('become tool_use blocks after the assistant text, and tool_result blocks in one user turn, then the user text', () => {
    const out = translate({
      messages: [
        user('Weather in Paris and Tokyo?'),
        assistant('Checking.', {
          tool_calls: [
            call('call_1', 'weather', '{"city":"Paris"}'),
            call('call_2', 'weather', '{"city":"Tokyo"}'),
          ],
        }),
        toolMessage('call_1', 'Sunny'),
        { role: 'system', content: 'Answer in one line.' },
        toolMessage('call_2', [{ type: 'text', text: 'Rain' }]),
        user('And tomorrow?'),
      ],
      tools: [weather],
    });
    expect(out.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Tokyo?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'call_1', name: 'weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'call_2', name: 'weather', input: { city: 'Tokyo' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_1', content: 'Sunny' },
          { type: 'tool_result', tool_use_id: 'call_2', content: [{ type: 'text', text: 'Rain' }] },
          { type: 'text', text: 'And tomorrow?' },
        ],
      },
    ]);
    expect(out.system).toEqual([{ type: 'text', text: 'Answer in one line.' }]);
  });

  it('takes "" and missing arguments as {}, and accepts arguments sent as an object', () => {
    const out = translate({
      messages: [
        user('x'),
        assistant(null, { tool_calls: [call('a', 'f', ''), call('b', 'f', null), call('c', 'f', { k: 1 })] }),
        toolMessage('a', 'r'),
        toolMessage('b', ''),
        toolMessage('c', 'r'),
      ],
    });
    expect(out.messages[1]!.content.map((block) => (block.type === 'tool_use' ? block.input : null))).toEqual(
      [{}, {}, { k: 1 }],
    );
    // An empty result has no content, which Anthropic allows.
    expect(out.messages[2]!.content[1]).toEqual({ type: 'tool_result', tool_use_id: 'b' });
  });

  it('refuses arguments that are not a JSON object, saying where', () => {
    const body = (args: string) => ({
      messages: [user('x'), assistant(null, { tool_calls: [call('a', 'f', args)] }), toolMessage('a', 'r')],
    });
    const error = refusal(body('{"city": "Par'));
    expect(error).toMatchObject({
      status: 400,
      code: 'invalid_request',
      param: 'messages[1].tool_calls[0].function.arguments',
    });
    expect(error.message).toMatch(/^messages\[1\]\.tool_calls\[0\]\.function\.arguments: not valid JSON/);
    expect(refusal(body('[1,2]'))).toMatchObject({ code: 'invalid_request' });
  });

  it('maps tool ids to the characters Anthropic takes, the same way on both sides', () => {
    const out = translate({
      messages: [
        user('x'),
        assistant(null, { tool_calls: [call('functions.weather:0', 'weather', '{}')] }),
        toolMessage('functions.weather:0', 'r'),
      ],
    });
    expect(out.messages[1]!.content[0]).toMatchObject({ type: 'tool_use', id: 'functions_weather_0' });
    expect(out.messages[2]!.content[0]).toMatchObject({
      type: 'tool_result',
      tool_use_id: 'functions_weather_0',
    });
  });

  it('refuses a broken tool history as OpenAI does', () => {
    const unanswered = {
      messages: [
        user('x'),
        assistant(null, { tool_calls: [call('a', 'f', '{}'), call('b', 'f', '{}')] }),
        toolMessage('a', 'r'),
        user('y'),
      ],
    };
    expect(refusal(unanswered)).toMatchObject({ code: 'invalid_request', param: 'messages[1]' });
    expect(refusal(unanswered).message).toContain('no answer for b');
    const dangling = { messages: [user('x'), assistant(null, { tool_calls: [call('a', 'f', '{}')] })] };
    expect(refusal(dangling)).toMatchObject({ code: 'invalid_request' });
    const stray = { messages: [user('x'), toolMessage('a', 'r')] };
    expect(refusal(stray)).toMatchObject({ code: 'invalid_request', param: 'messages[1].tool_call_id' });
    const twice = {
      messages: [
        user('x'),
        assistant(null, { tool_calls: [call('a', 'f', '{}')] }),
        toolMessage('a', 'r'),
        toolMessage('a', 'r'),
      ],
    };
    expect(refusal(twice)).toMatchObject({ code: 'invalid_request', param: 'messages[3].tool_call_id' });
    const duplicateIds = {
      messages: [user('x'), assistant(null, { tool_calls: [call('a', 'f', '{}'), call('a', 'f', '{}')] })],
    };
    expect(refusal(duplicateIds)).toMatchObject({ code: 'invalid_request' });
  });

  it('refuses legacy function calls and tool calls that are not functions', () => {
    expect(
      refusal({ messages: [user('x'), assistant(null, { function_call: { name: 'f', arguments: '{}' } })] }),
    ).toMatchObject({
      code: 'unsupported_parameter',
    });
    expect(
      refusal({
        messages: [
          user('x'),
          assistant(null, {
            tool_calls: [{ id: 'a', type: 'custom', function: { name: 'f', arguments: '' } }],
          }),
          toolMessage('a', 'r'),
        ],
      }),
    ).toMatchObject({ code: 'unsupported_parameter' });
  });
});

describe('sampling, stop and user', () => {
  it('carries temperature (at most 1), stop sequences and the user id', () => {
    const out = translate({ messages: [user('x')], temperature: 1.6, stop: 'END', user: 'user-42' });
    expect(out).toMatchObject({ temperature: 1, stop_sequences: ['END'], metadata: { user_id: 'user-42' } });
    expect(translate({ messages: [user('x')], stop: ['a', '', 'b'] }).stop_sequences).toEqual(['a', 'b']);
    expect(translate({ messages: [user('x')], safety_identifier: 'hash-1' }).metadata).toEqual({
      user_id: 'hash-1',
    });
    expect(translate({ messages: [user('x')], user: '' }).metadata).toBeUndefined();
  });

  it('keeps temperature over top_p where the model refuses both, and both where it takes both', () => {
    const both = { messages: [user('x')], temperature: 0.3, top_p: 0.8 };
    expect(translate(both)).toMatchObject({ temperature: 0.3 });
    expect(translate(both).top_p).toBeUndefined();
    expect(translate({ messages: [user('x')], top_p: 0.8 }).top_p).toBe(0.8);
    expect(translate(both, { model: 'claude-3-7-sonnet-latest' })).toMatchObject({
      temperature: 0.3,
      top_p: 0.8,
    });
  });

  it('drops sampling parameters on models that refuse them', () => {
    const out = translate(
      { messages: [user('x')], temperature: 0, top_p: 0.5 },
      { model: 'claude-opus-4-7' },
    );
    expect(out.temperature).toBeUndefined();
    expect(out.top_p).toBeUndefined();
  });
});

describe('parameters Anthropic cannot honour', () => {
  it('drops those whose absence keeps the meaning', () => {
    const out = translate({
      messages: [user('x')],
      seed: 7,
      n: 1,
      presence_penalty: 0,
      frequency_penalty: 0,
      logprobs: false,
      top_logprobs: 0,
      logit_bias: {},
      stream_options: { include_usage: true },
      store: true,
      metadata: { tag: 'a' },
      service_tier: 'auto',
      parallel_tool_calls: true,
      modalities: ['text'],
      prediction: { type: 'content', content: 'x' },
      verbosity: 'low',
      prompt_cache_key: 'k',
      audio: null,
    });
    expect(out).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 64000,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }],
    });
  });

  it('refuses those whose absence would change the answer, naming the parameter', () => {
    const cases: [string, unknown][] = [
      ['n', 2],
      ['logprobs', true],
      ['top_logprobs', 3],
      ['presence_penalty', 0.5],
      ['frequency_penalty', -1],
      ['logit_bias', { '50256': -100 }],
      ['modalities', ['text', 'audio']],
      ['audio', { voice: 'alloy', format: 'wav' }],
      ['web_search_options', {}],
      ['functions', [{ name: 'f', parameters: {} }]],
      ['function_call', 'auto'],
    ];
    for (const [param, value] of cases) {
      const error = refusal({ messages: [user('x')], [param]: value });
      expect([param, error.status, error.code, error.param]).toEqual([
        param,
        400,
        'unsupported_parameter',
        param,
      ]);
      expect(error.message).toContain(`"${param}"`);
    }
  });
});

describe('reasoning_effort', () => {
  const ask = (effort: string, extra: JsonObject = {}, context: Partial<ChatCallContext> = {}) =>
    translate({ messages: [user('Prove it.')], reasoning_effort: effort, ...extra }, context);

  it('gives budget models a thinking budget, raising max_tokens above it when needed', () => {
    expect(ask('low')).toMatchObject({
      thinking: { type: 'enabled', budget_tokens: THINKING_BUDGETS.low },
      max_tokens: 64000,
    });
    expect(ask('minimal').thinking).toEqual({ type: 'enabled', budget_tokens: 1024 });
    expect(ask('high', { max_completion_tokens: 1000 })).toMatchObject({
      thinking: { type: 'enabled', budget_tokens: 16384 },
      max_tokens: 16384 + 1000,
    });
    expect(ask('medium', { max_tokens: 20000 }).max_tokens).toBe(20000);
    for (const budget of Object.values(THINKING_BUDGETS)) {
      expect(budget).toBeGreaterThanOrEqual(1024);
      expect(budget * 2).toBeLessThanOrEqual(64000);
    }
  });

  it('gives adaptive models adaptive thinking with an effort, and asks newer ones to show the thinking', () => {
    expect(ask('medium', {}, { model: 'claude-opus-4-6' })).toMatchObject({
      thinking: { type: 'adaptive' },
      output_config: { effort: 'medium' },
      max_tokens: 64000,
    });
    expect(ask('minimal', {}, { model: 'claude-sonnet-4-6' }).output_config).toEqual({ effort: 'low' });
    expect(ask('xhigh', {}, { model: 'claude-sonnet-4-6' }).output_config).toEqual({ effort: 'high' });
    expect(ask('xhigh', {}, { model: 'claude-opus-4-7' })).toMatchObject({
      thinking: { type: 'adaptive', display: 'summarized' },
      output_config: { effort: 'xhigh' },
    });
    expect(ask('max', {}, { model: 'claude-opus-5' }).output_config).toEqual({ effort: 'max' });
  });

  it('sends no thinking for none, or for a model that cannot think; refuses an unknown effort', () => {
    expect(ask('none').thinking).toBeUndefined();
    expect(ask('high', {}, { model: 'claude-3-5-haiku-latest' }).thinking).toBeUndefined();
    expect(refusal({ messages: [user('x')], reasoning_effort: 'extreme' })).toMatchObject({
      code: 'invalid_request',
      param: 'reasoning_effort',
    });
  });

  it('drops temperature other than 1 and top_p below 0.95 with thinking on', () => {
    expect(ask('low', { temperature: 0.2 }).temperature).toBeUndefined();
    expect(ask('low', { temperature: 1 }).temperature).toBe(1);
    expect(ask('low', { top_p: 0.9 }).top_p).toBeUndefined();
    expect(ask('low', { top_p: 0.97 }).top_p).toBe(0.97);
  });

  it('gives way to a forced tool call', () => {
    for (const tool_choice of ['required', { type: 'function', function: { name: 'weather' } }]) {
      const out = ask('high', { tools: [weather], tool_choice });
      expect(out.thinking).toBeUndefined();
      expect(out.tool_choice).toMatchObject({ type: tool_choice === 'required' ? 'any' : 'tool' });
      expect(out.max_tokens).toBe(64000);
    }
    expect(ask('high', { tools: [weather], tool_choice: 'auto' }).thinking).toBeDefined();
  });
});

describe('thinking across turns', () => {
  const loop = (thinkingBlocks: unknown[] | undefined, extra: JsonObject = {}) =>
    translate({
      messages: [
        user('Weather in Paris?'),
        assistant('Checking.', {
          tool_calls: [call('toolu_1', 'weather', '{"city":"Paris"}')],
          ...(thinkingBlocks ? { thinking_blocks: thinkingBlocks } : {}),
        }),
        toolMessage('toolu_1', 'Sunny'),
      ],
      tools: [weather],
      reasoning_effort: 'medium',
      ...extra,
    });

  it('puts the echoed thinking blocks first in their assistant turn, unchanged', () => {
    const redacted = { type: 'redacted_thinking', data: 'EmwKAhgB' };
    const out = loop([signed, redacted]);
    expect(out.thinking).toEqual({ type: 'enabled', budget_tokens: 8192 });
    expect(out.messages[1]!.content).toEqual([
      { type: 'thinking', thinking: 'Let me think.', signature: 'sig-1' },
      { type: 'redacted_thinking', data: 'EmwKAhgB' },
      { type: 'text', text: 'Checking.' },
      { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } },
    ]);
  });

  it('sends no thinking when the tool loop’s assistant turn comes back without its thinking blocks', () => {
    const out = loop(undefined);
    expect(out.thinking).toBeUndefined();
    expect(out.messages[1]!.content[0]).toEqual({ type: 'text', text: 'Checking.' });
    // A thinking block without its signature cannot be verified: it is left out, and thinking too.
    const unsigned = loop([{ type: 'thinking', thinking: 'Let me think.' }]);
    expect(unsigned.thinking).toBeUndefined();
    expect(unsigned.messages[1]!.content[0]).toEqual({ type: 'text', text: 'Checking.' });
  });

  it('checks the first and the latest assistant turn of a multi-step loop', () => {
    const steps = (second: unknown[] | undefined) =>
      translate({
        messages: [
          user('Plan a trip.'),
          assistant(null, { tool_calls: [call('t1', 'weather', '{}')], thinking_blocks: [signed] }),
          toolMessage('t1', 'Sunny'),
          assistant(null, {
            tool_calls: [call('t2', 'weather', '{}')],
            ...(second ? { thinking_blocks: second } : {}),
          }),
          toolMessage('t2', 'Rain'),
        ],
        tools: [weather],
        reasoning_effort: 'low',
      }).thinking;
    expect(steps([{ ...signed, signature: 'sig-2' }])).toBeDefined();
    expect(steps(undefined)).toBeUndefined();
  });

  it('does not look back past a genuine user turn: earlier turns without thinking do not matter', () => {
    const out = translate({
      messages: [
        user('Weather?'),
        assistant(null, { tool_calls: [call('t1', 'weather', '{}')] }),
        toolMessage('t1', 'Sunny'),
        assistant('It is sunny.'),
        user('Thanks! And Tokyo?'),
      ],
      tools: [weather],
      reasoning_effort: 'low',
    });
    expect(out.thinking).toEqual({ type: 'enabled', budget_tokens: 2048 });
  });

  it('drops a thinking-only assistant message, and the thinking of a final assistant turn when thinking is off', () => {
    const thinkingOnly = translate({
      messages: [user('x'), assistant('', { thinking_blocks: [signed] }), user('y')],
    });
    expect(thinkingOnly.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'x' },
          { type: 'text', text: 'y' },
        ],
      },
    ]);
    const prefill = translate({
      messages: [user('x'), assistant('The answer is', { thinking_blocks: [signed] })],
    });
    expect(prefill.messages.at(-1)).toEqual({
      role: 'assistant',
      content: [{ type: 'text', text: 'The answer is' }],
    });
    const prefillThinking = translate({
      messages: [user('x'), assistant('The answer is', { thinking_blocks: [signed] })],
      reasoning_effort: 'low',
    });
    expect(prefillThinking.thinking).toBeDefined();
    expect(prefillThinking.messages.at(-1)!.content[0]).toEqual(signed);
  });

  it('sends no thinking blocks to a model that cannot think (the conversation began on another model)', () => {
    const out = translate(
      {
        messages: [user('x'), assistant('y', { thinking_blocks: [signed] }), user('z')],
        reasoning_effort: 'low',
      },
      { model: 'claude-3-5-haiku-latest' },
    );
    expect(out.thinking).toBeUndefined();
    expect(out.messages[1]).toEqual({ role: 'assistant', content: [{ type: 'text', text: 'y' }] });
    // A model that can think keeps earlier turns' blocks even with thinking off: Anthropic accepts them there.
    const keeps = translate({
      messages: [user('x'), assistant('y', { thinking_blocks: [signed] }), user('z')],
    });
    expect(keeps.messages[1]!.content[0]).toEqual(signed);
  });

  it('ignores reasoning_content sent back without blocks, and thinking block types it does not know', () => {
    const out = translate({
      messages: [
        user('x'),
        assistant('y', {
          reasoning_content: 'I thought.',
          thinking_blocks: [{ type: 'summary', text: 's' }],
        }),
        user('z'),
      ],
    });
    expect(out.messages[1]).toEqual({ role: 'assistant', content: [{ type: 'text', text: 'y' }] });
  });
});

describe('response_format', () => {
  const schema = {
    type: 'object',
    properties: { name: { type: 'string' } },
    required: ['name'],
    additionalProperties: false,
  };
  const jsonSchema = (strict: boolean | undefined) => ({
    type: 'json_schema',
    json_schema: {
      name: 'person',
      description: 'A person.',
      schema,
      ...(strict === undefined ? {} : { strict }),
    },
  });

  it('carries a strict schema as output_config.format where the model has structured outputs', () => {
    const out = translate({ messages: [user('Who?')], response_format: jsonSchema(true) });
    expect(out.output_config).toEqual({ format: { type: 'json_schema', schema } });
    expect(out.tools).toBeUndefined();
  });

  it('combines with thinking there', () => {
    const out = translate(
      { messages: [user('Who?')], response_format: jsonSchema(true), reasoning_effort: 'low' },
      { model: 'claude-opus-4-6' },
    );
    expect(out.output_config).toEqual({ effort: 'low', format: { type: 'json_schema', schema } });
    expect(out.thinking).toEqual({ type: 'adaptive' });
  });

  it('forces the answer tool for a non-strict schema, an older model, or json_object', () => {
    for (const [format, model, expectedSchema] of [
      [jsonSchema(undefined), 'claude-sonnet-4-5', schema],
      [jsonSchema(true), 'claude-opus-4-1', schema],
      [{ type: 'json_object' }, 'claude-sonnet-4-5', { type: 'object' }],
    ] as const) {
      const out = translate({ messages: [user('Who?')], response_format: format }, { model });
      expect(out.tools).toEqual([
        { name: RESPONSE_FORMAT_TOOL, description: expect.any(String), input_schema: expectedSchema },
      ]);
      expect(out.tool_choice).toEqual({ type: 'tool', name: RESPONSE_FORMAT_TOOL });
      expect(out.output_config).toBeUndefined();
    }
    expect(
      translate({ messages: [user('Who?')], response_format: jsonSchema(false) }).tools![0]!.description,
    ).toContain('A person.');
  });

  it('lets the model call client tools or answer through the answer tool', () => {
    const out = translate({
      messages: [user('x')],
      response_format: { type: 'json_object' },
      tools: [weather],
    });
    expect(out.tools!.map((tool) => tool.name)).toEqual(['weather', RESPONSE_FORMAT_TOOL]);
    expect(out.tool_choice).toEqual({ type: 'any' });
    expect(
      translate({
        messages: [user('x')],
        response_format: { type: 'json_object' },
        tools: [weather],
        tool_choice: 'none',
      }).tool_choice,
    ).toEqual({
      type: 'tool',
      name: RESPONSE_FORMAT_TOOL,
    });
    expect(
      translate({
        messages: [user('x')],
        response_format: { type: 'json_object' },
        tools: [weather],
        tool_choice: { type: 'function', function: { name: 'weather' } },
      }).tool_choice,
    ).toEqual({ type: 'tool', name: 'weather' });
  });

  it('sends thinking away when the answer tool is forced', () => {
    const out = translate({
      messages: [user('x')],
      response_format: { type: 'json_object' },
      reasoning_effort: 'high',
    });
    expect(out.thinking).toBeUndefined();
  });

  it('drops text, and refuses what cannot come back through a tool', () => {
    expect(translate({ messages: [user('x')], response_format: { type: 'text' } }).tools).toBeUndefined();
    expect(
      refusal({
        messages: [user('x')],
        response_format: { type: 'json_schema', json_schema: { name: 'list', schema: { type: 'array' } } },
      }),
    ).toMatchObject({ code: 'unsupported_parameter', param: 'response_format' });
    expect(
      refusal({
        messages: [user('x')],
        response_format: { type: 'json_object' },
        tools: [{ type: 'function', function: { name: RESPONSE_FORMAT_TOOL } }],
      }),
    ).toMatchObject({ code: 'invalid_request', param: 'tools' });
    expect(refusal({ messages: [user('x')], response_format: { type: 'grammar' } })).toMatchObject({
      code: 'unsupported_parameter',
    });
  });
});
