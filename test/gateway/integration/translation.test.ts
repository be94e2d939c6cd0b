import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import {
  HumanMessage,
  SystemMessage,
  ToolMessage,
  type AIMessage,
  type BaseMessage,
} from '@langchain/core/messages';
import { ChatOpenAI } from '@langchain/openai';
import { generateText, stepCountIs, streamText, tool, type ModelMessage } from 'ai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ANTHROPIC_KEY, startFakeAnthropic } from '../../support/fake-anthropic.ts';
import { GEMINI_KEY, startFakeGemini } from '../../support/fake-gemini.ts';
import { startFakeOpenAi } from '../../support/fake-openai.ts';
import type { FakeServer } from '../../support/fake-server.ts';
import {
  APP_KEY,
  VENDOR_KEY,
  requestRows,
  startTestGateway,
  type TestGateway,
} from '../../support/gateway.ts';

/**
 * One conversation — system prompt, user text with an image, a tool call, its result, a final
 * answer — through routes of all three vendors, streamed and not, with the clients people use.
 * The fake vendors answer with the real recordings and refuse what the real APIs refuse.
 */

let fakes: { openai: FakeServer; anthropic: FakeServer; gemini: FakeServer };
let gateway: TestGateway;

const ROUTES = [
  { route: 'gpt', model: 'gpt-4.1-nano', fake: 'openai' },
  { route: 'claude', model: 'claude-haiku-4-5', fake: 'anthropic' },
  { route: 'gem', model: 'gemini-3-pro-preview', fake: 'gemini' },
] as const;

/** What each vendor's recordings report, turn by turn: [tool call, final answer]. */
const EXPECTED_USAGE = {
  gpt: {
    json: [
      { inputTokens: 339, outputTokens: 92, cachedInputTokens: 320, reasoningTokens: 48 },
      { inputTokens: 16, outputTokens: 363 },
    ],
    stream: [
      { inputTokens: 339, outputTokens: 83, cachedInputTokens: 320, reasoningTokens: 39 },
      { inputTokens: 16, outputTokens: 300 },
    ],
  },
  claude: {
    json: [
      { inputTokens: 843, outputTokens: 28, cachedInputTokens: 0 },
      { inputTokens: 12, outputTokens: 29, cachedInputTokens: 0 },
    ],
    stream: [
      { inputTokens: 843, outputTokens: 28, cachedInputTokens: 0 },
      { inputTokens: 12, outputTokens: 30, cachedInputTokens: 0 },
    ],
  },
  gem: {
    json: [
      { inputTokens: 29, outputTokens: 15 + 893, reasoningTokens: 893 },
      { inputTokens: 9, outputTokens: 28 + 244, reasoningTokens: 244 },
    ],
    stream: [
      { inputTokens: 29, outputTokens: 15 + 45, reasoningTokens: 45 },
      { inputTokens: 9, outputTokens: 23 + 185, reasoningTokens: 185 },
    ],
  },
} as const;

const IMAGE =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const SYSTEM = 'You are a weather assistant. Answer briefly.';
const QUESTION = 'What is the weather where this photo was taken?';

const weatherTool: OpenAI.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'weather',
    description: 'The current weather in a city',
    parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
  },
};

const firstTurn = (): OpenAI.ChatCompletionMessageParam[] => [
  { role: 'system', content: SYSTEM },
  {
    role: 'user',
    content: [
      { type: 'text', text: QUESTION },
      { type: 'image_url', image_url: { url: IMAGE } },
    ],
  },
];

beforeAll(async () => {
  const [openai, anthropic, gemini] = await Promise.all([
    startFakeOpenAi(),
    startFakeAnthropic(),
    startFakeGemini(),
  ]);
  fakes = { openai, anthropic, gemini };
  gateway = await startTestGateway({
    routes: [
      { id: 'gpt', vendor: 'openai', baseUrl: openai.url, apiKey: VENDOR_KEY },
      {
        id: 'claude',
        vendor: 'anthropic',
        baseUrl: anthropic.origin,
        apiKey: ANTHROPIC_KEY,
        models: ['claude-*'],
      },
      { id: 'gem', vendor: 'gemini', baseUrl: gemini.origin, apiKey: GEMINI_KEY, models: ['gemini-*'] },
    ],
    apps: [{ name: 'tester', key: APP_KEY }],
  });
});

