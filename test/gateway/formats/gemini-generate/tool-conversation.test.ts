import { describe, expect, it } from 'vitest';
import type { SseEvent } from '../../../../gateway/protocol/sse.ts';
import { geminiGenerateFormat } from '../../../../gateway/formats/gemini-generate/index.ts';
import { hubPartData } from '../../../../gateway/formats/openai-chat/encode-hub-part.ts';
import type { JsonObject } from '../../../../gateway/formats/types.ts';
import { fixtureChunks, fixtureJson } from '../../../support/fixtures.ts';

/*
 * A two-turn tool conversation through the vendor, as a client runs it: Gemini answers with a
 * signed function call; the client echoes the assistant message (once whole, once as a lossy
 * client does: the id only) with the tool's result; the next request must give Gemini the call
 * with its thought signature and the result with the call's name.
 */

const signature =
  'EskgCsYgAb4+9vtF7/499YQS2bjZs3xcQI+iAl+ILn29nK1j0Kg6su7QsUUUk3nrAAfnS2w5WiVvlcCqu9fAebJ2cvfaEyBahEt5';
const question = { role: 'user', content: 'What is the weather in San Francisco?' };
const model = 'gemini-3-pro-preview';

interface ToolCall {
  id: string;
  type: string;
  function: { name: string; arguments: string };
  extra_content?: unknown;
}

function nextRequest(assistant: JsonObject, toolCallId: string) {
  return geminiGenerateFormat.chat.request(
    {
      model,
      messages: [
        question,
        assistant,
        { role: 'tool', tool_call_id: toolCallId, content: '{"temperature":"18C"}' },
      ],
    },
    { model, stream: false, defaultMaxTokens: 1024 },
  );
}

const expectedContents = [
  { role: 'user', parts: [{ text: 'What is the weather in San Francisco?' }] },
  {
    role: 'model',
    parts: [
      { functionCall: { name: 'weather', args: { location: 'San Francisco' } }, thoughtSignature: signature },
    ],
  },
  { role: 'user', parts: [{ functionResponse: { name: 'weather', response: { temperature: '18C' } } }] },
];

describe('a two-turn tool conversation', () => {
  const answer = geminiGenerateFormat.chat.response(fixtureJson('google/google-tool-call.json'), {
    model,
    created: 1,
  }).body!;
  const message = (answer['choices'] as { message: JsonObject }[])[0]!.message;
  const toolCall = (message['tool_calls'] as ToolCall[])[0]!;

  it('sends the signature back when the client echoes the whole assistant message', () => {
    expect(nextRequest(message, toolCall.id)['contents']).toEqual(expectedContents);
  });

  it('sends the signature back when the client kept only the id (no extra_content anywhere)', () => {
    const lossy = {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: toolCall.id, type: 'function', function: toolCall.function }],
    };
    expect(nextRequest(lossy, toolCall.id)['contents']).toEqual(expectedContents);
  });

  it('does the same for a call assembled from a stream', () => {
    const state = geminiGenerateFormat.chat.stream.init({ model, created: 1, clientWantsUsage: false });
    const payloads = fixtureChunks('google/google-tool-call.chunks.txt').flatMap((data) =>
      geminiGenerateFormat.chat.stream
        .next(state, { event: undefined, data, id: undefined } satisfies SseEvent)
        .map(hubPartData),
    );
    const first = payloads
      .map((payload) => JSON.parse(payload) as { choices: { delta: { tool_calls?: ToolCall[] } }[] })
      .flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? [])[0]!;
    const lossy = {
      role: 'assistant',
      content: '',
      tool_calls: [{ id: first.id, type: 'function', function: first.function }],
    };
    const contents = nextRequest(lossy, first.id)['contents'] as { parts: JsonObject[] }[];
    expect(contents[1]!.parts[0]!['thoughtSignature']).toBe(
      'EqUCCqICAb4+9vsh8Pd5taZVoPzSvjWWwzBrvhEQWBLCGa7IdY8FBMm7Z6dCKFU3Ft0la15gF7RaHe1NlPRygQec0bFwPDfMwGcUOMNiJiNIKxusCs4ejCZRuouNYQ4etEIt7CujEUHiILLfZXSJZYhs4UCrD2bLqPq0sE0lWgYJnzHkkKUOnMsA2hKffAhtF4DWn5INYj8pPssvch/2VpDFW2F9XSE04zLDzkIWF2eztJX50Y0lTehRZC3FW7fOrXCzGx+PwdataD6eXlF5O1zn+86XtmktOs2DEp4o1PMvXFFAXe8GGvPt8Idf3UtHMq7AsapwMW9sjiKj+FJk54m+9LMTSaj7C86smfvoQryYBEHTVazr1bEnpl4bPG5JUtm2yAMkHj4=',
    );
    expect(contents[2]!.parts).toEqual([
      { functionResponse: { name: 'weather', response: { temperature: '18C' } } },
    ]);
  });

  it("sends a text answer's signature back on its text", () => {
    const text = geminiGenerateFormat.chat.response(fixtureJson('google/google-text.json'), {
      model,
      created: 1,
    }).body!;
    const assistant = (text['choices'] as { message: JsonObject }[])[0]!.message;
    const body = geminiGenerateFormat.chat.request(
      { model, messages: [question, assistant, { role: 'user', content: 'And in Oakland?' }] },
      { model, stream: false, defaultMaxTokens: 1024 },
    );
    const contents = body['contents'] as { role: string; parts: JsonObject[] }[];
    expect(contents[1]!.parts).toEqual([
      {
        text: "There are **3** r's in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.",
        thoughtSignature:
          'EtoFCtcFAb4+9vtfe4MXRxQjw48U1WKrR/7lYsgFkVi/bepqsSPjY0VU7HEzkeCBIfy1fu5t9aUZ4IZ65aWagqbBrV45fc97olcg',
      },
    ]);
  });
});
