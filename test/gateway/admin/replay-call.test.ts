import { describe, expect, it } from 'vitest';
import { formatOfLogged, formatOfPath, replayCall } from '../../../gateway/admin/replay.ts';
import { GatewayError } from '../../../gateway/errors.ts';

// Issue 15, part 5: a logged request made into one call to another route and model.

const target = { route: 'cheap one', model: 'gpt-4.1-nano' };
const chatRow = { endpoint: 'chat.completions', vendor: 'openai' } as const;

const refusal = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).status).toBe(400);
    expect((error as GatewayError).code).toBe('not_replayable');
    return (error as GatewayError).message;
  }
  throw new Error('not refused');
};

const logged = (request: unknown, path?: string, response = '') => ({
  request: typeof request === 'string' ? request : JSON.stringify(request),
  response,
  path,
});

describe('formatOfPath: what a logged path called', () => {
  it('knows every chat endpoint, at a route, at the root and on /proxy', () => {
    expect(formatOfPath('/openai/r/v1/chat/completions')).toBe('openai-chat');
    expect(formatOfPath('/v1/chat/completions')).toBe('openai-chat');
    expect(formatOfPath('/proxy/r/chat/completions')).toBe('openai-chat');
    expect(formatOfPath('/anthropic/r/v1/messages')).toBe('anthropic-messages');
    expect(formatOfPath('/v1/messages')).toBe('anthropic-messages');
    expect(formatOfPath('/proxy/claude/v1/messages')).toBe('anthropic-messages');
    expect(formatOfPath('/openai/r/v1/responses')).toBe('openai-responses');
    expect(formatOfPath('/proxy/r/responses')).toBe('openai-responses');
    expect(formatOfPath('/gemini/g/v1beta/models/gemini-2.5-flash:streamGenerateContent')).toBe('gemini');
    expect(formatOfPath('/proxy/g/v1beta/models/gemini-2.5-flash:generateContent')).toBe('gemini');
  });

  it('refuses token counts and every other API, whatever the body looks like', () => {
    expect(refusal(() => formatOfPath('/anthropic/r/v1/messages/count_tokens'))).toMatch(/counted tokens/);
    expect(refusal(() => formatOfPath('/v1/messages/count_tokens'))).toMatch(/counted tokens/);
    expect(refusal(() => formatOfPath('/gemini/g/v1beta/models/gemini-2.5-flash:countTokens'))).toMatch(
      /counted tokens/,
    );
    expect(refusal(() => formatOfPath('/proxy/g/v1beta/models/gemini-2.5-flash:countTokens'))).toMatch(
      /counted tokens/,
    );
    expect(refusal(() => formatOfPath('/proxy/oa/embeddings'))).toMatch(/Only chat requests/);
    expect(refusal(() => formatOfPath('/proxy/oa/moderations'))).toMatch(/Only chat requests/);
  });
});

