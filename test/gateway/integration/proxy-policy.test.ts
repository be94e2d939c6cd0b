import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOURNAL_FILE } from '../../../gateway/row-journal.ts';
import { chatCompletion, sendJson, startFakeServer, type FakeServer } from '../../support/fake-server.ts';
import {
  APP_KEY,
  VENDOR_KEY,
  requestRows,
  startTestGateway,
  type TestGateway,
} from '../../support/gateway.ts';

/**
 * /proxy applies policy to the body as the upstream will read it, whatever its kind, charges
 * budgets for answers whose usage no reader knows, streams bytes it does not read, and lets no
 * client see the end of an answer before its row is written.
 */

let upstream: FakeServer;
let gateway: TestGateway;
let hang = false;

beforeAll(async () => {
  upstream = await startFakeServer(async (request, response) => {
    const path = request.url.split('?')[0]!;
    if (hang) return; // the client gives up first
    if (path.endsWith('/audio/speech')) {
      // Audio in five pieces over 400 ms, the route's key echoed in the middle.
      response.writeHead(200, { 'content-type': 'audio/mpeg' });
      for (let index = 0; index < 5; index++) {
        response.write(index === 2 ? Buffer.from(`<${VENDOR_KEY}>`) : Buffer.alloc(1024, index));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return void response.end();
    }
    if (path === '/v1/messages' && request.body?.['stream'] === true) {
      // Anthropic: message_stop ends the answer; the HTTP response ends 300 ms later.
      const event = (name: string, data: object) =>
        `event: ${name}\ndata: ${JSON.stringify({ type: name, ...data })}\n\n`;
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(
        event('message_start', {
          message: {
            id: 'msg_1',
            type: 'message',
            role: 'assistant',
            model: 'claude-haiku-4-5',
            content: [],
            usage: { input_tokens: 3, output_tokens: 1 },
          },
        }) +
          event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }) +
          event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Hi' } }) +
          event('content_block_stop', { index: 0 }) +
          event('message_delta', { delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 1 } }) +
          event('message_stop', {}),
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      return void response.end();
    }
    if (path.includes(':streamGenerateContent')) {
      // Gemini: the chunk with the finish reason is the last; the HTTP response ends 300 ms later.
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(
        `data: ${JSON.stringify({ candidates: [{ content: { role: 'model', parts: [{ text: 'Hi' }] } }] })}\r\n\r\n` +
          `data: ${JSON.stringify({ candidates: [{ content: { role: 'model', parts: [{ text: '!' }] }, finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 2, totalTokenCount: 5 } })}\r\n\r\n`,
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      return void response.end();
    }
    if (path.endsWith('/moderations')) {
      // An answer with no usage in it, from an endpoint no reader knows.
      return void sendJson(response, 200, { id: 'modr_1', model: 'omni-moderation-latest', results: [] });
    }
    if (path.endsWith('/responses')) {
      // A Responses answer: its usage is in the Responses API's own shape.
      return void sendJson(response, 200, {
        id: 'resp_1',
        object: 'response',
        output: [],
        usage: { input_tokens: 9 },
      });
    }
    if (request.method === 'HEAD') {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1234' });
      return void response.end();
    }
    if (request.method === 'DELETE') return void sendJson(response, 200, { id: path, deleted: true });
    if (request.body?.['stream'] === true) {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (delta: object, finish: string | null) =>
        `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4.1-nano', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      response.write(chunk({ role: 'assistant', content: 'Hi' }, null));
      response.write(chunk({}, 'stop'));
      response.write(
        `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4.1-nano', choices: [], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } })}\n\n`,
      );
      // The end of the HTTP response comes later than [DONE]: a client must not see [DONE] before the row.
      response.write('data: [DONE]\n\n');
      await new Promise((resolve) => setTimeout(resolve, 300));
      return void response.end();
    }
    return void sendJson(response, 200, chatCompletion('gpt-4.1-nano', 3, 1));
  });
  gateway = await startTestGateway({
    routes: [
      {
        id: 'oa',
        vendor: 'openai',
        baseUrl: `${upstream.origin}/v1`,
        apiKey: VENDOR_KEY,
        models: ['gpt-4.1-nano'],
        filters: ['no-secret-word'],
      },
      { id: 'open', vendor: 'openai', baseUrl: `${upstream.origin}/v1`, apiKey: VENDOR_KEY },
      { id: 'an', vendor: 'anthropic', baseUrl: upstream.origin, apiKey: VENDOR_KEY },
      { id: 'ge', vendor: 'gemini', baseUrl: upstream.origin, apiKey: VENDOR_KEY },
      {
        id: 'paid',
        vendor: 'openai',
        baseUrl: `${upstream.origin}/v1`,
        apiKey: VENDOR_KEY,
        defaultModel: 'gpt-4.1-nano',
        budget: { usd: 100, period: 'day' },
      },
    ],
    apps: [{ name: 'app', key: APP_KEY }],
    filters: [{ name: 'no-secret-word', kind: 'block', patterns: ['SECRETWORD'] }],
  });
});

