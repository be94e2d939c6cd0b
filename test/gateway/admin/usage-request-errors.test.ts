import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { errorMessageOf } from '../../../gateway/http/recorded.ts';
import { startFakeOpenAi, type FakeOpenAi } from '../../support/fake-openai.ts';
import {
  APP_KEY,
  requestRows,
  startTestGateway,
  VENDOR_KEY,
  type TestGateway,
} from '../../support/gateway.ts';

/** What OpenAI answers when an organisation is over its rate limit (shape and wording of the real API). */
const RATE_LIMIT_MESSAGE =
  'Rate limit reached for gpt-4o-mini in organization org-abc123 on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.';

function rateLimited(response: ServerResponse) {
  response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '17' });
  response.end(
    JSON.stringify({
      error: { message: RATE_LIMIT_MESSAGE, type: 'requests', param: null, code: 'rate_limit_exceeded' },
    }),
  );
}

let upstream: FakeOpenAi;
let gateway: TestGateway;

beforeAll(async () => {
  upstream = await startFakeOpenAi();
  gateway = await startTestGateway({
    routes: [
      {
        id: 'openai',
        vendor: 'openai',
        baseUrl: upstream.url,
        apiKey: VENDOR_KEY,
        filters: ['no-passwords'],
      },
    ],
    apps: [{ name: 'ide', key: APP_KEY }],
    filters: [{ name: 'no-passwords', kind: 'block', patterns: ['(?i)password\\s*=\\s*\\S+'] }],
  });
});
afterAll(async () => {
  await gateway.stop();
  await upstream.close();
});
beforeEach(() => upstream.respond(null));

/** The newest row, once written; a row that could not be written is logged, and fails the test. */
async function newestRow(): Promise<Record<string, unknown> | undefined> {
  const [row] = await requestRows(gateway, 1);
  expect(gateway.logs.filter((line) => line.startsWith('error'))).toEqual([]);
  return row;
}

const chat = (path: string, content: string) =>
  fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] }),
  });

describe('a failed request’s row keeps what the caller was told', () => {
  it('an upstream 429 on /openai: the vendor’s message and its Retry-After', async () => {
    upstream.respond((_, response) => rateLimited(response));
    const response = await chat('/openai/openai/v1/chat/completions', 'Hello');
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('17');
    const told = ((await response.json()) as { error: { message: string } }).error.message;
    const row = await newestRow();
    expect(row).toMatchObject({
      status: 429,
      model: 'gpt-4o-mini',
      errorMessage: RATE_LIMIT_MESSAGE,
      retryAfter: '17',
    });
    expect(row?.['errorMessage']).toBe(told);
  });

  it('the same 429 passed through /proxy as the vendor sent it: the message is read from its body', async () => {
    upstream.respond((_, response) => rateLimited(response));
    const response = await chat('/proxy/openai/chat/completions', 'Hello');
    expect(response.status).toBe(429);
    const row = await newestRow();
    expect(row).toMatchObject({
      status: 429,
      endpoint: 'proxy',
      errorCode: 'upstream_429',
      errorMessage: RATE_LIMIT_MESSAGE,
      retryAfter: '17',
    });
  });

  it('a 403 filter_blocked: the message names the filter, never the matched text; no Retry-After', async () => {
    const response = await chat('/openai/openai/v1/chat/completions', 'log in with password = hunter2');
    expect(response.status).toBe(403);
    const row = await newestRow();
    expect(row).toMatchObject({
      status: 403,
      errorCode: 'filter_blocked',
      errorMessage: 'Blocked by filter "no-passwords".',
      retryAfter: null,
    });
    expect(JSON.stringify(row)).not.toContain('hunter2');
  });

  it('an answer: neither', async () => {
    const response = await chat('/openai/openai/v1/chat/completions', 'Hello');
    expect(response.status).toBe(200);
    const row = await newestRow();
    expect(row).toMatchObject({ status: 200, errorCode: null, errorMessage: null, retryAfter: null });
  });
});

describe('errorMessageOf (an error body passed through as the vendor sent it)', () => {
  it('reads the message in each vendor’s shape', () => {
    // OpenAI and Anthropic.
    expect(
      errorMessageOf('{"error":{"message":"Incorrect API key provided.","type":"invalid_request_error"}}'),
    ).toBe('Incorrect API key provided.');
    expect(
      errorMessageOf('{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'),
    ).toBe('Overloaded');
    // Google, also as the one-item array a streamGenerateContent without SSE answers with.
    expect(
      errorMessageOf(
        Buffer.from(
          '[{"error":{"code":429,"message":"Resource has been exhausted.","status":"RESOURCE_EXHAUSTED"}}]',
        ),
      ),
    ).toBe('Resource has been exhausted.');
    // Ollama.
    expect(errorMessageOf('{"error":"model \\"llama9\\" not found, try pulling it first"}')).toBe(
      'model "llama9" not found, try pulling it first',
    );
  });

  it('falls back to the body’s text, and says nothing for an empty body or a stream', () => {
    expect(errorMessageOf('<html><body>502 Bad Gateway</body></html>')).toBe(
      '<html><body>502 Bad Gateway</body></html>',
    );
    expect(errorMessageOf('{"detail":"Not Found"}')).toBe('{"detail":"Not Found"}');
    expect(errorMessageOf('  ')).toBeNull();
    expect(errorMessageOf(undefined)).toBeNull();
    expect(errorMessageOf({ pipe: () => undefined })).toBeNull();
  });
});

/**
 * A stream that fails after its first byte: the client gets one error event, and the row keeps its
 * message. The stream relays set `draft.errorMessage` (gateway/http/relay.ts and proxy.ts).
 */
describe('a stream’s error event — un-skip once the stream relays set draft.errorMessage', () => {
  const SERVER_ERROR = 'The server had an error while processing your request. Sorry about that!';
  const failingStream = (_: unknown, response: ServerResponse) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write(
      `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini-2024-07-18', choices: [{ index: 0, delta: { content: 'Hel' }, finish_reason: null }] })}\n\n`,
    );
    response.end(
      `data: ${JSON.stringify({ error: { message: SERVER_ERROR, type: 'server_error', code: null } })}\n\n`,
    );
  };
  const streamChat = (path: string) =>
    fetch(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'gpt-4o-mini',
        stream: true,
        messages: [{ role: 'user', content: 'Hi' }],
      }),
    });

  it('translated (/openai): the vendor’s error event', async () => {
    upstream.respond(failingStream);
    const response = await streamChat('/openai/openai/v1/chat/completions');
    expect(await response.text()).toContain(SERVER_ERROR);
    expect(await newestRow()).toMatchObject({ partial: true, errorMessage: SERVER_ERROR });
  });

  it('translated (/openai): a stream cut before its end, with the gateway’s own error event', async () => {
    upstream.respond((_, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end(
        `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta: { content: 'Hel' }, finish_reason: null }] })}\n\n`,
      );
    });
    const response = await streamChat('/openai/openai/v1/chat/completions');
    expect(await response.text()).toContain('The upstream stream ended before the answer was complete.');
    expect(await newestRow()).toMatchObject({
      partial: true,
      errorCode: 'upstream_error',
      errorMessage: 'The upstream stream ended before the answer was complete.',
    });
  });

  it('native (/proxy): the vendor’s error event as it was passed on', async () => {
    upstream.respond(failingStream);
    const response = await streamChat('/proxy/openai/chat/completions');
    expect(await response.text()).toContain(SERVER_ERROR);
    expect(await newestRow()).toMatchObject({ partial: true, errorMessage: SERVER_ERROR });
  });
});
