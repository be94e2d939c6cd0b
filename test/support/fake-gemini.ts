import type { ServerResponse } from 'node:http';
import { fixtureChunks, fixtureJson } from './fixtures.ts';
import { sendJson, startFakeServer, type FakeServer, type SeenRequest } from './fake-server.ts';

export const GEMINI_KEY = 'AIzaTestVendorKey-0123456789abcdefghij';

type Part = {
  text?: string;
  inlineData?: { mimeType: string; data: string };
  functionCall?: { name: string };
  functionResponse?: { name: string };
  thoughtSignature?: string;
};
type Content = { role?: string; parts?: Part[] };

function googleError(response: ServerResponse, code: number, status: string, message: string) {
  sendJson(response, code, { error: { code, message, status } });
}

/**
 * What generateContent refuses: roles other than user/model, empty parts, a functionResponse
 * naming no call of the model turn before it, and (Gemini 3) a function call sent back without
 * its thought signature.
 */
export function contentsProblem(body: Record<string, unknown>, model: string): string | null {
  const contents = body['contents'] as Content[] | undefined;
  if (!Array.isArray(contents) || contents.length === 0)
    return '* GenerateContentRequest.contents: contents is not specified';
  let previous: Content | undefined;
  for (const [index, content] of contents.entries()) {
    if (content.role !== 'user' && content.role !== 'model')
      return `contents[${index}].role: must be user or model`;
    if (!Array.isArray(content.parts) || content.parts.length === 0)
      return `contents[${index}].parts: must not be empty`;
    if (previous?.role === content.role) return `contents[${index}]: consecutive turns with the same role`;
    for (const part of content.parts) {
      if (Object.keys(part).filter((key) => key !== 'thoughtSignature' && key !== 'thought').length === 0) {
        return `contents[${index}].parts: a part must hold data`;
      }
      if (part.functionResponse) {
        const calls = (previous?.parts ?? []).map((candidate) => candidate.functionCall?.name);
        if (!calls.includes(part.functionResponse.name)) {
          return `contents[${index}]: function response ${part.functionResponse.name} answers no function call`;
        }
      }
    }
    if (model.startsWith('gemini-3') && content.role === 'model') {
      const firstCall = content.parts.find((part) => part.functionCall);
      if (firstCall && !firstCall.thoughtSignature) {
        return `Function call is missing a thought_signature in functionCall parts (contents[${index}])`;
      }
    }
    previous = content;
  }
  return null;
}

function lastTurnHasFunctionResponse(contents: Content[]): boolean {
  return (contents.at(-1)?.parts ?? []).some((part) => part.functionResponse);
}

/**
 * A fake Generative Language API (v1beta) answering with the real recordings: a function call when
 * tools are offered and no response is back yet, the text answer otherwise; streamed or not.
 */
export function startFakeGemini(): Promise<FakeServer> {
  return startFakeServer((request: SeenRequest, response) => {
    const url = new URL(request.url, 'http://fake');
    if (request.headers['x-goog-api-key'] !== GEMINI_KEY) {
      return googleError(
        response,
        400,
        'INVALID_ARGUMENT',
        'API key not valid. Please pass a valid API key.',
      );
    }
    if (request.method === 'GET' && url.pathname === '/v1beta/models') {
      return sendJson(response, 200, {
        models: [
          { name: 'models/gemini-2.5-flash', supportedGenerationMethods: ['generateContent', 'countTokens'] },
          { name: 'models/gemini-3-pro-preview', supportedGenerationMethods: ['generateContent'] },
          { name: 'models/gemini-embedding-001', supportedGenerationMethods: ['embedContent'] },
        ],
      });
    }
    const match =
      /^\/v1beta\/models\/([^:]+):(generateContent|streamGenerateContent|batchEmbedContents)$/.exec(
        url.pathname,
      );
    if (request.method !== 'POST' || !match) {
      return googleError(response, 404, 'NOT_FOUND', `Not found: ${url.pathname}`);
    }
    const [, model = '', method] = match;
    const body = request.body ?? {};
    if (method === 'batchEmbedContents') {
      const requests = (body['requests'] as unknown[] | undefined) ?? [];
      return sendJson(response, 200, {
        embeddings: requests.map(() => ({ values: [0.012, -0.034, 0.056] })),
      });
    }
    const problem = contentsProblem(body, model);
    if (problem) return googleError(response, 400, 'INVALID_ARGUMENT', problem);
    const contents = body['contents'] as Content[];
    const wantsTool = Array.isArray(body['tools']) && !lastTurnHasFunctionResponse(contents);
    if (method === 'streamGenerateContent') {
      if (url.searchParams.get('alt') !== 'sse') {
        return googleError(response, 400, 'INVALID_ARGUMENT', 'this fake only streams with alt=sse');
      }
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const file = wantsTool ? 'google/google-tool-call.chunks.txt' : 'google/google-text.chunks.txt';
      // Gemini frames its events with CRLF and sends no [DONE]: the stream just ends.
      for (const line of fixtureChunks(file)) response.write(`data: ${line}\r\n\r\n`);
      response.end();
      return;
    }
    sendJson(
      response,
      200,
      fixtureJson(wantsTool ? 'google/google-tool-call.json' : 'google/google-text.json'),
    );
  });
}
