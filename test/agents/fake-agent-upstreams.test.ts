import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANTHROPIC_KEY } from '../support/fake-anthropic.ts';
import {
  AGENT_COMMAND,
  AGENT_OUTPUT,
  AGENT_PROMPT,
  AGENT_THINKING,
  AGENT_THINKING_SIGNATURE,
  ANSWER_PREFIX,
  startAgentAnthropic,
  startAgentOpenAi,
  type FakeAgentOpenAi,
} from '../support/fake-agent-upstreams.ts';
import type { FakeServer } from '../support/fake-server.ts';
import { VENDOR_KEY } from '../support/gateway.ts';

/** The agent fakes through the vendors' own SDKs: the two turns of the task, streamed and not. */

const bashTool = {
  name: 'Bash',
  description: 'Run a shell command',
  input_schema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object' as const,
    properties: { command: { type: 'string' } },
    required: ['command'],
  },
};

let anthropicFake: FakeServer;
let openAiFake: FakeAgentOpenAi;

beforeAll(async () => {
  [anthropicFake, openAiFake] = await Promise.all([startAgentAnthropic(), startAgentOpenAi()]);
});

afterAll(async () => {
  await Promise.all([anthropicFake.close(), openAiFake.close()]);
});

describe('fake Anthropic API for agents', () => {
  const client = () => new Anthropic({ apiKey: ANTHROPIC_KEY, baseURL: anthropicFake.origin, maxRetries: 0 });

  it('asks for the command, then quotes its output, streamed', async () => {
    const prompt = { role: 'user' as const, content: [{ type: 'text' as const, text: AGENT_PROMPT }] };
    const first = await client()
      .messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 100, tools: [bashTool], messages: [prompt] })
      .finalMessage();
    expect(first.stop_reason).toBe('tool_use');
    const call = first.content[0];
    expect(call?.type === 'tool_use' && call.input).toMatchObject({ command: AGENT_COMMAND });
    expect(first.usage.input_tokens).toBeGreaterThan(0);

    const second = await client()
      .messages.stream({
        model: 'claude-sonnet-4-5',
        max_tokens: 100,
        tools: [bashTool],
        messages: [
          prompt,
          { role: 'assistant', content: first.content },
          {
            role: 'user',
            content: [
              {
                type: 'tool_result',
                tool_use_id: call?.type === 'tool_use' ? call.id : '',
                content: `${AGENT_OUTPUT}\n`,
              },
            ],
          },
        ],
      })
      .finalMessage();
    expect(second.stop_reason).toBe('end_turn');
    expect(second.content).toMatchObject([{ type: 'text', text: `${ANSWER_PREFIX} ${AGENT_OUTPUT}` }]);
  });

  it('with thinking on, signs its thinking before the call and wants it back, as the real API does', async () => {
    const prompt = { role: 'user' as const, content: [{ type: 'text' as const, text: AGENT_PROMPT }] };
    const thinking = { type: 'enabled' as const, budget_tokens: 1024 };
    const ask = { model: 'claude-sonnet-4-5', max_tokens: 2000, tools: [bashTool], thinking };
    for (const first of [
      await client()
        .messages.stream({ ...ask, messages: [prompt] })
        .finalMessage(),
      await client().messages.create({ ...ask, messages: [prompt] }),
    ]) {
      expect(first.content.map((block) => block.type)).toEqual(['thinking', 'tool_use']);
      expect(first.content[0]).toMatchObject({
        thinking: AGENT_THINKING,
        signature: AGENT_THINKING_SIGNATURE,
      });
    }
    const first = await client().messages.create({ ...ask, messages: [prompt] });
    const call = first.content[1]!;
    const result = {
      role: 'user' as const,
      content: [
        { type: 'tool_result' as const, tool_use_id: call.type === 'tool_use' ? call.id : '', content: 'ok' },
      ],
    };
    const next = (content: typeof first.content) =>
      client().messages.create({
        ...ask,
        messages: [prompt, { role: 'assistant', content }, result],
      });
    await expect(next([call])).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('must start with a thinking block'),
    });
    const forged = [{ ...first.content[0]!, signature: 'forged' } as (typeof first.content)[number], call];
    await expect(next(forged)).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('Invalid `signature`'),
    });
    expect((await next(first.content)).stop_reason).toBe('end_turn');
  });

  it('answers other calls: a title request, count_tokens, the model list', async () => {
    const title = await client().messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'Write a title for this conversation' }],
    });
    expect(title.content).toEqual([{ type: 'text', text: 'ok' }]);
    const count = await client().messages.countTokens({
      model: 'claude-sonnet-4-5',
      messages: [{ role: 'user', content: AGENT_PROMPT }],
    });
    expect(count.input_tokens).toBeGreaterThan(0);
    const models = await client().models.list();
    expect(models.data.map((model) => model.id)).toContain('claude-sonnet-4-5');
  });

  it('refuses a system-role message as the real API does', async () => {
    const refused = client().messages.create({
      model: 'claude-opus-5-5',
      max_tokens: 50,
      messages: [
        { role: 'user', content: AGENT_PROMPT },
        { role: 'system' as 'user', content: 'Environment' },
      ],
    });
    await expect(refused).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('Unexpected role'),
    });
  });
});

describe('fake OpenAI Chat Completions API for agents', () => {
  const client = () => new OpenAI({ apiKey: VENDOR_KEY, baseURL: openAiFake.url, maxRetries: 0 });
  const tools = [
    {
      type: 'function' as const,
      function: { name: 'Bash', parameters: { type: 'object', properties: { command: { type: 'string' } } } },
    },
  ];

  it('calls the tool, then quotes its output, streamed with the usage chunk', async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [
      { role: 'system', content: 'You are an agent.' },
      { role: 'user', content: AGENT_PROMPT },
    ];
    const first = await client()
      .chat.completions.stream({ model: 'gpt-5', messages, tools, stream_options: { include_usage: true } })
      .finalChatCompletion();
    const choice = first.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    const call = choice.message.tool_calls?.[0];
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toMatchObject({
      command: AGENT_COMMAND,
    });
    expect(first.usage?.prompt_tokens).toBeGreaterThan(0);

    const second = await client().chat.completions.create({
      model: 'gpt-5',
      tools,
      messages: [
        ...messages,
        { role: 'assistant', content: null, tool_calls: choice.message.tool_calls ?? [] },
        { role: 'tool', tool_call_id: call?.id ?? '', content: `${AGENT_OUTPUT}\n` },
      ],
    });
    expect(second.choices[0]?.finish_reason).toBe('stop');
    expect(second.choices[0]?.message.content).toBe(`${ANSWER_PREFIX} ${AGENT_OUTPUT}`);
    expect(second.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('sends the usage chunk only when asked', async () => {
    const response = await fetch(`${openAiFake.url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${VENDOR_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-5', stream: true, messages: [{ role: 'user', content: 'Hi' }] }),
    });
    const text = await response.text();
    expect(text).not.toContain('"usage"');
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });
});
