import type { ServerResponse } from 'node:http';
import { startFakeServer, type FakeServer, type SeenRequest } from './fake-server.ts';
import { fixtureChunks, fixtureJson } from './fixtures.ts';

export type { SeenRequest, Handler } from './fake-server.ts';

export interface FakeOpenAi extends FakeServer {
  /** The base URL an OpenAI route takes: http://127.0.0.1:PORT/v1. */
  url: string;
}

/**
 * A fake OpenAI-format upstream that answers with the real recordings in ../shared/fixtures:
 * chat (stream or not; a tool-call stream when the request has tools), embeddings, models.
 */
export async function startFakeOpenAi(): Promise<FakeOpenAi> {
  const server = await startFakeServer(defaultHandler);
  return Object.assign(server, { url: `${server.origin}/v1` });
}

function json(response: ServerResponse, status: number, body: unknown) {
  response.writeHead(status, { 'content-type': 'application/json', 'x-request-id': 'req_fake_1' });
  response.end(JSON.stringify(body));
}

export function sse(response: ServerResponse, payloads: string[], done = true) {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const payload of payloads) response.write(`data: ${payload}\n\n`);
  if (done) response.write('data: [DONE]\n\n');
  response.end();
}

function defaultHandler(request: SeenRequest, response: ServerResponse) {
  const path = request.url.split('?')[0];
  const body = request.body ?? {};
  if (request.method === 'GET' && path === '/v1/models') {
    return json(response, 200, {
      object: 'list',
      data: ['gpt-4.1-nano', 'gpt-4.1-mini', 'text-embedding-3-small', 'o3'].map((id) => ({
        id,
        object: 'model',
        created: 1700000000,
        owned_by: 'openai',
      })),
    });
  }
  if (path === '/v1/embeddings') {
    const inputs = Array.isArray(body['input']) ? body['input'] : [body['input']];
    return json(response, 200, {
      object: 'list',
      data: inputs.map((_, index) => ({ object: 'embedding', index, embedding: [0.0023, -0.0091, 0.0158] })),
      model: 'text-embedding-3-small',
      usage: { prompt_tokens: 8, total_tokens: 8 },
    });
  }
  if (path === '/v1/chat/completions') {
    // A tool call when tools are offered and no result is back yet; the text answer otherwise.
    const messages = Array.isArray(body['messages']) ? (body['messages'] as { role?: string }[]) : [];
    const withTools = Array.isArray(body['tools']) && messages.at(-1)?.role !== 'tool';
    if (body['stream'] === true) {
      const payloads = withTools
        ? fixtureChunks('openai-compatible/deepseek-tool-call.chunks.txt')
        : fixtureChunks('openai/openai-text.chunks.txt');
      const wantsUsage =
        (body['stream_options'] as { include_usage?: boolean } | undefined)?.include_usage === true;
      // The real API sends the usage-only chunk only when asked; the DeepSeek recording carries usage on its last chunk.
      return sse(
        response,
        payloads.filter((payload) => wantsUsage || !payload.includes('"choices":[]')),
      );
    }
    return json(
      response,
      200,
      withTools
        ? fixtureJson('openai-compatible/deepseek-tool-call.json')
        : fixtureJson('openai/openai-text.json'),
    );
  }
  json(response, 404, {
    error: { message: `Unknown path ${path}`, type: 'invalid_request_error', code: null },
  });
}
