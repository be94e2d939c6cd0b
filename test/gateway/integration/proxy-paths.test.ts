import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sendJson, startFakeServer, type FakeServer } from '../../support/fake-server.ts';
import {
  APP_KEY,
  VENDOR_KEY,
  requestRows,
  startTestGateway,
  type TestGateway,
} from '../../support/gateway.ts';

/**
 * `/proxy/{routeId}/{rest}` against hostile paths (issue 9, items 6 and 7): whatever the encoding,
 * a path that would leave the route's base URL, smuggle a separator, a query or a fragment, or hide
 * the model from policy is refused before anything is sent, in the route vendor's error shape; the
 * paths vendors' SDKs really use still go through byte for byte.
 */

const OPENAI_ANSWER = {
  id: 'chatcmpl-paths',
  object: 'chat.completion',
  created: 1770933883,
  model: 'gpt-4.1-nano-2025-04-14',
  choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
};
const ANTHROPIC_ANSWER = {
  id: 'msg_paths',
  type: 'message',
  role: 'assistant',
  model: 'claude-haiku-4-5-20251001',
  content: [{ type: 'text', text: 'ok' }],
  stop_reason: 'end_turn',
  usage: { input_tokens: 5, output_tokens: 1 },
};
const GEMINI_ANSWER = {
  candidates: [{ content: { role: 'model', parts: [{ text: 'ok' }] }, finishReason: 'STOP', index: 0 }],
  usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 1, totalTokenCount: 6 },
  modelVersion: 'gemini-2.5-flash',
};

const OPENAI_BODY = { model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'Hi' }] };
const ANTHROPIC_BODY = {
  model: 'claude-haiku-4-5',
  max_tokens: 16,
  messages: [{ role: 'user', content: 'Hi' }],
};
const geminiBody = (text: string) => ({ contents: [{ role: 'user', parts: [{ text }] }] });

let openaiFake: FakeServer;
let anthropicFake: FakeServer;
let geminiFake: FakeServer;
let gateway: TestGateway;

interface RawAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** node:http sends the path exactly as written (fetch and URL would resolve '..' and '%2e' first). */
function send(
  method: string,
  path: string,
  body?: unknown,
  extraHeaders: Record<string, string | null> = {},
) {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = {
    authorization: `Bearer ${APP_KEY}`,
    ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
  };
  for (const [name, value] of Object.entries(extraHeaders)) {
    if (value === null) delete headers[name];
    else headers[name] = value;
  }
  return new Promise<RawAnswer>((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: '127.0.0.1',
        port: new URL(gateway.url).port,
        method,
        path,
        headers,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: Record<string, unknown>;
          try {
            parsed = JSON.parse(text) as Record<string, unknown>;
          } catch {
            parsed = { text };
          }
          resolve({ status: response.statusCode ?? 0, body: parsed });
        });
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}

const allSeen = () => [...openaiFake.seen, ...anthropicFake.seen, ...geminiFake.seen].map((seen) => seen.url);

beforeAll(async () => {
  [openaiFake, anthropicFake, geminiFake] = await Promise.all([
    startFakeServer((_request, response) => sendJson(response, 200, OPENAI_ANSWER)),
    startFakeServer((_request, response) => sendJson(response, 200, ANTHROPIC_ANSWER)),
    startFakeServer((_request, response) => sendJson(response, 200, GEMINI_ANSWER)),
  ]);
  gateway = await startTestGateway({
    routes: [
      {
        id: 'oa',
        vendor: 'openai',
        baseUrl: `${openaiFake.origin}/base/v1`,
        apiKey: VENDOR_KEY,
        models: ['gpt-4.1-nano'],
      },
      {
        id: 'an',
        vendor: 'anthropic',
        baseUrl: anthropicFake.origin,
        apiKey: VENDOR_KEY,
        models: ['claude-*'],
      },
      // Gemini with no policy: where its real paths must still go through.
      { id: 'gf', vendor: 'gemini', baseUrl: geminiFake.origin, apiKey: VENDOR_KEY, models: ['gemini-*'] },
      // Gemini under every policy: one model allowed, a budget nothing fits, a block filter.
      {
        id: 'ge',
        vendor: 'gemini',
        baseUrl: geminiFake.origin,
        apiKey: VENDOR_KEY,
        models: ['gemini-2.5-flash'],
        budget: { usd: 0.000001, period: 'day' },
        filters: ['no-plutonium'],
      },
    ],
    apps: [{ name: 'tester', key: APP_KEY }],
    filters: [{ name: 'no-plutonium', kind: 'block', patterns: ['(?i)plutonium'] }],
  });
});

