import { describe, expect, it } from 'vitest';
import { readAnswer, readPrompt } from '../../renderer/src/lib/readable.ts';
import { fixtureChunks, fixtureJson } from '../support/fixtures.ts';

/** A recorded stream as the client got it: one `data:` event per recorded chunk. */
const sse = (path: string) =>
  fixtureChunks(path)
    .map((line) => `data: ${line}\n\n`)
    .join('');

describe('an answer put together for reading', () => {
  it('from each format’s recorded stream', () => {
    expect(readAnswer(sse('openai/openai-text.chunks.txt'))!.text).toMatch(
      /^\*\*Holiday Name:\*\* Harmony Day/,
    );
    expect(readAnswer(sse('openai/openai-text.chunks.txt'))!.text).toHaveLength(1724);
    expect(readAnswer(sse('anthropic/anthropic-text.chunks.txt'))!.text).toMatch(
      /^Hello! I'm doing well, thank you for asking\./,
    );
    expect(readAnswer(sse('google/google-text.chunks.txt'))!.text).toBe(
      'There are **3** "r"s in strawberry.\n\nst**r**awbe**rr**y',
    );
    const responses = readAnswer(sse('openai/responses/openai-reasoning-encrypted-content.1.chunks.txt'))!;
    expect(responses.text).toBe('The final result is **570**.');
  });

  it('with its reasoning apart, from a stream that thinks', () => {
    const answer = readAnswer(sse('anthropic/anthropic-clear-thinking.1.chunks.txt'))!;
    expect(answer.reasoning).toMatch(/925/);
    expect(answer.text).toMatch(/185/);
    expect(answer.text).not.toContain(answer.reasoning);
  });

  it('with tool calls and their arguments, whole or streamed', () => {
    expect(readAnswer(JSON.stringify(fixtureJson('google/google-tool-call.json')))!.toolCalls).toEqual([
      { name: 'weather', arguments: '{"location":"San Francisco"}' },
    ]);
    const streamed = readAnswer(sse('anthropic/anthropic-json-other-tool.1.chunks.txt'))!;
    expect(streamed.toolCalls).toHaveLength(1);
    expect(JSON.parse(streamed.toolCalls[0]!.arguments)).toBeTypeOf('object');
    // The same call, whole or streamed (the stream's arguments as the vendor spaced them).
    const parsed = (calls: { name: string; arguments: string }[]) =>
      calls.map((call) => ({ name: call.name, arguments: JSON.parse(call.arguments) as unknown }));
    const whole = readAnswer(JSON.stringify(fixtureJson('anthropic/anthropic-json-other-tool.1.json')))!;
    expect(parsed(whole.toolCalls)).toEqual(parsed(streamed.toolCalls));
  });

  it('from whole answers, and not at all from what is no answer', () => {
    expect(readAnswer(JSON.stringify(fixtureJson('openai/openai-text.json')))!.text.length).toBeGreaterThan(
      100,
    );
    expect(readAnswer(JSON.stringify(fixtureJson('anthropic/anthropic-text.json')))!.text).toMatch(/Hello/);
    expect(readAnswer('<html>Bad gateway</html>')).toBeNull();
  });

  it('not from JSON that is no answer: an error, an embeddings answer', () => {
    expect(readAnswer(JSON.stringify({ error: { message: 'Invalid API key', type: 'auth' } }))).toBeNull();
    expect(readAnswer('data: {"type":"error","error":{"type":"overloaded_error"}}\n\n')).toBeNull();
    expect(
      readAnswer(
        JSON.stringify({
          object: 'list',
          data: [{ object: 'embedding', index: 0, embedding: [0.1, -0.2] }],
          model: 'text-embedding-3-small',
          usage: { prompt_tokens: 2, total_tokens: 2 },
        }),
      ),
    ).toBeNull();
  });

  it('from a whole Responses object', () => {
    expect(
      readAnswer(
        JSON.stringify({
          object: 'response',
          output: [
            { type: 'reasoning', summary: [{ type: 'summary_text', text: 'Think.' }] },
            {
              type: 'message',
              role: 'assistant',
              content: [{ type: 'output_text', text: 'Done.', annotations: [] }],
            },
          ],
        }),
      ),
    ).toEqual({ text: 'Done.', reasoning: 'Think.', toolCalls: [] });
  });
});