afterAll(async () => {
  await gateway?.stop();
  await upstream?.close();
});

function raw(
  method: string,
  path: string,
  body: Buffer | string | null,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer; arrivals: number[] }> {
  return new Promise((resolve, reject) => {
    const url = new URL(gateway.url);
    const started = performance.now();
    const outgoing = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        agent: false,
        headers: { authorization: `Bearer ${APP_KEY}`, ...headers },
      },
      (response) => {
        const chunks: Buffer[] = [];
        const arrivals: number[] = [];
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          arrivals.push(performance.now() - started);
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks),
            arrivals,
          }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.setTimeout(5_000, () => outgoing.destroy(new Error('timed out')));
    outgoing.end(body ?? undefined);
  });
}

const json = { 'content-type': 'application/json' };
const seenBefore = () => upstream.seen.length;

describe('/proxy policy holds for every kind of body', () => {
  it.each([
    ['no model at all', JSON.stringify({ messages: [{ role: 'user', content: 'hello' }] }), json, 400],
    [
      '"model": null',
      JSON.stringify({ model: null, messages: [{ role: 'user', content: 'hi' }] }),
      json,
      400,
    ],
    [
      'a filter match with no model',
      JSON.stringify({ messages: [{ role: 'user', content: 'SECRETWORD' }] }),
      json,
      400,
    ],
    ['JSON that only a lenient parser reads (NaN)', '{"model":"gpt-5-pro","x":NaN}', json, 400],
    ['a byte-order mark before a forbidden model', '\ufeff{"model":"gpt-5-pro","messages":[]}', json, 403],
    [
      'a form naming a forbidden model',
      'model=gpt-5-pro&input=hi',
      { 'content-type': 'application/x-www-form-urlencoded' },
      403,
    ],
    [
      'a multipart form naming a forbidden model',
      '--b\r\nContent-Disposition: form-data; name="model"\r\n\r\ngpt-5-pro\r\n--b--\r\n',
      { 'content-type': 'multipart/form-data; boundary=b' },
      403,
    ],
    [
      'a batch nesting a forbidden model',
      JSON.stringify({ requests: [{ custom_id: 'a', params: { model: 'gpt-5-pro', messages: [] } }] }),
      json,
      403,
    ],
  ])('refuses %s before it reaches the upstream', async (_name, body, headers, status) => {
    const before = seenBefore();
    const answer = await raw('POST', '/proxy/oa/chat/completions', body, headers);
    expect(answer.status).toBe(status);
    expect(upstream.seen.length).toBe(before);
  });

  it('still blocks by filter when the body names an allowed model', async () => {
    const body = JSON.stringify({
      model: 'gpt-4.1-nano',
      messages: [{ role: 'user', content: 'SECRETWORD' }],
    });
    expect((await raw('POST', '/proxy/oa/chat/completions', body, json)).status).toBe(403);
  });

  it('lets a DELETE of a fine-tuned model and a HEAD through, as the upstream answers them', async () => {
    const deleted = await raw('DELETE', '/proxy/open/models/ft:gpt-4.1-nano:org::abc', null);
    expect(deleted.status).toBe(200);
    const head = await raw('HEAD', '/proxy/open/files/file-1', null);
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('1234');
  });
});

