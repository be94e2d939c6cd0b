import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../gateway/errors.ts';
import type {
  AnthropicMessage,
  MessagesRequest,
} from '../../../../gateway/formats/anthropic-messages/messages-request.ts';
import { toAnthropicRequest } from '../../../../gateway/formats/anthropic-messages/request.ts';
import { validateChatRequest } from '../../../../gateway/formats/openai-chat/request-schema.ts';
import type { JsonObject } from '../../../../gateway/formats/types.ts';
import { messagesProblem } from '../../../support/fake-anthropic.ts';

/**
 * Arbitrary valid OpenAI conversations — every role, text and image parts, empty and blank
 * strings, same roles in a row, tool loops with their results, thinking blocks echoed or not —
 * must translate into a request Anthropic accepts.
 */

const text = fc.oneof(fc.constantFrom('', ' ', '\n\t', 'Hello', 'two words'), fc.string({ maxLength: 12 }));
const textPart = text.map((value) => ({ type: 'text', text: value }));
const imagePart = fc
  .constantFrom(
    'data:image/png;base64,iVBORw0KGgo=',
    'data:image/webp;base64,UklGRg==',
    'https://example.com/a.jpg',
  )
  .map((url) => ({ type: 'image_url', image_url: { url } }));
const userContent = fc.oneof(text, fc.array(fc.oneof(textPart, textPart, imagePart), { maxLength: 4 }));
const textContent = fc.oneof(text, fc.array(textPart, { maxLength: 3 }));
const assistantContent = fc.oneof(fc.constant(null), text, fc.array(textPart, { maxLength: 3 }));
const thinkingBlocks = fc.constantFrom<unknown[] | undefined>(
  undefined,
  [],
  [{ type: 'thinking', thinking: 'Thinking it over.', signature: 'sig-a' }],
  [
    { type: 'thinking', thinking: 'x', signature: 'sig-b' },
    { type: 'redacted_thinking', data: 'EmwKAhgB' },
  ],
  [{ type: 'thinking', thinking: 'unsigned' }],
);
const argumentsText = fc.oneof(
  fc.constant(''),
  fc
    .dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 })
    .map((value) => JSON.stringify(value)),
);

type Step =
  | { kind: 'system'; role: 'system' | 'developer'; content: unknown }
  | { kind: 'user'; content: unknown }
  | { kind: 'assistant'; content: unknown; thinking: unknown[] | undefined }
  | {
      kind: 'tools';
      content: unknown;
      thinking: unknown[] | undefined;
      calls: { arguments: string; odd: boolean; result: unknown }[];
      systemBetween: boolean;
    };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('system' as const),
    role: fc.constantFrom('system' as const, 'developer' as const),
    content: textContent,
  }),
  fc.record({ kind: fc.constant('user' as const), content: userContent }),
  fc.record({ kind: fc.constant('user' as const), content: userContent }),
  fc.record({ kind: fc.constant('assistant' as const), content: assistantContent, thinking: thinkingBlocks }),
  fc.record({
    kind: fc.constant('tools' as const),
    content: assistantContent,
    thinking: thinkingBlocks,
    calls: fc.array(fc.record({ arguments: argumentsText, odd: fc.boolean(), result: textContent }), {
      minLength: 1,
      maxLength: 3,
    }),
    systemBetween: fc.boolean(),
  }),
);

/** The OpenAI messages of a list of steps; tool call ids are unique, some with characters Anthropic refuses. */
function messagesOf(steps: readonly Step[]): JsonObject[] {
  let next = 0;
  return steps.flatMap((item): JsonObject[] => {
    switch (item.kind) {
      case 'system':
        return [{ role: item.role, content: item.content }];
      case 'user':
        return [{ role: 'user', content: item.content }];
      case 'assistant':
        return [
          {
            role: 'assistant',
            content: item.content,
            ...(item.thinking ? { thinking_blocks: item.thinking } : {}),
          },
        ];
      case 'tools': {
        const ids = item.calls.map((call) => (call.odd ? `fn.${next++}:0` : `call_${next++}`));
        return [
          {
            role: 'assistant',
            content: item.content,
            tool_calls: item.calls.map((call, index) => ({
              id: ids[index],
              type: 'function',
              function: { name: 'lookup', arguments: call.arguments },
            })),
            ...(item.thinking ? { thinking_blocks: item.thinking } : {}),
          },
          ...item.calls.flatMap((call, index): JsonObject[] => [
            { role: 'tool', tool_call_id: ids[index], content: call.result },
            ...(item.systemBetween && index === 0 ? [{ role: 'system', content: 'Be careful.' }] : []),
          ]),
        ];
      }
    }
  });
}

const lookup = {
  type: 'function',
  function: { name: 'lookup', parameters: { type: 'object', properties: {} } },
};