describe('a prompt read as a conversation', () => {
  it('OpenAI: system, user with an image, the assistant’s call, the tool’s result', () => {
    const turns = readPrompt(
      JSON.stringify({
        model: 'gpt-4o',
        messages: [
          { role: 'system', content: 'Be brief.' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is this?' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
            ],
          },
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'c1', type: 'function', function: { name: 'look', arguments: '{"x":1}' } }],
          },
          { role: 'tool', tool_call_id: 'c1', content: 'a cat' },
        ],
      }),
    );
    expect(turns).toEqual([
      { role: 'system', parts: [{ type: 'text', text: 'Be brief.' }] },
      {
        role: 'user',
        parts: [
          { type: 'text', text: 'What is this?' },
          { type: 'image', src: 'data:image/png;base64,AAAA' },
        ],
      },
      { role: 'assistant', parts: [{ type: 'tool-call', name: 'look', arguments: '{"x":1}' }] },
      { role: 'tool', parts: [{ type: 'tool-result', text: 'a cat' }] },
    ]);
  });

  it('Anthropic, Gemini and Responses alike', () => {
    expect(
      readPrompt(
        JSON.stringify({
          system: 'Be brief.',
          messages: [
            { role: 'user', content: 'Weather?' },
            {
              role: 'assistant',
              content: [{ type: 'tool_use', id: 't', name: 'weather', input: { city: 'Paris' } }],
            },
            { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'sunny' }] },
          ],
        }),
      )!.map((turn) => turn.parts[0]!.type),
    ).toEqual(['text', 'text', 'tool-call', 'tool-result']);
    expect(
      readPrompt(
        JSON.stringify({
          systemInstruction: { parts: [{ text: 'Be brief.' }] },
          contents: [
            { role: 'user', parts: [{ text: 'Hi' }] },
            { role: 'model', parts: [{ functionCall: { name: 'f', args: {} } }] },
          ],
        }),
      )!.map((turn) => turn.role),
    ).toEqual(['system', 'user', 'assistant']);
    expect(
      readPrompt(
        JSON.stringify({
          instructions: 'Be brief.',
          input: [
            { role: 'user', content: [{ type: 'input_text', text: 'Run ls' }] },
            { type: 'function_call', call_id: 'c', name: 'shell', arguments: '{"cmd":"ls"}' },
            { type: 'function_call_output', call_id: 'c', output: 'a.txt' },
          ],
        }),
      ),
    ).toEqual([
      { role: 'system', parts: [{ type: 'text', text: 'Be brief.' }] },
      { role: 'user', parts: [{ type: 'text', text: 'Run ls' }] },
      { role: 'assistant', parts: [{ type: 'tool-call', name: 'shell', arguments: '{"cmd":"ls"}' }] },
      { role: 'tool', parts: [{ type: 'tool-result', text: 'a.txt' }] },
    ]);
    expect(readPrompt('not json')).toBeNull();
  });

  it('a Responses image part, as sent', () => {
    expect(
      readPrompt(
        JSON.stringify({
          input: [
            {
              role: 'user',
              content: [
                { type: 'input_text', text: 'What is this?' },
                { type: 'input_image', image_url: 'data:image/png;base64,AAAA' },
              ],
            },
          ],
        }),
      ),
    ).toEqual([
      {
        role: 'user',
        parts: [
          { type: 'text', text: 'What is this?' },
          { type: 'image', src: 'data:image/png;base64,AAAA' },
        ],
      },
    ]);
  });

  it('not at all when it has no turn: an embeddings request', () => {
    expect(
      readPrompt(JSON.stringify({ model: 'text-embedding-3-small', input: ['hello', 'world'] })),
    ).toBeNull();
    expect(
      readPrompt(JSON.stringify({ model: 'text-embedding-3-small', input: [[15339, 1917]] })),
    ).toBeNull();
    expect(readPrompt(JSON.stringify({ model: 'gpt-4o', messages: [] }))).toBeNull();
  });
});