describe('/proxy answers', () => {
  it('reads the usage of a Responses answer on /proxy', async () => {
    const answer = await raw(
      'POST',
      '/proxy/open/responses',
      JSON.stringify({ model: 'gpt-4.1-nano', input: 'hi', max_output_tokens: 100 }),
      json,
    );
    expect(answer.status).toBe(200);
    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({ inputTokens: 9, note: null });
  });

  it('charges the budget what it reserved when an answer carries no usage it can read, and records that cost', async () => {
    const answer = await raw(
      'POST',
      '/proxy/paid/moderations',
      JSON.stringify({ model: 'gpt-4.1-nano', input: 'hi', max_output_tokens: 100 }),
      json,
    );
    expect(answer.status).toBe(200);
    const [row] = await requestRows(gateway, 1);
    expect(row!['costUsd']).toBeGreaterThan(0);
    expect(String(row!['note'])).toContain('no usage');
    const budgets = await fetch(`${gateway.url}/admin/api/budgets`, {
      headers: { authorization: `Bearer ${gateway.adminToken}` },
    }).then((response) => response.json() as Promise<{ data: { name: string; spentUsd: number }[] }>);
    const paid = budgets.data.find((budget) => budget.name === 'paid');
    expect(paid?.spentUsd).toBeCloseTo(row!['costUsd'] as number, 9);
  });

  it('streams a body it does not read (audio) as it comes, with the route key scrubbed', async () => {
    const answer = await raw(
      'POST',
      '/proxy/open/audio/speech',
      JSON.stringify({ model: 'tts-1', input: 'hi' }),
      json,
    );
    expect(answer.status).toBe(200);
    expect(answer.body.includes(Buffer.from(VENDOR_KEY))).toBe(false);
    expect(answer.body.includes(Buffer.from('<[redacted]>'))).toBe(true);
    // Pieces arrived over time, not all at the end.
    expect(answer.arrivals.length).toBeGreaterThan(1);
    expect(answer.arrivals[0]!).toBeLessThan(answer.arrivals[answer.arrivals.length - 1]! - 150);
  });

  it('counts the input tokens of a request the client gave up on before the upstream answered', async () => {
    hang = true;
    try {
      const body = JSON.stringify({
        model: 'gpt-4.1-nano',
        messages: [{ role: 'user', content: 'count me please' }],
      });
      await raw('POST', '/proxy/open/chat/completions', body, json).catch(() => undefined);
    } catch {
      // the raw helper times out after 5 s: that is the client giving up
    } finally {
      hang = false;
    }
    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({ status: 499, partial: true });
    expect(row!['inputTokens']).toBeGreaterThan(0);
  }, 15_000);
});

describe('the end of an answer waits for its row', () => {
  const chatBody = { model: 'gpt-4.1-nano', stream: true, messages: [{ role: 'user', content: 'hi' }] };
  it.each([
    ['/openai', '/openai/open/v1/chat/completions', '[DONE]', chatBody],
    ['/proxy (OpenAI)', '/proxy/open/chat/completions', '[DONE]', chatBody],
    [
      '/proxy (Anthropic)',
      '/proxy/an/v1/messages',
      'message_stop',
      {
        model: 'claude-haiku-4-5',
        max_tokens: 10,
        stream: true,
        messages: [{ role: 'user', content: 'hi' }],
      },
    ],
    [
      '/proxy (Gemini)',
      '/proxy/ge/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
      'finishReason',
      { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] },
    ],
  ])('on %s, the row is durable when the client sees the last event', async (_name, path, marker, body) => {
    const db = new Database(join(gateway.dataDir, 'switchboard.db'), { readonly: true });
    try {
      const found = await new Promise<boolean>((resolve, reject) => {
        const url = new URL(gateway.url);
        const outgoing = httpRequest(
          {
            host: url.hostname,
            port: url.port,
            method: 'POST',
            path,
            agent: false,
            headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
          },
          (response) => {
            const id = String(response.headers['x-switchboard-request-id']);
            let text = '';
            response.setEncoding('utf8');
            response.on('data', (piece: string) => {
              text += piece;
              if (text.includes(marker)) {
                // Durable: in the database, or in the row journal that the next start writes to it.
                const inJournal = readFileSync(join(gateway.dataDir, JOURNAL_FILE), 'utf8').includes(
                  `"id":"${id}"`,
                );
                resolve(
                  inJournal || db.prepare('SELECT id FROM requests WHERE id = ?').get(id) !== undefined,
                );
                response.destroy();
              }
            });
            response.on('end', () => resolve(false));
          },
        );
        outgoing.on('error', reject);
        outgoing.end(JSON.stringify(body));
      });
      expect(found).toBe(true);
    } finally {
      db.close();
    }
  });
});