function translate(
  messages: JsonObject[],
  extra: JsonObject = {},
  model = 'claude-sonnet-4-5',
): MessagesRequest {
  const body = { messages, tools: [lookup], ...extra };
  validateChatRequest(body);
  return toAnthropicRequest(body, { model, stream: false, defaultMaxTokens: 8192 }) as MessagesRequest;
}

const blank = (value: string) => value.trim() === '';
const toolUseIds = (message: AnthropicMessage | undefined) =>
  (message?.content ?? []).flatMap((block) => (block.type === 'tool_use' ? [block.id] : []));
const toolResultIds = (message: AnthropicMessage | undefined) =>
  (message?.content ?? []).flatMap((block) => (block.type === 'tool_result' ? [block.tool_use_id] : []));

function expectAnthropicAccepts(out: MessagesRequest) {
  expect(Number.isInteger(out.max_tokens) && out.max_tokens > 0).toBe(true);
  expect(out.messages.length).toBeGreaterThan(0);
  out.messages.forEach((message, index) => {
    expect(message.role).toBe(index % 2 === 0 ? 'user' : 'assistant');
    expect(message.content.length).toBeGreaterThan(0);
    for (const block of message.content) {
      if (block.type === 'text') expect(blank(block.text)).toBe(false);
      if (block.type === 'tool_use')
        expect(Object.prototype.toString.call(block.input)).toBe('[object Object]');
      if (block.type === 'tool_use' || block.type === 'tool_result') {
        expect(block.type === 'tool_use' ? block.id : block.tool_use_id).toMatch(/^[a-zA-Z0-9_-]+$/);
      }
    }
    if (message.role === 'user') {
      // Every tool_result answers a tool_use of the turn just before, and results come first.
      const results = toolResultIds(message);
      const asked = toolUseIds(out.messages[index - 1]);
      for (const id of results) expect(asked).toContain(id);
      const firstOther = message.content.findIndex((block) => block.type !== 'tool_result');
      if (firstOther !== -1)
        expect(message.content.slice(firstOther).some((block) => block.type === 'tool_result')).toBe(false);
    } else {
      // Every tool_use is answered in the next turn, and thinking comes first and is not alone.
      const answers = toolResultIds(out.messages[index + 1]);
      for (const id of toolUseIds(message)) expect(answers).toContain(id);
      const kinds = message.content.map((block) =>
        block.type === 'thinking' || block.type === 'redacted_thinking' ? 'thinking' : 'other',
      );
      expect(kinds.indexOf('other')).toBeGreaterThanOrEqual(0);
      expect(kinds.slice(kinds.indexOf('other'))).not.toContain('thinking');
    }
  });
  for (const block of out.system ?? []) expect(blank(block.text)).toBe(false);
  // The fake Anthropic of the integration tests, which checks what the real API checks.
  expect(messagesProblem(out as unknown as Record<string, unknown>)).toBeNull();
}