afterAll(async () => {
  await gateway.stop();
  await Promise.all([openaiFake.close(), anthropicFake.close(), geminiFake.close()]);
});

beforeEach(() => {
  for (const fake of [openaiFake, anthropicFake, geminiFake]) fake.seen.length = 0;
});

/** Each route's vendor, a body it accepts, and how its error shape carries status and code. */
const ROUTES = [
  {
    id: 'oa',
    body: OPENAI_BODY,
    error: (answer: RawAnswer) => {
      const error = answer.body['error'] as { code: string; type: string };
      expect(error).toMatchObject({ code: 'invalid_request', type: 'invalid_request_error' });
    },
  },
  {
    id: 'an',
    body: ANTHROPIC_BODY,
    error: (answer: RawAnswer) => {
      expect(answer.body).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    },
  },
  {
    id: 'gf',
    body: geminiBody('Hi'),
    error: (answer: RawAnswer) => {
      expect(answer.body['error']).toMatchObject({
        code: 400,
        status: 'INVALID_ARGUMENT',
        details: [{ reason: 'INVALID_REQUEST' }],
      });
    },
  },
];

describe('/proxy paths that vendors SDKs use go through unchanged', () => {
  it('OpenAI under a base path: the upstream sees base + path, with the route key', async () => {
    const answer = await send('POST', '/proxy/oa/chat/completions', OPENAI_BODY);
    expect(answer.status).toBe(200);
    expect(openaiFake.seen.map((seen) => seen.url)).toEqual(['/base/v1/chat/completions']);
    expect(openaiFake.seen[0]!.headers['authorization']).toBe(`Bearer ${VENDOR_KEY}`);
  });

  it('Anthropic at the host root', async () => {
    const answer = await send('POST', '/proxy/an/v1/messages/count_tokens', ANTHROPIC_BODY);
    expect(answer.status).toBe(200);
    expect(anthropicFake.seen.map((seen) => seen.url)).toEqual(['/v1/messages/count_tokens']);
  });

  it('Gemini: the model path goes byte for byte, the query without the caller key', async () => {
    const answer = await send(
      'POST',
      `/proxy/gf/v1beta/models/gemini-2.5-flash:generateContent?key=${APP_KEY}&pretty=false`,
      geminiBody('Hi'),
      { authorization: null },
    );
    expect(answer.status).toBe(200);
    expect(geminiFake.seen.map((seen) => seen.url)).toEqual([
      '/v1beta/models/gemini-2.5-flash:generateContent?pretty=false',
    ]);
  });

  it('Gemini: harmless escapes are sent canonically', async () => {
    const answer = await send(
      'POST',
      '/proxy/gf/v1beta/models/gemini%2D2.5-flash%3AgenerateContent',
      geminiBody('Hi'),
    );
    expect(answer.status).toBe(200);
    expect(geminiFake.seen.map((seen) => seen.url)).toEqual([
      '/v1beta/models/gemini-2.5-flash:generateContent',
    ]);
  });
});

describe('/proxy paths that leave the base, or carry a separator, query or fragment, are refused', () => {
  // Each one reached the upstream on the code of issue 9 (most at `/x`, outside `/base/v1`).
  const ESCAPES = [
    '../../x',
    'chat/../../../x',
    './x',
    '%2e%2e/%2e%2e/x',
    '%2E%2E/%2e%2E/x',
    '.%2e/.%2e/x',
    '%2E./%2e./x',
    '..%2f..%2fx',
    '..%2F..%2Fx',
    '..%5c..%5cx',
    '..%5C..%5Cx',
    '..\\..\\x',
    '%252e%252e/x',
    '%252E%252E%252Fx',
    '%25252e%25252e/x',
    '%c0%ae%c0%ae/x',
    'chat/completions%3Fx=1',
    'chat/completions%3fx=1',
    'chat/completions%23cut',
    'chat%2Fcompletions',
    'chat//completions',
    'chat/completions%00',
  ];

  for (const route of ROUTES) {
    it(`on ${route.id}: 400 in the vendor's shape, nothing sent`, async () => {
      for (const rest of ESCAPES) {
        const answer = await send('POST', `/proxy/${route.id}/${rest}`, route.body);
        expect(answer.status, `${route.id} ${rest}`).toBe(400);
        route.error(answer);
        expect(allSeen(), `${route.id} ${rest}`).toEqual([]);
      }
    });
  }
});

