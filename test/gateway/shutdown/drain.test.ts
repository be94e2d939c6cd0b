import { readFileSync, statSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { Agent, request as httpRequest, type ServerResponse } from 'node:http';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../../gateway/store/database.ts';
import { JOURNAL_FILE } from '../../../gateway/row-journal.ts';
import { startFakeOpenAi, type FakeOpenAi } from '../../support/fake-openai.ts';
import { chatCompletion, sendJson } from '../../support/fake-server.ts';
import { fixtureChunks } from '../../support/fixtures.ts';
import { APP_KEY, startTestGateway, type TestGateway } from '../../support/gateway.ts';

// startTestGateway gives in-flight requests 2 s at shutdown.
const GRACE_MS = 2000;
const CHUNKS = fixtureChunks('openai/openai-text.chunks.txt');
const STREAM_BODY = JSON.stringify({
  model: 'gpt-4.1-nano',
  messages: [{ role: 'user', content: 'Invent a holiday.' }],
  stream: true,
});

let fake: FakeOpenAi;
let gateway: TestGateway;
const sockets: Socket[] = [];

async function start(): Promise<void> {
  fake = await startFakeOpenAi();
  gateway = await startTestGateway({
    routes: [
      { id: 'main', vendor: 'openai', baseUrl: fake.url, apiKey: 'sk-test', defaultModel: 'gpt-4.1-nano' },
      // Never reached: only its /proxy path's error shape is asked for, during the drain.
      { id: 'claude', vendor: 'anthropic', baseUrl: fake.origin, apiKey: 'sk-ant-test' },
    ],
    apps: [{ name: 'tester', key: APP_KEY }],
  });
}

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await gateway.stop();
  await fake.close();
});

/** An upstream stream: half the chunks at once, the rest (and [DONE]) after `restAfterMs`, or never. */
function slowStream(restAfterMs: number | null) {
  let upstreamClosed = false;
  fake.respond((_request, response: ServerResponse) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    const half = Math.floor(CHUNKS.length / 2);
    for (const chunk of CHUNKS.slice(0, half)) response.write(`data: ${chunk}\n\n`);
    response.on('close', () => (upstreamClosed = true));
    if (restAfterMs === null) {
      // A thinking model that never ends: a keep-alive comment now and then.
      const timer = setInterval(() => response.write(': still thinking\n\n'), 50);
      response.on('close', () => clearInterval(timer));
      return;
    }
    setTimeout(() => {
      for (const chunk of CHUNKS.slice(half)) response.write(`data: ${chunk}\n\n`);
      response.end('data: [DONE]\n\n');
    }, restAfterMs);
  });
  return { upstreamClosed: () => upstreamClosed };
}

async function openStream(): Promise<ReadableStreamDefaultReader<Uint8Array>> {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
    body: STREAM_BODY,
  });
  expect(response.status).toBe(200);
  const reader = response.body!.getReader();
  // The first event is through: the stream is open.
  await reader.read();
  return reader;
}

async function readRest(
  reader: ReadableStreamDefaultReader<Uint8Array>,
): Promise<{ text: string; cut: boolean }> {
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text, cut: false };
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    return { text, cut: true };
  }
}

/** The rows in the closed gateway's database, read straight from the file. */
function rowsOnDisk(): Array<Record<string, unknown>> {
  const db = new Database(join(gateway.dataDir, DATABASE_FILE), { readonly: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    return db
      .prepare(
        'SELECT id, status, stream, partial, error_code, output_tokens, endpoint, route, app, retry_after FROM requests ORDER BY time',
      )
      .all() as Array<Record<string, unknown>>;
  } finally {
    db.close();
  }
}

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

describe('shutdown with a stream open', () => {
  it('lets a stream that ends within the grace finish, and records it whole', async () => {
    await start();
    slowStream(300);
    const reader = await openStream();
    const started = performance.now();
    const closed = gateway.close();
    // The listener stops accepting at once.
    expect(await refusesConnections(gateway.port)).toBe(true);
    const { text, cut } = await readRest(reader);
    expect(cut).toBe(false);
    expect(text).toContain('data: [DONE]');
    await closed;
    expect(performance.now() - started).toBeLessThan(GRACE_MS);
    expect(rowsOnDisk()).toEqual([
      expect.objectContaining({ status: 200, stream: 1, partial: 0, error_code: null }),
    ]);
    // Every row reached the database: the crash journal is empty.
    expect(statSync(join(gateway.dataDir, JOURNAL_FILE)).size).toBe(0);
  });

  it('cuts a stream that outlasts the grace at the grace, records it partial and lets the upstream go', async () => {
    await start();
    const upstream = slowStream(null);
    const reader = await openStream();
    const started = performance.now();
    const closed = gateway.close();
    const { text, cut } = await readRest(reader);
    const cutAfter = performance.now() - started;
    expect(cut).toBe(true);
    expect(text).not.toContain('[DONE]');
    expect(cutAfter).toBeGreaterThanOrEqual(GRACE_MS - 50);
    expect(cutAfter).toBeLessThan(GRACE_MS + 1000);
    await closed;
    const [row, ...others] = rowsOnDisk();
    expect(others).toEqual([]);
    // Cut by the gateway, not by its client.
    expect(row).toMatchObject({ status: 200, stream: 1, partial: 1, error_code: 'shutting_down' });
    expect(row!['output_tokens']).toBeGreaterThan(0);
    expect(readFileSync(join(gateway.dataDir, JOURNAL_FILE), 'utf8')).toBe('');
    await expect.poll(upstream.upstreamClosed).toBe(true);
  });
});

describe('an answer not yet begun when the drain starts', () => {
  it('comes whole, and tells its client not to reuse the connection', async () => {
    await start();
    fake.respond((_request, response) => {
      setTimeout(() => sendJson(response, 200, chatCompletion('gpt-4.1-nano', 5, 1)), 300);
    });
    const answer = new Promise<{ status: number | undefined; connection: string | undefined; body: string }>(
      (resolve, reject) => {
        const request = httpRequest(
          `${gateway.url}/v1/chat/completions`,
          {
            method: 'POST',
            agent: new Agent({ keepAlive: true }),
            headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
          },
          (response) => {
            let body = '';
            response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
            response.on('end', () =>
              resolve({ status: response.statusCode, connection: response.headers.connection, body }),
            );
          },
        );
        request.on('error', reject);
        request.end(JSON.stringify({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }] }));
      },
    );
    await expect.poll(() => fake.seen.length).toBe(1);
    const closed = gateway.close();
    const { status, connection, body } = await answer;
    expect(status).toBe(200);
    expect(connection).toBe('close');
    expect(JSON.parse(body)).toMatchObject({ choices: [{ message: { content: 'ok' } }] });
    await closed;
  });
});