describe('any valid OpenAI conversation', () => {
  it('translates into a request Anthropic accepts', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 12 }), (steps) => {
        expectAnthropicAccepts(translate(messagesOf(steps)));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps every tool call, every tool result, and every user text that is not blank, in order', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 12 }), (steps) => {
        const messages = messagesOf(steps);
        const out = translate(messages);
        const calls = messages.flatMap((message) => (message['tool_calls'] as unknown[] | undefined) ?? []);
        const toolMessages = messages.filter((message) => message['role'] === 'tool');
        expect(out.messages.flatMap(toolUseIds)).toHaveLength(calls.length);
        expect(out.messages.flatMap(toolResultIds)).toHaveLength(toolMessages.length);
        const userTexts = messages
          .filter((message) => message['role'] === 'user')
          .flatMap((message) => {
            const content = message['content'] as string | { type: string; text?: string }[];
            return typeof content === 'string'
              ? [content]
              : content.flatMap((part) => (part.type === 'text' ? [part.text!] : []));
          })
          .filter((value) => !blank(value));
        const sentTexts = out.messages
          .filter((message) => message.role === 'user')
          .flatMap((message) =>
            message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])),
          )
          .filter((value) => value !== '(conversation start)');
        expect(sentTexts).toEqual(userTexts);
      }),
      { numRuns: 300 },
    );
  });

  it('never combines thinking with what Anthropic refuses alongside it', () => {
    const options = fc.record({
      reasoning_effort: fc.constantFrom(
        undefined,
        'none',
        'minimal',
        'low',
        'medium',
        'high',
        'xhigh',
        'max',
      ),
      tool_choice: fc.constantFrom(undefined, 'auto', 'none', 'required', {
        type: 'function',
        function: { name: 'lookup' },
      }),
      response_format: fc.constantFrom(
        undefined,
        { type: 'text' },
        { type: 'json_object' },
        {
          type: 'json_schema',
          json_schema: {
            name: 'x',
            strict: true,
            schema: { type: 'object', properties: {}, additionalProperties: false },
          },
        },
      ),
      temperature: fc.constantFrom(undefined, 0, 0.7, 1, 2),
      top_p: fc.constantFrom(undefined, 0.5, 0.96, 1),
      max_tokens: fc.constantFrom(undefined, 1, 1024, 5000, 100000),
    });
    const model = fc.constantFrom(
      'claude-3-7-sonnet-latest',
      'claude-sonnet-4-5',
      'claude-opus-4-6',
      'claude-opus-4-7',
      'claude-3-5-haiku-latest',
    );
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 8 }), options, model, (steps, extra, modelId) => {
        const defined = Object.fromEntries(Object.entries(extra).filter(([, value]) => value !== undefined));
        const out = translate(messagesOf(steps), defined, modelId);
        expectAnthropicAccepts(out);
        if (out.thinking) {
          expect(out.tool_choice?.type === 'any' || out.tool_choice?.type === 'tool').toBe(false);
          expect(out.temperature === undefined || out.temperature === 1).toBe(true);
          expect(out.top_p === undefined || out.top_p >= 0.95).toBe(true);
          if (out.thinking.type === 'enabled') {
            expect(out.thinking.budget_tokens).toBeGreaterThanOrEqual(1024);
            expect(out.max_tokens).toBeGreaterThan(out.thinking.budget_tokens);
          }
          // The turn Anthropic checks starts with its thinking blocks.
          const last = out.messages.at(-1)!;
          const checked =
            last.role === 'assistant'
              ? last
              : toolResultIds(last).length > 0
                ? out.messages.at(-2)
                : undefined;
          if (checked) expect(['thinking', 'redacted_thinking']).toContain(checked.content[0]!.type);
        } else if (out.messages.at(-1)!.role === 'assistant') {
          expect(
            out.messages
              .at(-1)!
              .content.some((block) => block.type === 'thinking' || block.type === 'redacted_thinking'),
          ).toBe(false);
        }
        if (out.temperature !== undefined && out.top_p !== undefined)
          expect(['claude-3-7-sonnet-latest', 'claude-3-5-haiku-latest']).toContain(modelId);
        if (modelId === 'claude-opus-4-7') expect(out.temperature ?? out.top_p).toBeUndefined();
        if (out.temperature !== undefined) expect(out.temperature).toBeLessThanOrEqual(1);
      }),
      { numRuns: 500 },
    );
  });
});

describe('any JSON body at all', () => {
  it('is translated or refused with a 400 GatewayError, never a crash', () => {
    const anyValue = fc.jsonValue({ maxDepth: 3 });
    const looseMessage = fc.record(
      {
        role: fc.constantFrom(
          'system',
          'developer',
          'user',
          'assistant',
          'tool',
          'function',
          'constructor',
          'x',
        ),
        content: fc.oneof(
          anyValue,
          fc.array(
            fc.record(
              {
                type: fc.constantFrom('text', 'image_url', 'file', 'refusal', 'input_audio'),
                text: anyValue,
                image_url: anyValue,
                file: anyValue,
              },
              { requiredKeys: ['type'] },
            ),
          ),
        ),
        tool_calls: fc.oneof(
          anyValue,
          fc.array(
            fc.record({
              id: anyValue,
              type: anyValue,
              function: fc.record({ name: anyValue, arguments: anyValue }),
            }),
          ),
        ),
        tool_call_id: anyValue,
        thinking_blocks: fc.oneof(
          anyValue,
          fc.array(
            fc.record({
              type: fc.constantFrom('thinking', 'redacted_thinking'),
              thinking: anyValue,
              signature: anyValue,
              data: anyValue,
            }),
          ),
        ),
      },
      { requiredKeys: ['role'] },
    );
    const body = fc.record(
      {
        messages: fc.oneof(anyValue, fc.array(looseMessage, { maxLength: 6 })),
        tools: fc.oneof(
          anyValue,
          fc.array(fc.record({ type: fc.constantFrom('function', 'custom'), function: anyValue })),
        ),
        tool_choice: anyValue,
        response_format: fc.oneof(
          anyValue,
          fc.record({ type: fc.constantFrom('json_schema', 'json_object', 'text'), json_schema: anyValue }),
        ),
        reasoning_effort: anyValue,
        max_tokens: anyValue,
        temperature: anyValue,
        stop: anyValue,
        n: anyValue,
        logit_bias: anyValue,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(body, (value) => {
        try {
          // As the pipeline runs it: validated for every route, then translated.
          validateChatRequest(value as JsonObject);
          toAnthropicRequest(value as JsonObject, {
            model: 'claude-sonnet-4-5',
            stream: false,
            defaultMaxTokens: 1024,
          });
        } catch (error) {
          expect(error).toBeInstanceOf(GatewayError);
          expect((error as GatewayError).status).toBe(400);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
