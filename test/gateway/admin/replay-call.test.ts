import { describe, expect, it } from 'vitest';
import { formatOfLogged, replayCall } from '../../../gateway/admin/replay.ts';
import { GatewayError } from '../../../gateway/errors.ts';

// Issue 15, part 5: a logged request made into one call to another route and model.

const target = { route: 'cheap one', model: 'gpt-4.1-nano' };

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

describe('replayCall', () => {
  it('sends a Chat Completions body to the target route, not streamed, without its usage-chunk option', () => {
    const logged = JSON.stringify({
      model: 'gpt-4o',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'hi' }],
      tools: [{ type: 'function', function: { name: 'f' } }],
    });
    const call = replayCall({ endpoint: 'chat.completions', vendor: 'openai' }, logged, target);
    expect(call).toEqual({
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

  it('sends an Anthropic Messages body to /anthropic, leaving out the agent session in metadata.user_id', () => {
    const logged = JSON.stringify({
      model: 'claude-sonnet-4-6',
      max_tokens: 1024,
      stream: true,
      metadata: { user_id: '{"session_id":"abc"}', other: 1 },
      messages: [{ role: 'user', content: 'hi' }],
    });
    const call = replayCall({ endpoint: 'messages', vendor: 'openai' }, logged, target);
    expect(call.format).toBe('anthropic-messages');
    expect(call.path).toBe('/anthropic/cheap%20one/v1/messages');
    expect(call.body).toEqual({
      model: 'gpt-4.1-nano',
      max_tokens: 1024,
      stream: false,
      metadata: { other: 1 },
      messages: [{ role: 'user', content: 'hi' }],
    });
  });

  it('sends a Gemini body with the model and method in the path, never in the body', () => {
    const body = { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] };
    const call = replayCall({ endpoint: 'chat.completions', vendor: 'gemini' }, JSON.stringify(body), {
      route: 'gem',
      model: 'models/x:y',
    });
    expect(call).toEqual({
      format: 'gemini',
      path: '/gemini/gem/v1beta/models/models%2Fx%3Ay:generateContent',
      body,
    });
  });

  it('sends a Responses body to /responses, and refuses one that continues a kept response', () => {
    const call = replayCall(
      { endpoint: 'responses', vendor: 'openai' },
      JSON.stringify({ model: 'gpt-5', input: 'hi', stream: true }),
      target,
    );
    expect(call).toEqual({
      format: 'openai-responses',
      path: '/openai/cheap%20one/v1/responses',
      body: { model: 'gpt-4.1-nano', input: 'hi', stream: false },
    });
    expect(
      refusal(() =>
        replayCall(
          { endpoint: 'responses', vendor: 'openai' },
          JSON.stringify({ model: 'gpt-5', input: 'more', previous_response_id: 'resp_1' }),
          target,
        ),
      ),
    ).toMatch(/previous_response_id/);
  });

  it('reads a /proxy body by the route’s vendor and the body’s shape', () => {
    const messages = { messages: [{ role: 'user', content: 'x' }], max_tokens: 5 };
    expect(formatOfLogged({ endpoint: 'proxy', vendor: 'anthropic' }, messages)).toBe('anthropic-messages');
    expect(formatOfLogged({ endpoint: 'proxy', vendor: 'openai' }, messages)).toBe('openai-chat');
    expect(formatOfLogged({ endpoint: 'proxy', vendor: 'openai' }, { input: 'x' })).toBe('openai-responses');
    expect(formatOfLogged({ endpoint: 'proxy', vendor: 'gemini' }, { contents: [] })).toBe('gemini');
    // Only /proxy bodies are read as Responses by their `input`: on /openai it is a chat body or nothing.
    expect(() => formatOfLogged({ endpoint: 'chat.completions', vendor: 'openai' }, { input: 'x' })).toThrow(
      /not a chat request/,
    );
  });

  it('refuses what cannot be sent again, saying why', () => {
    expect(
      refusal(() => replayCall({ endpoint: 'embeddings', vendor: 'openai' }, '{"input":"x"}', target)),
    ).toMatch(/Only chat requests/);
    expect(refusal(() => replayCall({ endpoint: 'models', vendor: 'openai' }, '{}', target))).toMatch(
      /Only chat requests/,
    );
    expect(
      refusal(() =>
        replayCall(
          { endpoint: 'chat.completions', vendor: 'openai' },
          '{"messages":[' + '\n[cut at 1 MiB]',
          target,
        ),
      ),
    ).toMatch(/not whole JSON/);
    expect(
      refusal(() => replayCall({ endpoint: 'chat.completions', vendor: 'openai' }, '[1]', target)),
    ).toMatch(/not a JSON object/);
    // A count_tokens call is logged as a Messages body with no max_tokens: there is no answer to compare.
    expect(
      refusal(() =>
        replayCall({ endpoint: 'messages', vendor: 'anthropic' }, '{"messages":[],"model":"m"}', target),
      ),
    ).toMatch(/max_tokens/);
  });
});
