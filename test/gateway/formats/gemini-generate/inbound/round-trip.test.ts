import { describe, expect, it } from 'vitest';
import { geminiGenerateFormat } from '../../../../../gateway/formats/gemini-generate/index.ts';
import { geminiInbound } from '../../../../../gateway/formats/gemini-generate/inbound/index.ts';
import type { JsonObject } from '../../../../../gateway/formats/types.ts';
import { fixtureJson } from '../../../../support/fixtures.ts';

/*
 * Gemini in, Gemini out: a client's request through the hub and the outbound direction must reach
 * Gemini saying the same thing, and a signed call must come back signed on the next turn.
 */

const model = 'gemini-3-pro-preview';
const throughHub = (body: JsonObject) =>
  geminiGenerateFormat.chat.request(geminiInbound.request(body, { model }), {
    model,
    stream: false,
    defaultMaxTokens: 1024,
  });

/** Parts as Gemini reads them: the stand-in signature the outbound direction adds means "unsigned". */
const unsigned = (contents: unknown) =>
  JSON.parse(
    JSON.stringify(contents).replaceAll(',"thoughtSignature":"skip_thought_signature_validator"', ''),
  ) as unknown;

describe('Gemini request → hub → Gemini request', () => {
  const body = {
    systemInstruction: { parts: [{ text: 'You are a shell assistant.' }] },
    contents: [
      {
        role: 'user',
        parts: [
          { text: 'List the files, then read a.txt' },
          { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
        ],
      },
      {
        role: 'model',
        parts: [
          { text: 'Thinking', thought: true },
          { text: 'Sure.' },
          { functionCall: { name: 'run_shell', args: { command: 'ls' } } },
          { functionCall: { name: 'read_file', args: { path: 'a.txt', lines: [1, 2] } } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'run_shell', response: { output: 'a.txt b.txt' } } },
          { functionResponse: { name: 'read_file', response: { content: 'hello' } } },
        ],
      },
    ],
    tools: [
      {
        functionDeclarations: [
          {
            name: 'run_shell',
            description: 'Runs a command',
            parametersJsonSchema: {
              type: 'object',
              properties: { command: { type: 'string' } },
              required: ['command'],
            },
          },
          {
            name: 'read_file',
            parameters: {
              type: 'OBJECT',
              properties: { path: { type: 'STRING' }, lines: { type: 'ARRAY', items: { type: 'INTEGER' } } },
              required: ['path'],
            },
          },
        ],
      },
    ],
    toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['run_shell', 'read_file'] } },
    generationConfig: {
      temperature: 0.3,
      topP: 0.8,
      maxOutputTokens: 2048,
      stopSequences: ['STOP!'],
      seed: 3,
      responseMimeType: 'application/json',
      responseJsonSchema: {
        type: 'object',
        properties: { files: { type: 'array', items: { type: 'string' } } },
      },
      thinkingConfig: { thinkingLevel: 'HIGH', includeThoughts: true },
    },
  };

  it('keeps contents, function responses, tools, tool config and generation config', () => {
    const out = throughHub(body);
    const thoughtless = body.contents.map((content) => ({
      ...content,
      parts: content.parts.filter((part) => !('thought' in part)),
    }));
    expect(unsigned(out['contents'])).toEqual(thoughtless);
    expect(out['systemInstruction']).toEqual(body.systemInstruction);
    expect(out['tools']).toEqual([
      {
        functionDeclarations: [
          {
            name: 'run_shell',
            description: 'Runs a command',
            parametersJsonSchema: body.tools[0]!.functionDeclarations[0]!.parametersJsonSchema,
          },
          {
            name: 'read_file',
            parametersJsonSchema: {
              type: 'object',
              properties: { path: { type: 'string' }, lines: { type: 'array', items: { type: 'integer' } } },
              required: ['path'],
            },
          },
        ],
      },
    ]);
    expect(out['toolConfig']).toEqual({ functionCallingConfig: { mode: 'ANY' } });
    expect(out['generationConfig']).toEqual({
      temperature: 0.3,
      topP: 0.8,
      maxOutputTokens: 2048,
      stopSequences: ['STOP!'],
      seed: 3,
      responseMimeType: 'application/json',
      responseJsonSchema: body.generationConfig.responseJsonSchema,
      thinkingConfig: { thinkingLevel: 'HIGH', includeThoughts: true },
    });
  });

  it("keeps a signed call's thought signature across turns, so that Gemini 3 takes the next turn", () => {
    // Turn 1: Gemini answers with a signed call; the client gets it in Gemini's shape.
    const upstream = fixtureJson('google/google-tool-call.json');
    const original = ((upstream['candidates'] as JsonObject[])[0]!['content'] as { parts: JsonObject[] })
      .parts[0]!;
    const hubAnswer = geminiGenerateFormat.chat.response(upstream, { model, created: 1 }).body!;
    const answer = geminiInbound.response(hubAnswer, { model });
    const modelTurn = (answer['candidates'] as JsonObject[])[0]!['content'] as JsonObject;
    const call = (modelTurn['parts'] as JsonObject[])[0]!['functionCall'] as JsonObject;

    // Turn 2: the client sends its history back, as Gemini CLI does (the call's id on the response).
    const next = throughHub({
      contents: [
        { role: 'user', parts: [{ text: 'Weather in San Francisco?' }] },
        modelTurn,
        {
          role: 'user',
          parts: [
            { functionResponse: { id: call['id'], name: 'weather', response: { temperature: '18C' } } },
          ],
        },
      ],
    });
    const contents = next['contents'] as { parts: JsonObject[] }[];
    expect(contents[1]!.parts).toEqual([
      {
        functionCall: { name: 'weather', args: { location: 'San Francisco' } },
        thoughtSignature: original['thoughtSignature'],
      },
    ]);
    expect(contents[2]!.parts).toEqual([
      { functionResponse: { name: 'weather', response: { temperature: '18C' } } },
    ]);

    // A client that drops the id still sends the part's signature: it alone carries the call's.
    const { id: _id, ...withoutId } = call;
    const lossy = throughHub({
      contents: [
        { role: 'user', parts: [{ text: 'Weather in San Francisco?' }] },
        { ...modelTurn, parts: [{ ...(modelTurn['parts'] as JsonObject[])[0], functionCall: withoutId }] },
        {
          role: 'user',
          parts: [{ functionResponse: { name: 'weather', response: { temperature: '18C' } } }],
        },
      ],
    });
    expect((lossy['contents'] as { parts: JsonObject[] }[])[1]!.parts[0]!['thoughtSignature']).toBe(
      original['thoughtSignature'],
    );
  });
});