afterAll(async () => {
  await gateway.stop();
  await Promise.all(Object.values(fakes).map((fake) => fake.close()));
});

const openai = (route: string) =>
  new OpenAI({ baseURL: `${gateway.url}/openai/${route}/v1`, apiKey: APP_KEY, maxRetries: 0 });

interface StreamedTurn {
  message: OpenAI.ChatCompletionAssistantMessageParam;
  finishReason: string | null;
  argumentDeltas: number;
  usage: OpenAI.CompletionUsage | undefined;
}

/** Accumulates a stream the way client code does: content, and tool calls by index. */
async function accumulate(stream: AsyncIterable<OpenAI.ChatCompletionChunk>): Promise<StreamedTurn> {
  let content = '';
  let finishReason: string | null = null;
  let argumentDeltas = 0;
  let usage: OpenAI.CompletionUsage | undefined;
  const calls: { id: string; type: 'function'; function: { name: string; arguments: string } }[] = [];
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) continue;
    content += choice.delta.content ?? '';
    for (const delta of choice.delta.tool_calls ?? []) {
      const call = (calls[delta.index] ??= {
        id: '',
        type: 'function',
        function: { name: '', arguments: '' },
      });
      if (delta.id) call.id = delta.id;
      if (delta.function?.name) call.function.name += delta.function.name;
      if (delta.function?.arguments) {
        call.function.arguments += delta.function.arguments;
        argumentDeltas++;
      }
    }
    finishReason = choice.finish_reason ?? finishReason;
  }
  return {
    message: { role: 'assistant', content: content || null, ...(calls.length ? { tool_calls: calls } : {}) },
    finishReason,
    argumentDeltas,
    usage,
  };
}

