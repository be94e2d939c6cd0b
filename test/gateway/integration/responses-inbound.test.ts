import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANTHROPIC_KEY, startFakeAnthropic } from '../../support/fake-anthropic.ts';
import { GEMINI_KEY, startFakeGemini } from '../../support/fake-gemini.ts';
import {
  REASONING_CONTENT,
  startAgentResponses,
  type FakeAgentResponses,
} from '../../support/fake-agent-responses.ts';
import {
  AGENT_OUTPUT,
  AGENT_PROMPT,
  AGENT_THINKING,
  AGENT_THINKING_SIGNATURE,
  ANSWER_PREFIX,
  startAgentAnthropic,
} from '../../support/fake-agent-upstreams.ts';
import type { FakeServer } from '../../support/fake-server.ts';
import {
  APP_KEY,
  OTHER_APP_KEY,
  requestRows,
  startTestGateway,
  VENDOR_KEY,
  type TestGateway,
} from '../../support/gateway.ts';

/** OpenAI's Responses API in: passed through to OpenAI routes, translated for others. */

let responsesFake: FakeAgentResponses;
let anthropicFake: FakeServer;
let geminiFake: FakeServer;
let thinkingFake: FakeServer;
let gateway: TestGateway;

beforeAll(async () => {
  [responsesFake, anthropicFake, geminiFake, thinkingFake] = await Promise.all([
    startAgentResponses(),
    startFakeAnthropic(),
    startFakeGemini(),
    startAgentAnthropic(),
  ]);
  gateway = await startTestGateway({
    routes: [
      { id: 'gpt', vendor: 'openai', baseUrl: responsesFake.url, apiKey: VENDOR_KEY, models: ['gpt-*'] },
      {
        id: 'claude',
        vendor: 'anthropic',
        baseUrl: anthropicFake.origin,
        apiKey: ANTHROPIC_KEY,
        models: ['claude-*'],
      },
      { id: 'gem', vendor: 'gemini', baseUrl: geminiFake.origin, apiKey: GEMINI_KEY, models: ['gemini-*'] },
      // Signs its thinking and, with thinking on, wants it back at the head of the tool loop.
      {
        id: 'thinker',
        vendor: 'anthropic',
        baseUrl: thinkingFake.origin,
        apiKey: ANTHROPIC_KEY,
        models: ['claude-*'],
      },
    ],
    apps: [
      { name: 'tester', key: APP_KEY },
      { name: 'other', key: OTHER_APP_KEY },
    ],
  });
});

afterAll(async () => {
  await gateway.stop();
  await Promise.all([responsesFake.close(), anthropicFake.close(), geminiFake.close(), thinkingFake.close()]);
});

const client = (route: string) =>
  new OpenAI({ apiKey: APP_KEY, baseURL: `${gateway.url}/openai/${route}/v1`, maxRetries: 0 });

const WEATHER = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'The weather in a city',
  parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
  strict: false,
};

describe('the Responses API on an OpenAI route: passed through', () => {
  it('creates a response, sent to the route’s /responses, and records its usage', async () => {
    const response = await client('gpt').responses.create({ model: 'gpt-5', input: 'Hello', store: false });
    expect(response.object).toBe('response');
    expect(responsesFake.seen.at(-1)!.url).toBe('/v1/responses');
    expect(responsesFake.seen.at(-1)!.headers['authorization']).toBe(`Bearer ${VENDOR_KEY}`);
    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({ endpoint: 'responses', route: 'gpt', status: 200, model: 'gpt-5' });
    expect(row!['inputTokens']).toBeGreaterThan(0);
  });
});

describe('the Responses API on an Anthropic route: translated', () => {
  it('creates a response in the Responses shape', async () => {
    const response = await client('claude').responses.create({
      model: 'claude-sonnet-4-5',
      instructions: 'Be brief.',
      input: 'Hello',
    });
    expect(response.object).toBe('response');
    expect(response.output_text).toMatch(/Hello/);
    expect(response.usage?.input_tokens).toBeGreaterThan(0);
    expect(anthropicFake.seen.at(-1)!.url).toBe('/v1/messages');
    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({ endpoint: 'responses', route: 'claude', status: 200 });
  });

  it('streams a function call, arguments as they arrive, and drops the tools Anthropic cannot run', async () => {
    const stream = client('claude').responses.stream({
      model: 'claude-sonnet-4-5',
      input: 'Weather in Paris?',
      tools: [WEATHER, { type: 'web_search' }],
    });
    let argumentDeltas = 0;
    stream.on('response.function_call_arguments.delta', () => argumentDeltas++);
    const final = await stream.finalResponse();
    const call = final.output.find((item) => item.type === 'function_call');
    expect(call).toMatchObject({ type: 'function_call', name: expect.any(String) });
    expect(argumentDeltas).toBeGreaterThan(0);
    const sent = anthropicFake.seen.at(-1)!.body!['tools'] as { name: string }[];
    expect(sent.map((tool) => tool.name)).toEqual(['get_weather']);
    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({ endpoint: 'responses', route: 'claude', stream: true, partial: false });
    expect(String(row!['note'])).toContain('web_search');
  });
});

