import { describe, expect, it } from 'vitest';
import { droppedTools, openAiResponsesFormat } from '../../../../gateway/formats/openai-responses/index.ts';
import type { JsonObject } from '../../../../gateway/formats/types.ts';

/** Codex's `multi_agent_v1`: a namespace group of functions, which other vendors know only as functions. */
const NAMESPACE = {
  type: 'namespace',
  name: 'multi_agent_v1',
  description: 'Sub-agents',
  tools: [
    {
      type: 'function',
      name: 'spawn_agent',
      description: 'Start one',
      parameters: { type: 'object', properties: { task: { type: 'string' } } },
      strict: false,
    },
  ],
};
const inbound = openAiResponsesFormat.inbound!;

describe('namespace tool groups (Codex) on routes of other vendors', () => {
  it('offers the group’s functions, each named with its group, and drops an empty group', () => {
    const body = { input: 'Hi', tools: [NAMESPACE, { type: 'namespace', name: 'empty', tools: [] }] };
    const hub = inbound.request(body, { model: 'claude-sonnet-4-5' });
    const tools = hub['tools'] as { function: { name: string; description?: string } }[];
    expect(tools.map((tool) => tool.function.name)).toEqual(['multi_agent_v1__ns__spawn_agent']);
    expect(tools[0]!.function.description).toBe('Start one');
    expect(droppedTools(body)).toEqual(['namespace:empty']);
  });

  it('answers a call of a group’s function with its name and namespace, and takes it back so', () => {
    const answer: JsonObject = {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1,
      model: 'claude-sonnet-4-5',
      choices: [
        {
          index: 0,
          finish_reason: 'tool_calls',
          message: {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: 'toolu_1',
                type: 'function',
                function: { name: 'multi_agent_v1__ns__spawn_agent', arguments: '{"task":"x"}' },
              },
            ],
          },
        },
      ],
    };
    const response = inbound.response(answer, { model: 'claude-sonnet-4-5' });
    const call = (response['output'] as JsonObject[]).find((item) => item['type'] === 'function_call');
    expect(call).toMatchObject({ name: 'spawn_agent', namespace: 'multi_agent_v1', call_id: 'toolu_1' });

    const next = inbound.request(
      {
        tools: [NAMESPACE],
        input: [call, { type: 'function_call_output', call_id: 'toolu_1', output: 'started' }],
      },
      { model: 'claude-sonnet-4-5' },
    );
    const assistant = (next['messages'] as JsonObject[]).find((message) => message['role'] === 'assistant');
    expect(assistant).toMatchObject({
      tool_calls: [{ id: 'toolu_1', function: { name: 'multi_agent_v1__ns__spawn_agent' } }],
    });
  });
});
