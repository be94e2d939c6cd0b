import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown> | null;
}

export type Handler = (request: SeenRequest, response: ServerResponse) => void | Promise<void>;

export interface FakeServer {
  /** http://127.0.0.1:PORT, no trailing slash. */
  origin: string;
  port: number;
  seen: SeenRequest[];
  /** Replace the answer to the next requests (null: back to the default). */
  respond: (handler: Handler | null) => void;
  close: () => Promise<void>;
}

/** A fake vendor on 127.0.0.1, port 0: records every request, answers with `defaultHandler` unless told otherwise. */
export async function startFakeServer(defaultHandler: Handler): Promise<FakeServer> {
  const seen: SeenRequest[] = [];
  let override: Handler | null = null;
  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: Record<string, unknown> | null;
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : null;
    } catch {
      body = null;
    }
    const entry: SeenRequest = {
      method: request.method ?? 'GET',
      url: request.url ?? '/',
      headers: request.headers,
      body,
    };
    seen.push(entry);
    await (override ?? defaultHandler)(entry, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    seen,
    respond: (handler) => {
      override = handler;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

/** A minimal OpenAI chat completion answering "ok", with the given model and token counts. */
export function chatCompletion(model: string, promptTokens: number, completionTokens: number) {
  return {
    id: 'x',
    object: 'chat.completion',
    created: 1,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    },
  };
}