describe('Gemini /proxy: policy is decided on the path that is sent (issue 9 item 6)', () => {
  const geminiError = (answer: RawAnswer) =>
    answer.body['error'] as { code: number; status: string; details: { reason: string }[] };

  it('policy applies on an allowed model: the filter blocks, the budget refuses', async () => {
    const blocked = await send(
      'POST',
      '/proxy/ge/v1beta/models/gemini-2.5-flash:generateContent',
      geminiBody('About plutonium'),
    );
    expect(blocked.status).toBe(403);
    expect(geminiError(blocked).details[0]!.reason).toBe('FILTER_BLOCKED');
    const broke = await send(
      'POST',
      '/proxy/ge/v1beta/models/gemini-2.5-flash:generateContent',
      geminiBody('Hi'),
    );
    expect(broke.status).toBe(429);
    expect(geminiError(broke).details[0]!.reason).toBe('BUDGET_EXCEEDED');
    expect(allSeen()).toEqual([]);
  });

  it('refuses the bypass from the issue, sends nothing, and records the refusal', async () => {
    const answer = await send(
      'POST',
      '/proxy/ge/v1beta/models/gemini-2.5-flash/..%2fgemini-2.5-pro:generateContent',
      geminiBody('About plutonium'),
    );
    expect(answer.status).toBe(400);
    expect(geminiError(answer)).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    expect(allSeen()).toEqual([]);
    const [row] = await requestRows(gateway, 1);
    expect(row).toMatchObject({ route: 'ge', endpoint: 'proxy', status: 400, costUsd: null });
  });

  // [rest, status]: 400 where the path is malformed or names a model that cannot be read from it, 403 where it names a forbidden one.
  const MODEL_PATHS: [string, number][] = [
    ['v1beta/models/gemini-2.5-flash/..%2fgemini-2.5-pro:generateContent', 400],
    ['v1beta/models/gemini-2.5-flash/..%2Fgemini-2.5-pro:generateContent', 400],
    ['v1beta/models/gemini-2.5-flash/../gemini-2.5-pro:generateContent', 400],
    ['v1beta/models/gemini-2.5-flash/%2e%2e/gemini-2.5-pro:generateContent', 400],
    ['v1beta/models/gemini-2.5-flash%2F..%2Fgemini-2.5-pro:generateContent', 400],
    ['v1beta/models/gemini-2.5-flash%252F..%252Fgemini-2.5-pro:generateContent', 400],
    ['v1beta/models/gemini-2.5-flash%3F/../../gemini-2.5-pro:generateContent', 400],
    ['v1beta/models/gemini-2.5-flash%3F:generateContent', 400],
    ['v1beta//models/gemini-2.5-pro:generateContent', 400],
    // Paths that name a model the gateway cannot read: refused, never waved through unchecked.
    ['v1beta/tunedModels/gemini-2.5-pro:generateContent', 400],
    ['v1beta/Models/gemini-2.5-pro:generateContent', 400],
    ['v1/projects/p/locations/l/publishers/google/models/gemini-2.5-pro:generateContent', 400],
    // Named plainly or through harmless escapes: the allow-list sees the model that would run.
    ['v1beta/models/gemini-2.5-pro:generateContent', 403],
    ['v1beta/models/gemini-2.5-pro%3AgenerateContent', 403],
    ['v1beta/models/gemini%2D2.5-pro:streamGenerateContent?alt=sse', 403],
  ];

  it('refuses every disguise of a forbidden model, with nothing sent', async () => {
    for (const [rest, status] of MODEL_PATHS) {
      const answer = await send('POST', `/proxy/ge/${rest}`, geminiBody('About plutonium'));
      expect(answer.status, rest).toBe(status);
      expect(geminiError(answer).details[0]!.reason, rest).toBe(
        status === 400 ? 'INVALID_REQUEST' : 'MODEL_NOT_ALLOWED',
      );
      expect(allSeen(), rest).toEqual([]);
    }
  });

  it('a "model" in the body never stands in for the path\'s model', async () => {
    // Gemini runs the model its path names; a body naming an allowed one must not lend it policy.
    const named = await send('POST', '/proxy/ge/v1beta/models/gemini-2.5-pro:generateContent', {
      model: 'gemini-2.5-flash',
      ...geminiBody('Hi'),
    });
    expect(named.status).toBe(403);
    expect(geminiError(named).details[0]!.reason).toBe('MODEL_NOT_ALLOWED');
    const unreadable = await send('POST', '/proxy/ge/v1beta/tunedModels/gemini-2.5-pro:generateContent', {
      model: 'gemini-2.5-flash',
      ...geminiBody('Hi'),
    });
    expect(unreadable.status).toBe(400);
    expect(geminiError(unreadable).details[0]!.reason).toBe('INVALID_REQUEST');
    expect(allSeen()).toEqual([]);
  });
});