describe.each([
  ['an Anthropic route', 'claude', 'claude-sonnet-4-5'],
  ['a Gemini 3 route', 'gem', 'gemini-3-pro-preview'],
])('a function-tool round trip on %s, continued with previous_response_id', (_name, route, model) => {
  it('streams the call, takes its output on the next turn, and answers in text', async () => {
    const stream = client(route).responses.stream({ model, input: 'Weather in Paris?', tools: [WEATHER] });
    const first = await stream.finalResponse();
    const call = first.output.find((item) => item.type === 'function_call');
    expect(call).toMatchObject({ type: 'function_call', call_id: expect.any(String) });
    const second = await client(route).responses.create({
      model,
      previous_response_id: first.id,
      tools: [WEATHER],
      input: [
        {
          type: 'function_call_output',
          call_id: call?.type === 'function_call' ? call.call_id : '',
          output: '18 °C',
        },
      ],
    });
    expect(second.output_text).toBeTruthy();
    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({ endpoint: 'responses', route, status: 200 });
    expect(row!['inputTokens']).toBeGreaterThan(0);
  });
});

describe('Claude’s signed thinking in a Responses tool loop', () => {
  const SHELL = {
    type: 'function' as const,
    name: 'exec_command',
    description: 'Run a shell command',
    parameters: { type: 'object', properties: { cmd: { type: 'string' } }, required: ['cmd'] },
    strict: false,
  };
  const ask = {
    model: 'claude-sonnet-4-5',
    tools: [SHELL],
    reasoning: { effort: 'high' as const },
  };
  const callOutput = (output: OpenAI.Responses.ResponseOutputItem[]) => {
    const call = output.find((item) => item.type === 'function_call');
    return {
      type: 'function_call_output' as const,
      call_id: call?.type === 'function_call' ? call.call_id : '',
      output: AGENT_OUTPUT,
    };
  };
  /** The assistant turn Anthropic got before the tool result, with thinking on. */
  function expectThinkingSentBack() {
    const body = thinkingFake.seen.at(-1)!.body!;
    expect(body['thinking']).toMatchObject({ type: 'enabled' });
    const messages = body['messages'] as { content: unknown[] }[];
    expect(messages.at(-2)!.content[0]).toEqual({
      type: 'thinking',
      thinking: AGENT_THINKING,
      signature: AGENT_THINKING_SIGNATURE,
    });
  }

  it('continues with previous_response_id, the kept answer restoring the thinking', async () => {
    const first = await client('thinker').responses.create({ ...ask, input: AGENT_PROMPT });
    expect(first.output.map((item) => item.type)).toEqual(['reasoning', 'function_call']);
    const second = await client('thinker').responses.create({
      ...ask,
      previous_response_id: first.id,
      input: [callOutput(first.output)],
    });
    expect(second.output_text).toBe(`${ANSWER_PREFIX} ${AGENT_OUTPUT}`);
    expectThinkingSentBack();
  });

  it('continues from the items a client sends back itself, streamed, with store false', async () => {
    const prompt = { role: 'user' as const, content: AGENT_PROMPT };
    const first = await client('thinker')
      .responses.stream({ ...ask, input: [prompt], store: false, include: ['reasoning.encrypted_content'] })
      .finalResponse();
    const reasoning = first.output.find((item) => item.type === 'reasoning');
    expect(reasoning?.summary.map((part) => part.text).join('')).toBe(AGENT_THINKING);
    const second = await client('thinker')
      .responses.stream({
        ...ask,
        store: false,
        input: [prompt, ...first.output, callOutput(first.output)] as OpenAI.Responses.ResponseInputItem[],
      })
      .finalResponse();
    expect(second.output_text).toBe(`${ANSWER_PREFIX} ${AGENT_OUTPUT}`);
    expectThinkingSentBack();
  });

  it('leaves the sealed thinking out when the session moves to a server that speaks Responses itself', async () => {
    const prompt = { role: 'user' as const, content: AGENT_PROMPT };
    const first = await client('thinker').responses.create({ ...ask, input: [prompt], store: false });
    const openAiOwn = {
      type: 'reasoning' as const,
      id: 'rs_own',
      summary: [],
      encrypted_content: REASONING_CONTENT,
    };
    await client('gpt').responses.create({
      model: 'gpt-5',
      store: false,
      tools: [SHELL],
      input: [
        prompt,
        openAiOwn,
        ...first.output,
        callOutput(first.output),
      ] as OpenAI.Responses.ResponseInputItem[],
    });
    const sent = responsesFake.seen.at(-1)!.body!['input'] as { type?: string; encrypted_content?: string }[];
    expect(sent.map((item) => item.type)).toEqual([
      undefined,
      'reasoning',
      'function_call',
      'function_call_output',
    ]);
    // The server refuses reasoning it cannot verify: only its own went.
    expect(sent[1]!.encrypted_content).toBe(REASONING_CONTENT);
  });
});