describe.each(ROUTES)('the official openai client through route "$route"', ({ route, model }) => {
  it('holds the two-turn tool conversation, not streamed', async () => {
    const client = openai(route);
    const messages = firstTurn();
    const first = await client.chat.completions.create({ model, messages, tools: [weatherTool] });
    const call = first.choices[0]!.message.tool_calls?.[0];
    expect(first.choices[0]!.finish_reason).toBe('tool_calls');
    if (call?.type !== 'function') throw new Error('expected a function call');
    expect(call.function.name).toBe('weather');
    expect(JSON.parse(call.function.arguments)).toEqual({ location: 'San Francisco' });
    expect(call.id).not.toBe('');

    messages.push(first.choices[0]!.message as OpenAI.ChatCompletionAssistantMessageParam, {
      role: 'tool',
      tool_call_id: call.id,
      content: JSON.stringify({ temperature: 18, sky: 'fog' }),
    });
    const second = await client.chat.completions.create({ model, messages, tools: [weatherTool] });
    expect(second.choices[0]!.finish_reason).toBe('stop');
    expect(second.choices[0]!.message.content?.length).toBeGreaterThan(0);
    expect(second.object).toBe('chat.completion');

    const rows = await requestRows(gateway, 2);
    expect(rows[1]).toMatchObject({ route, stream: false, status: 200, ...EXPECTED_USAGE[route].json[0] });
    expect(rows[0]).toMatchObject({ route, stream: false, status: 200, ...EXPECTED_USAGE[route].json[1] });
    for (const row of rows) expect(row['costUsd']).toBeGreaterThan(0);
  });

  it('holds the same conversation streamed, tool arguments and usage included', async () => {
    const client = openai(route);
    const messages = firstTurn();
    const first = await accumulate(
      await client.chat.completions.create({
        model,
        messages,
        tools: [weatherTool],
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    expect(first.finishReason).toBe('tool_calls');
    const call = first.message.tool_calls?.[0];
    if (call?.type !== 'function') throw new Error('expected a function call');
    expect(call.function.name).toBe('weather');
    expect(JSON.parse(call.function.arguments)).toEqual({ location: 'San Francisco' });
    // Anthropic and OpenAI stream arguments in pieces; Gemini sends a call whole.
    if (route !== 'gem') expect(first.argumentDeltas).toBeGreaterThan(1);
    expect(first.usage?.prompt_tokens).toBe(EXPECTED_USAGE[route].stream[0].inputTokens);

    // Echoed back as a lossy client would: only role, content and tool calls (id, name, arguments).
    messages.push(first.message, { role: 'tool', tool_call_id: call.id, content: '{"temperature": 18}' });
    const second = await accumulate(
      await client.chat.completions.create({ model, messages, tools: [weatherTool], stream: true }),
    );
    expect(second.finishReason).toBe('stop');
    expect(typeof second.message.content).toBe('string');
    expect(second.usage).toBeUndefined();

    const rows = await requestRows(gateway, 2);
    expect(rows[1]).toMatchObject({
      route,
      stream: true,
      partial: false,
      ...EXPECTED_USAGE[route].stream[0],
    });
    expect(rows[0]).toMatchObject({
      route,
      stream: true,
      partial: false,
      ...EXPECTED_USAGE[route].stream[1],
    });
  });
});

describe.each(ROUTES)('the Vercel AI SDK through route "$route"', ({ route, model }) => {
  const provider = () =>
    createOpenAICompatible({
      name: 'switchboard',
      baseURL: `${gateway.url}/openai/${route}/v1`,
      apiKey: APP_KEY,
      includeUsage: true,
    });
  const tools = {
    weather: tool({
      description: 'The current weather in a city',
      inputSchema: z.object({ location: z.string() }),
      execute: async ({ location }) => ({ location, temperature: 18 }),
    }),
  };
  const messages: ModelMessage[] = [
    {
      role: 'user',
      content: [
        { type: 'text', text: QUESTION },
        { type: 'image', image: IMAGE },
      ],
    },
  ];

  it('generateText runs the tool and answers', async () => {
    const result = await generateText({
      model: provider()(model),
      system: SYSTEM,
      messages,
      tools,
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    expect(result.steps).toHaveLength(2);
    expect(result.steps[0]!.toolCalls[0]).toMatchObject({
      toolName: 'weather',
      input: { location: 'San Francisco' },
    });
    expect(result.text.length).toBeGreaterThan(0);
    expect(result.totalUsage.inputTokens).toBe(
      EXPECTED_USAGE[route].json[0].inputTokens + EXPECTED_USAGE[route].json[1].inputTokens,
    );
  });

  it('streamText runs the tool and streams the answer', async () => {
    const result = streamText({
      model: provider()(model),
      system: SYSTEM,
      messages,
      tools,
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    let text = '';
    for await (const part of result.textStream) text += part;
    const steps = await result.steps;
    expect(steps).toHaveLength(2);
    expect(steps[0]!.toolCalls[0]).toMatchObject({
      toolName: 'weather',
      input: { location: 'San Francisco' },
    });
    expect(text.length).toBeGreaterThan(0);
    expect((await result.totalUsage).outputTokens).toBe(
      EXPECTED_USAGE[route].stream[0].outputTokens + EXPECTED_USAGE[route].stream[1].outputTokens,
    );
  });
});

describe.each(ROUTES)('LangChain\'s ChatOpenAI through route "$route"', ({ route, model }) => {
  const chat = () =>
    new ChatOpenAI({
      model,
      apiKey: APP_KEY,
      configuration: { baseURL: `${gateway.url}/openai/${route}/v1` },
      maxRetries: 0,
    });
  const history = (): BaseMessage[] => [
    new SystemMessage(SYSTEM),
    new HumanMessage({
      content: [
        { type: 'text', text: QUESTION },
        { type: 'image_url', image_url: { url: IMAGE } },
      ],
    }),
  ];

  it('invoke holds the tool conversation', async () => {
    const model_ = chat().bindTools([weatherTool]);
    const messages = history();
    const first = (await model_.invoke(messages)) as AIMessage;
    expect(first.tool_calls?.[0]).toMatchObject({ name: 'weather', args: { location: 'San Francisco' } });
    messages.push(
      first,
      new ToolMessage({ tool_call_id: first.tool_calls![0]!.id!, content: '{"temperature": 18}' }),
    );
    const second = await model_.invoke(messages);
    expect(typeof second.content === 'string' && second.content.length > 0).toBe(true);
  });

  it('stream yields the answer in pieces', async () => {
    let text = '';
    let pieces = 0;
    for await (const chunk of await chat().stream(history())) {
      if (typeof chunk.content === 'string' && chunk.content) {
        text += chunk.content;
        pieces++;
      }
    }
    expect(pieces).toBeGreaterThan(1);
    expect(text.length).toBeGreaterThan(0);
  });
});

describe('models, embeddings and errors per vendor', () => {
  it("lists each vendor's own models, filtered by the route's allow-list", async () => {
    const ids = async (route: string) => {
      const out: string[] = [];
      for await (const model of openai(route).models.list()) out.push(model.id);
      return out;
    };
    expect(await ids('claude')).toEqual([
      'claude-sonnet-4-5-20250929',
      'claude-haiku-4-5-20251001',
      'claude-opus-4-1-20250805',
    ]);
    expect(await ids('gem')).toEqual(['gemini-2.5-flash', 'gemini-3-pro-preview', 'gemini-embedding-001']);
  });

  it('embeds through Gemini, in the base64 the OpenAI SDK asks for by default', async () => {
    const result = await openai('gem').embeddings.create({
      model: 'gemini-embedding-001',
      input: ['a', 'b'],
    });
    expect(result.data).toHaveLength(2);
    const [first] = result.data;
    expect(first!.embedding).toHaveLength(3);
    expect(first!.embedding[0]).toBeCloseTo(0.012, 6);
    expect(first!.embedding[1]).toBeCloseTo(-0.034, 6);
    const seen = fakes.gemini.seen.at(-1)!;
    expect(seen.url).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents');
  });

  it('refuses embeddings on an Anthropic route with a clear 400', async () => {
    const error = await openai('claude')
      .embeddings.create({ model: 'claude-haiku-4-5', input: 'a' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.APIError>).message).toMatch(/no embeddings/i);
  });

  it('turns an error event inside an Anthropic stream into exactly one OpenAI error event and a failed row', async () => {
    fakes.anthropic.respond((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const events = [
        {
          type: 'message_start',
          message: {
            id: 'msg_1',
            type: 'message',
            role: 'assistant',
            model: 'claude-haiku-4-5-20251001',
            content: [],
            stop_reason: null,
            usage: { input_tokens: 12, output_tokens: 1 },
          },
        },
        { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Partly' } },
        { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
      ];
      for (const event of events) response.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      response.end();
    });
    try {
      const response = await fetch(`${gateway.url}/openai/claude/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'claude-haiku-4-5',
          stream: true,
          messages: [{ role: 'user', content: 'Hi' }],
        }),
      });
      const events = (await response.text()).split('\n\n').filter((event) => event.startsWith('data: '));
      const errors = events.filter((event) => event.includes('"error"'));
      expect(errors).toHaveLength(1);
      expect(JSON.parse(errors[0]!.slice(6))).toMatchObject({ error: { code: 'overloaded' } });
      expect(events.some((event) => event.includes('Partly'))).toBe(true);
      const [row] = await requestRows(gateway, 1);
      expect(row).toMatchObject({ route: 'claude', partial: true, errorCode: 'overloaded', inputTokens: 12 });
    } finally {
      fakes.anthropic.respond(null);
    }
  });
});