describe('replayCall', () => {
  it('sends a Chat Completions body to the target route, not streamed, without its usage-chunk option', () => {
    const body = {
      model: 'gpt-4o',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'hi' }],
      tools: [{ type: 'function', function: { name: 'f' } }],
    };
    expect(replayCall(chatRow, logged(body, '/v1/chat/completions'), target)).toEqual({
      format: 'openai-chat',
      path: '/openai/cheap%20one/v1/chat/completions',
      body: {
        model: 'gpt-4.1-nano',
        stream: false,
        messages: [{ role: 'user', content: 'hi' }],
        tools: [{ type: 'function', function: { name: 'f' } }],
      },
    });
  });

  it('sends an Anthropic Messages body to /anthropic, max_tokens or not, without the agent session', () => {
    const body = {
      model: 'claude-sonnet-4-6',
      stream: true,
      metadata: { user_id: '{"session_id":"abc"}', other: 1 },
      messages: [{ role: 'user', content: 'hi' }],
    };
    const call = replayCall({ endpoint: 'messages', vendor: 'openai' }, logged(body, '/v1/messages'), target);
    expect(call.format).toBe('anthropic-messages');
    expect(call.path).toBe('/anthropic/cheap%20one/v1/messages');
    expect(call.body).toEqual({
      model: 'gpt-4.1-nano',
      stream: false,
      metadata: { other: 1 },
      messages: [{ role: 'user', content: 'hi' }],
    });
  });

  it('leaves out the session marker from any format, since the gateway reads it from any body', () => {
    const body = { model: 'm', metadata: { user_id: 'user_x_account_y_session_0123abcd' }, messages: [] };
    expect(replayCall(chatRow, logged(body, '/v1/chat/completions'), target).body['metadata']).toEqual({});
  });

  it('sends a Gemini body with the model and method in the path, never in the body', () => {
    const body = { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] };
    const call = replayCall(
      { endpoint: 'chat.completions', vendor: 'gemini' },
      logged(body, '/gemini/g/v1beta/models/gemini-2.5-flash:streamGenerateContent'),
      { route: 'gem', model: 'models/x:y' },
    );
    expect(call).toEqual({
      format: 'gemini',
      path: '/gemini/gem/v1beta/models/models%2Fx%3Ay:generateContent',
      body,
    });
  });

  it('sends a Responses body to /responses, not kept; refuses one that continues a kept conversation', () => {
    const row = { endpoint: 'responses', vendor: 'openai' } as const;
    expect(
      replayCall(row, logged({ model: 'gpt-5', input: 'hi', stream: true }, '/v1/responses'), target),
    ).toEqual({
      format: 'openai-responses',
      path: '/openai/cheap%20one/v1/responses',
      body: { model: 'gpt-4.1-nano', input: 'hi', stream: false, store: false },
    });
    for (const continued of [{ previous_response_id: 'resp_1' }, { conversation: 'conv_1' }]) {
      expect(
        refusal(() =>
          replayCall(row, logged({ model: 'gpt-5', input: 'more', ...continued }, '/v1/responses'), target),
        ),
      ).toMatch(/continues an earlier conversation/);
    }
  });

  it('refuses a logged token count and a /proxy call to another API by their path', () => {
    const countBody = { model: 'm', messages: [{ role: 'user', content: 'x' }] };
    expect(
      refusal(() =>
        replayCall(
          { endpoint: 'messages', vendor: 'anthropic' },
          logged(countBody, '/v1/messages/count_tokens'),
          target,
        ),
      ),
    ).toMatch(/counted tokens/);
    expect(
      refusal(() =>
        replayCall(
          { endpoint: 'proxy', vendor: 'openai' },
          logged({ model: 'text-embedding-3-small', input: 'hello' }, '/proxy/oa/embeddings'),
          target,
        ),
      ),
    ).toMatch(/Only chat requests/);
  });

  it('refuses what cannot be sent again, saying why', () => {
    expect(
      refusal(() => replayCall({ endpoint: 'embeddings', vendor: 'openai' }, logged({ input: 'x' }), target)),
    ).toMatch(/Only chat requests/);
    expect(refusal(() => replayCall({ endpoint: 'models', vendor: 'openai' }, logged({}), target))).toMatch(
      /Only chat requests/,
    );
    expect(
      refusal(() =>
        replayCall(chatRow, logged('{"messages":[' + '\n[cut at 1 MiB]', '/v1/chat/completions'), target),
      ),
    ).toMatch(/not whole JSON/);
    expect(refusal(() => replayCall(chatRow, logged('[1]', '/v1/chat/completions'), target))).toMatch(
      /not a JSON object/,
    );
  });
});

describe('formatOfLogged: rows logged before their path was', () => {
  it('reads a /proxy body by the route’s vendor and the body’s shape', () => {
    const messages = { messages: [{ role: 'user', content: 'x' }], max_tokens: 5 };
    expect(formatOfLogged({ endpoint: 'proxy', vendor: 'anthropic' }, messages)).toBe('anthropic-messages');
    expect(formatOfLogged({ endpoint: 'proxy', vendor: 'openai' }, messages)).toBe('openai-chat');
    expect(formatOfLogged({ endpoint: 'proxy', vendor: 'openai' }, { input: 'x' })).toBe('openai-responses');
    expect(formatOfLogged({ endpoint: 'proxy', vendor: 'gemini' }, { contents: [] })).toBe('gemini');
    expect(formatOfLogged({ endpoint: 'messages', vendor: 'openai' }, messages)).toBe('anthropic-messages');
    // Only /proxy bodies are read as Responses by their `input`: on /openai it is a chat body or nothing.
    expect(() => formatOfLogged(chatRow, { input: 'x' })).toThrow(/not a chat request/);
  });

  it('knows a token count by its logged answer', () => {
    const contents = { contents: [{ role: 'user', parts: [{ text: 'x' }] }] };
    expect(refusal(() => formatOfLogged(chatRow, contents, '{"totalTokens": 12}'))).toMatch(/counted tokens/);
    expect(
      refusal(() => formatOfLogged({ endpoint: 'messages', vendor: 'anthropic' }, {}, '{"input_tokens":7}')),
    ).toMatch(/counted tokens/);
    // An answer that merely has an input_tokens count inside it is an answer.
    expect(
      formatOfLogged(
        { endpoint: 'messages', vendor: 'anthropic' },
        {},
        '{"id":"msg_1","content":[],"usage":{"input_tokens":7}}',
      ),
    ).toBe('anthropic-messages');
  });
});