describe('responses the gateway keeps for a route that cannot (store, previous_response_id)', () => {
  const get = (path: string, key = APP_KEY, method = 'GET') =>
    fetch(`${gateway.url}/openai/claude/v1/responses/${path}`, {
      method,
      headers: { authorization: `Bearer ${key}` },
    });

  it('keeps an answer, continues from it, shows it again and deletes it, for its own app only', async () => {
    const first = await client('claude').responses.create({
      model: 'claude-sonnet-4-5',
      input: 'My name is Ada.',
    });
    const shown = await get(first.id);
    expect(shown.status).toBe(200);
    expect(await shown.json()).toMatchObject({ id: first.id, object: 'response', output: first.output });
    expect((await get(first.id, OTHER_APP_KEY)).status).toBe(404);

    const second = await client('claude').responses.create({
      model: 'claude-sonnet-4-5',
      previous_response_id: first.id,
      input: 'What is my name?',
    });
    expect(second.object).toBe('response');
    // The previous turn went upstream too: the question, the answer, then the new question.
    const messages = anthropicFake.seen.at(-1)!.body!['messages'] as { role: string }[];
    expect(messages.map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
    expect(JSON.stringify(messages[0])).toContain('My name is Ada.');

    const deleted = await get(first.id, APP_KEY, 'DELETE');
    expect(await deleted.json()).toEqual({ id: first.id, object: 'response', deleted: true });
    expect((await get(first.id)).status).toBe(404);
    await expect(
      client('claude').responses.create({
        model: 'claude-sonnet-4-5',
        previous_response_id: first.id,
        input: 'Hi',
      }),
    ).rejects.toMatchObject({ status: 400, code: 'previous_response_not_found' });
  });

  it('keeps a streamed answer too, and nothing when the client says store: false', async () => {
    const stream = client('claude').responses.stream({ model: 'claude-sonnet-4-5', input: 'Hello' });
    const streamed = await stream.finalResponse();
    expect((await get(streamed.id)).status).toBe(200);
    const unkept = await client('claude').responses.create({
      model: 'claude-sonnet-4-5',
      input: 'Hi',
      store: false,
    });
    expect((await get(unkept.id)).status).toBe(404);
  });

  it('refuses an id that is no id, before it reaches any path', async () => {
    for (const id of ['..%2F..%2Fadmin', 'resp%00x', 'a%2Fb']) {
      const response = await get(id);
      expect(response.status, id).toBe(404);
    }
  });

  it('asks the route’s own server on a route that keeps its own', async () => {
    await fetch(`${gateway.url}/openai/gpt/v1/responses/resp_abc123`, {
      headers: { authorization: `Bearer ${APP_KEY}` },
    });
    expect(responsesFake.seen.at(-1)).toMatchObject({ method: 'GET', url: '/v1/responses/resp_abc123' });
    expect(responsesFake.seen.at(-1)!.headers['authorization']).toBe(`Bearer ${VENDOR_KEY}`);
  });
});

describe('unknown paths under /openai/{routeId}/v1/', () => {
  it('answer 404 in OpenAI’s shape and leave a row', async () => {
    const response = await fetch(`${gateway.url}/openai/gpt/v1/files`, {
      headers: { authorization: `Bearer ${APP_KEY}` },
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'route_not_found' } });
    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({ status: 404, app: 'tester' });
  });
});

describe('the retention of kept responses', () => {
  it('follows server.responsesRetentionDays', async () => {
    const shortLived = await startTestGateway({
      routes: [
        {
          id: 'claude',
          vendor: 'anthropic',
          baseUrl: anthropicFake.origin,
          apiKey: ANTHROPIC_KEY,
          models: ['claude-*'],
        },
      ],
      apps: [{ name: 'tester', key: APP_KEY }],
      // About 0.9 s.
      server: { responsesRetentionDays: 0.00001 },
    });
    try {
      const answer = await new OpenAI({
        apiKey: APP_KEY,
        baseURL: `${shortLived.url}/openai/claude/v1`,
        maxRetries: 0,
      }).responses.create({ model: 'claude-sonnet-4-5', input: 'Hello' });
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      const gone = await fetch(`${shortLived.url}/openai/claude/v1/responses/${answer.id}`, {
        headers: { authorization: `Bearer ${APP_KEY}` },
      });
      expect(gone.status).toBe(404);
    } finally {
      await shortLived.stop();
    }
  });
});