/** One raw connection, so that a second request can follow the first on it (HTTP/1.1 pipelining). */
function rawConnection(port: number): { socket: Socket; received: () => string; ended: Promise<void> } {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  let received = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, received: () => received, ended };
}

function rawPost(path: string, body: string, headers: Record<string, string> = {}): string {
  const lines = Object.entries({
    host: `127.0.0.1:${gateway.port}`,
    authorization: `Bearer ${APP_KEY}`,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    ...headers,
  }).map(([name, value]) => `${name}: ${value}`);
  return `POST ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** The last response on the connection: status line, headers (lower-cased) and body. */
function lastResponse(received: string) {
  const start = received.lastIndexOf('HTTP/1.1 ');
  const [head = '', body = ''] = received.slice(start).split('\r\n\r\n');
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers = Object.fromEntries(
    headerLines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

describe('a request that arrives on a kept-alive connection during the drain', () => {
  const cases = [
    {
      path: '/v1/chat/completions',
      row: { endpoint: 'chat.completions', route: null },
      shape: {
        error: {
          message: expect.stringContaining('Switchboard is shutting down'),
          type: 'api_error',
          param: null,
          code: 'shutting_down',
        },
      },
    },
    {
      path: '/anthropic/main/v1/messages',
      row: { endpoint: 'messages', route: 'main' },
      shape: {
        type: 'error',
        // Anthropic's own type for a 503.
        error: { type: 'overloaded_error', message: expect.stringContaining('Switchboard is shutting down') },
      },
    },
    {
      // /proxy answers in its route's own shape (CONTRACT §3): Anthropic's here.
      path: '/proxy/claude/v1/messages',
      row: { endpoint: 'proxy', route: 'claude' },
      shape: {
        type: 'error',
        error: { type: 'overloaded_error', message: expect.stringContaining('Switchboard is shutting down') },
      },
    },
    {
      path: '/gemini/main/v1beta/models/gemini-2.5-flash:generateContent',
      row: { endpoint: 'chat.completions', route: 'main' },
      shape: {
        error: expect.objectContaining({ code: 503, message: expect.stringContaining('shutting down') }),
      },
    },
  ];
  for (const { path, row, shape } of cases) {
    it(`gets 503 with Retry-After, in its endpoint's error shape (${path})`, async () => {
      await start();
      slowStream(300);
      const connection = rawConnection(gateway.port);
      connection.socket.write(rawPost('/v1/chat/completions', STREAM_BODY));
      await expect.poll(connection.received).toContain('data: ');
      const closed = gateway.close();
      // Sent while the stream before it on this connection is still running.
      connection.socket.write(rawPost(path, '{"model":"gpt-4.1-nano","messages":[]}'));
      await connection.ended;
      await closed;

      expect(connection.received()).toContain('data: [DONE]');
      const refused = lastResponse(connection.received());
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe(String(GRACE_MS / 1000));
      expect(refused.headers['connection']).toBe('close');
      expect(refused.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(refused.body)).toEqual(shape);
      // It never reached the upstream, and left its row like any request (no app: none was asked for).
      expect(fake.seen).toHaveLength(1);
      expect(rowsOnDisk()).toEqual([
        expect.objectContaining({ status: 200, partial: 0 }),
        expect.objectContaining({
          id: refused.headers['x-switchboard-request-id'],
          status: 503,
          error_code: 'shutting_down',
          retry_after: String(GRACE_MS / 1000),
          app: null,
          ...row,
        }),
      ]);
    });
  }
});
