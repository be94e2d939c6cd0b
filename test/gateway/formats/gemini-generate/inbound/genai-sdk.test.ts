import { GoogleGenAI } from '@google/genai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { geminiInbound } from '../../../../../gateway/formats/gemini-generate/inbound/index.ts';
import { fixtureChunks, fixtureJson } from '../../../../support/fixtures.ts';
import { startFakeServer, type FakeServer } from '../../../../support/fake-server.ts';
import { encodeOpenAiChunks } from './encode.ts';

/*
 * What the encoder writes, read by Google's own SDK: a server on 127.0.0.1 answers with the
 * translation of recorded OpenAI-format answers, as the gateway would for a route of another vendor.
 */

let server: FakeServer;

beforeAll(async () => {
  server = await startFakeServer((request, response) => {
    if (request.url.includes(':streamGenerateContent')) {
      const { data } = encodeOpenAiChunks(fixtureChunks('openai-compatible/deepseek-tool-call.chunks.txt'));
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end(data.map((text) => `data: ${text}\r\n\r\n`).join(''));
      return;
    }
    const answer = geminiInbound.response(fixtureJson('openai-compatible/deepseek-tool-call.json'), {
      model: 'gemini-2.5-flash',
    });
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(answer));
  });
});

afterAll(async () => {
  await server.close();
});

const client = () => new GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: server.origin } });

describe('@google/genai reads the translated answers', () => {
  it('generateContent: the function call, its id and the usage', async () => {
    const response = await client().models.generateContent({
      model: 'gemini-2.5-flash',
      contents: 'Weather?',
    });
    expect(response.functionCalls).toEqual([
      { id: 'call_00_9V0vrf86Pc9aelHCJMZqnJBo', name: 'weather', args: { location: 'San Francisco' } },
    ]);
    expect(response.candidates?.[0]?.finishReason).toBe('STOP');
    expect(response.usageMetadata?.promptTokenCount).toBe(339);
    expect(response.usageMetadata?.thoughtsTokenCount).toBe(48);
    expect(response.modelVersion).toBe('gemini-2.5-flash');
  });

  it('generateContentStream: thoughts, one whole function call, then the finish with usage', async () => {
    const stream = await client().models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: 'Weather?',
    });
    const calls: unknown[] = [];
    let thoughts = '';
    let finishReason: string | undefined;
    let promptTokens: number | undefined;
    for await (const chunk of stream) {
      calls.push(...(chunk.functionCalls ?? []));
      for (const part of chunk.candidates?.[0]?.content?.parts ?? [])
        if (part.thought) thoughts += part.text ?? '';
      finishReason = chunk.candidates?.[0]?.finishReason ?? finishReason;
      promptTokens = chunk.usageMetadata?.promptTokenCount ?? promptTokens;
    }
    expect(calls).toEqual([
      { id: 'call_00_ioIn7yN9p1ZOMNpDLwd4MgAF', name: 'weather', args: { location: 'San Francisco' } },
    ]);
    expect(thoughts).toMatch(/^The user is asking for the weather/);
    expect(finishReason).toBe('STOP');
    expect(promptTokens).toBe(339);
  });
});
