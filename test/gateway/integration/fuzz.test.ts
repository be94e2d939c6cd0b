import fc from 'fast-check';
import { request as httpRequest, validateHeaderValue } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_KEY, VENDOR_KEY, startTestGateway, type TestGateway } from '../../support/gateway.ts';
import { startHostileUpstream, UPSTREAM_MARK, type HostileUpstream } from '../../support/hostile-upstream.ts';

/*
 * Property-based fuzzing of what a client can send: request bodies, paths and headers, on every
 * endpoint, against an upstream that answers normally (and never with a 5xx). Whatever the input:
 * no 5xx that is not an upstream's own, the process stays up (no uncaught exception or unhandled
 * rejection, which would exit `serve`), and every answer is well-formed for its endpoint — a JSON
 * body (in the endpoint's error shape when it is the gateway's own error) or an event stream whose
 * events are JSON.
 *
 * Requests go out through node:http with raw paths (fetch would normalise `..` and encodings away),
 * one connection each, so that a request whose declared length lies cannot confuse the next one.
 * fast-check picks the seed and prints it, with the shrunk counterexample, on failure.
 */

let hostile: HostileUpstream;
let gateway: TestGateway;

const crashes: string[] = [];
const onCrash = (error: unknown) => {
  crashes.push(
    error instanceof Error
      ? (error.stack ?? error.message).split('\n').slice(0, 3).join(' | ')
      : String(error),
  );
};

/** Every request sent, and the endpoints they went to, for the closing note of the issue. */
const volume = { requests: 0, endpoints: new Set<string>(), statuses: new Map<string, number>() };

type Shape = 'openai' | 'anthropic' | 'gemini';

interface Endpoint {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  /** A valid body to start from (POST only). */
  body?: Record<string, unknown>;
}

const CHAT_BODY = {
  model: 'gpt-4.1-nano',
  max_tokens: 16,
  messages: [{ role: 'user', content: 'Hi' }],
};

const CHAT_ENDPOINTS: Endpoint[] = [
  {
    name: 'POST /openai/oa/v1/chat/completions',
    method: 'POST',
    path: '/openai/oa/v1/chat/completions',
    body: CHAT_BODY,
  },
  {
    name: 'POST /openai/an/v1/chat/completions',
    method: 'POST',
    path: '/openai/an/v1/chat/completions',
    body: { ...CHAT_BODY, model: 'claude-sonnet-4-5' },
  },
  {
    name: 'POST /openai/ge/v1/chat/completions',
    method: 'POST',
    path: '/openai/ge/v1/chat/completions',
    body: { ...CHAT_BODY, model: 'gemini-2.5-flash' },
  },
  {
    name: 'POST /v1/chat/completions',
    method: 'POST',
    path: '/v1/chat/completions',
    body: { ...CHAT_BODY, model: 'oa/gpt-4.1-nano' },
  },
];
const EMBEDDINGS_ENDPOINTS: Endpoint[] = [
  {
    name: 'POST /openai/oa/v1/embeddings',
    method: 'POST',
    path: '/openai/oa/v1/embeddings',
    body: { model: 'text-embedding-3-small', input: 'hello' },
  },
  {
    name: 'POST /openai/ge/v1/embeddings',
    method: 'POST',
    path: '/openai/ge/v1/embeddings',
    body: { model: 'gemini-embedding-001', input: ['hello', 'world'] },
  },
];
const MODELS_ENDPOINTS: Endpoint[] = [
  { name: 'GET /openai/oa/v1/models', method: 'GET', path: '/openai/oa/v1/models' },
  { name: 'GET /openai/ge/v1/models', method: 'GET', path: '/openai/ge/v1/models' },
  { name: 'GET /v1/models', method: 'GET', path: '/v1/models' },
];
const PROXY_OPENAI: Endpoint[] = [
  {
    name: 'POST /proxy/oa/chat/completions',
    method: 'POST',
    path: '/proxy/oa/chat/completions',
    body: CHAT_BODY,
  },
];
const PROXY_ANTHROPIC: Endpoint[] = [
  {
    name: 'POST /proxy/an/v1/messages',
    method: 'POST',
    path: '/proxy/an/v1/messages',
    body: { ...CHAT_BODY, model: 'claude-sonnet-4-5' },
  },
];
const GEMINI_BODY = { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] };
const PROXY_GEMINI: Endpoint[] = [
  {
    name: 'POST /proxy/ge/…:generateContent',
    method: 'POST',
    path: '/proxy/ge/v1beta/models/gemini-2.5-flash:generateContent',
    body: GEMINI_BODY,
  },
  {
    name: 'POST /proxy/ge/…:streamGenerateContent',
    method: 'POST',
    path: '/proxy/ge/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
    body: GEMINI_BODY,
  },
];
const ANTHROPIC_BODY = { model: 'gpt-4.1-nano', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] };
/** Anthropic Messages in: translated to OpenAI and Gemini routes, passed through to the Anthropic one. */
const ANTHROPIC_INBOUND: Endpoint[] = [
  {
    name: 'POST /anthropic/oa/v1/messages',
    method: 'POST',
    path: '/anthropic/oa/v1/messages',
    body: ANTHROPIC_BODY,
  },
  {
    name: 'POST /anthropic/an/v1/messages',
    method: 'POST',
    path: '/anthropic/an/v1/messages?beta=true',
    body: { ...ANTHROPIC_BODY, model: 'claude-sonnet-4-5' },
  },
  {
    name: 'POST /anthropic/ge/v1/messages',
    method: 'POST',
    path: '/anthropic/ge/v1/messages',
    body: { ...ANTHROPIC_BODY, model: 'gemini-2.5-flash', stream: true },
  },
  {
    name: 'POST /v1/messages',
    method: 'POST',
    path: '/v1/messages',
    body: { ...ANTHROPIC_BODY, model: 'oa/gpt-4.1-nano' },
  },
  {
    name: 'POST /anthropic/oa/v1/messages/count_tokens',
    method: 'POST',
    path: '/anthropic/oa/v1/messages/count_tokens',
    body: ANTHROPIC_BODY,
  },
];
/** Gemini in: translated to OpenAI and Anthropic routes, passed through to the Gemini one. */
const GEMINI_INBOUND: Endpoint[] = [
  {
    name: 'POST /gemini/oa/…:generateContent',
    method: 'POST',
    path: '/gemini/oa/v1beta/models/gpt-4.1-nano:generateContent',
    body: { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] },
  },
  {
    name: 'POST /gemini/an/…:streamGenerateContent',
    method: 'POST',
    path: '/gemini/an/v1beta/models/claude-sonnet-4-5:streamGenerateContent?alt=sse',
    body: { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] },
  },
  {
    name: 'POST /gemini/ge/…:streamGenerateContent (JSON array)',
    method: 'POST',
    path: '/gemini/ge/v1beta/models/gemini-2.5-flash:streamGenerateContent',
    body: { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] },
  },
  {
    name: 'POST /gemini/oa/…:countTokens',
    method: 'POST',
    path: '/gemini/oa/v1beta/models/gpt-4.1-nano:countTokens',
    body: { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] },
  },
];
const RESPONSES_BODY = { model: 'gpt-4.1-nano', input: 'Hi', max_output_tokens: 16 };
/** The Responses API in: passed through to the OpenAI route, translated to Anthropic and Gemini. */
const RESPONSES_INBOUND: Endpoint[] = [
  {
    name: 'POST /openai/oa/v1/responses',
    method: 'POST',
    path: '/openai/oa/v1/responses',
    body: RESPONSES_BODY,
  },
  {
    name: 'POST /openai/an/v1/responses',
    method: 'POST',
    path: '/openai/an/v1/responses',
    body: { ...RESPONSES_BODY, model: 'claude-sonnet-4-5', stream: true },
  },
  {
    name: 'POST /openai/ge/v1/responses',
    method: 'POST',
    path: '/openai/ge/v1/responses',
    body: { ...RESPONSES_BODY, model: 'gemini-2.5-flash', previous_response_id: 'resp_unknown' },
  },
  {
    name: 'POST /v1/responses',
    method: 'POST',
    path: '/v1/responses',
    body: { ...RESPONSES_BODY, model: 'an/claude-sonnet-4-5' },
  },
];
const OTHER_ENDPOINTS: Endpoint[] = [
  { name: 'GET /healthz', method: 'GET', path: '/healthz' },
  { name: 'POST /v2/chat (unknown)', method: 'POST', path: '/v2/chat', body: CHAT_BODY },
  { name: 'GET /openai/nope/v1/models (unknown route)', method: 'GET', path: '/openai/nope/v1/models' },
  {
    name: 'POST /proxy/nope/v1/messages (unknown route)',
    method: 'POST',
    path: '/proxy/nope/v1/messages',
    body: CHAT_BODY,
  },
];
// fast-check prints an endpoint by its name in a counterexample.
for (const endpoint of [
  ...CHAT_ENDPOINTS,
  ...EMBEDDINGS_ENDPOINTS,
  ...MODELS_ENDPOINTS,
  ...PROXY_OPENAI,
  ...PROXY_ANTHROPIC,
  ...PROXY_GEMINI,
  ...ANTHROPIC_INBOUND,
  ...GEMINI_INBOUND,
  ...RESPONSES_INBOUND,
  ...OTHER_ENDPOINTS,
]) {
  Object.defineProperty(endpoint, fc.toStringMethod, { value: () => endpoint.name });
}

const ALL_ENDPOINTS = [
  ...CHAT_ENDPOINTS,
  ...EMBEDDINGS_ENDPOINTS,
  ...MODELS_ENDPOINTS,
  ...PROXY_OPENAI,
  ...PROXY_ANTHROPIC,
  ...PROXY_GEMINI,
  ...ANTHROPIC_INBOUND,
  ...GEMINI_INBOUND,
  ...RESPONSES_INBOUND,
  ...OTHER_ENDPOINTS,
];

// ---------------------------------------------------------------------------------------------
// One raw request.

interface RawRequest {
  endpoint: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer | null;
}

interface RawResponse {
  status: number | null;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  timedOut: boolean;
  error: string | null;
}

const ANSWER_TIMEOUT_MS = 5_000;
/** A request that declares more body than it sends is waited for by any HTTP server; we give up sooner. */
const SHORT_BODY_TIMEOUT_MS = 150;

function declaredLength(request: RawRequest): string | undefined {
  const entry = Object.entries(request.headers).find(([name]) => name.toLowerCase() === 'content-length');
  return entry?.[1];
}

/**
 * The declared length is not a length (or past 2^64), or is less than what is sent (the rest reads
 * as a second request, which is garbage): Node's HTTP parser refuses the framing with a bare 400 and
 * closes the connection, possibly before the first request's answer is written.
 */
function malformedFraming(request: RawRequest): boolean {
  const declared = declaredLength(request)?.trim();
  if (declared === undefined) return false;
  if (!/^\d+$/.test(declared) || BigInt(declared) >= 2n ** 64n) return true;
  return Number(declared) < (request.body?.length ?? 0);
}

/** The request declares more body bytes than it sends: the server rightly waits for the rest. */
function shortBody(request: RawRequest): boolean {
  const declared = declaredLength(request);
  return (
    declared !== undefined &&
    !malformedFraming(request) &&
    /^\d+$/.test(declared.trim()) &&
    Number(declared) > (request.body?.length ?? 0)
  );
}

function send(request: RawRequest): Promise<RawResponse> {
  volume.requests++;
  volume.endpoints.add(request.endpoint);
  return new Promise((resolve) => {
    const out: RawResponse = { status: null, headers: {}, body: '', timedOut: false, error: null };
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(out);
    };
    const client = httpRequest({
      host: '127.0.0.1',
      port: gateway.port,
      method: request.method,
      path: request.path,
      headers: request.headers,
      agent: false,
    });
    const timer = setTimeout(
      () => {
        out.timedOut = true;
        client.destroy();
        finish();
      },
      shortBody(request) ? SHORT_BODY_TIMEOUT_MS : ANSWER_TIMEOUT_MS,
    );
    client.on('response', (response) => {
      out.status = response.statusCode ?? null;
      out.headers = response.headers;
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (out.body += chunk));
      response.on('end', finish);
      response.on('error', (error) => {
        out.error = error.message;
        finish();
      });
    });
    client.on('error', (error) => {
      out.error = error.message;
      finish();
    });
    client.end(request.body ?? undefined);
  });
}

// ---------------------------------------------------------------------------------------------
// What a well-formed answer is.

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** The error shape the gateway's own errors take on this path: the route's vendor's on /proxy, OpenAI's elsewhere. */
function shapeOf(path: string): Shape {
  const proxy = /^\/proxy\/([^/?#]*)/.exec(path);
  if (proxy) return proxy[1] === 'an' ? 'anthropic' : proxy[1] === 'ge' ? 'gemini' : 'openai';
  // The inbound formats answer in their own shape, unknown paths under their prefixes included.
  if (/^\/anthropic(?:[/?#]|$)|^\/v1\/messages(?:[/?#]|$)/.test(path)) return 'anthropic';
  if (/^\/gemini(?:[/?#]|$)/.test(path)) return 'gemini';
  return 'openai';
}

function isErrorBody(shape: Shape, body: unknown, status: number): boolean {
  const error = isRecord(body) && isRecord(body['error']) ? body['error'] : null;
  if (error === null || typeof error['message'] !== 'string') return false;
  if (shape === 'anthropic')
    return isRecord(body) && body['type'] === 'error' && typeof error['type'] === 'string';
  if (shape === 'gemini') return error['code'] === status && typeof error['status'] === 'string';
  return typeof error['type'] === 'string';
}

function sseEvents(text: string): string[] {
  const events: string[] = [];
  for (const block of text.replace(/\r\n?/g, '\n').split('\n\n')) {
    const data = block
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).replace(/^ /, ''));
    if (data.length > 0) events.push(data.join('\n'));
  }
  return events;
}

/** Why this answer breaks the rules (null: it does not). */
function violation(request: RawRequest, response: RawResponse, upstreamSent5xx: boolean): string | null {
  if (response.status === null) {
    if (response.timedOut && shortBody(request)) return null;
    if (response.timedOut) return `no answer within ${ANSWER_TIMEOUT_MS} ms`;
    return `no answer: ${response.error ?? 'connection closed'}`;
  }
  const { status } = response;
  if (status >= 500 && !upstreamSent5xx) return `a ${status} (${response.body.slice(0, 200)})`;
  if (response.timedOut) return `the answer did not end within ${ANSWER_TIMEOUT_MS} ms`;
  if (response.error !== null) return `the answer broke off: ${response.error}`;
  // Node's HTTP parser answers a request it cannot frame with a bare 400, before any endpoint runs.
  if (status === 400 && response.body === '' && malformedFraming(request)) return null;
  if (status === 204 || status === 304) return null;
  const type = String(response.headers['content-type'] ?? '');
  if (type.includes('text/event-stream')) {
    for (const data of sseEvents(response.body)) {
      if (data !== '[DONE]' && !parseJson(data).ok) return `an event that is not JSON: ${data.slice(0, 120)}`;
    }
    return null;
  }
  const parsed = parseJson(response.body);
  if (!parsed.ok) return `a body that is not JSON (${type}): ${response.body.slice(0, 120)}`;
  if (!type.includes('json')) return `a JSON body sent as ${type || 'no content-type'}`;
  const path = request.path;
  if (path.startsWith('/healthz') && status === 200) {
    return isRecord(parsed.value) && parsed.value['status'] === 'ok'
      ? null
      : 'a /healthz answer without status ok';
  }
  // The gateway's own errors come in the endpoint's shape; an upstream's own answer passes as it is.
  const fromUpstream = response.headers[UPSTREAM_MARK] !== undefined;
  if (status >= 400 && !fromUpstream) {
    const shape = shapeOf(path);
    if (!isErrorBody(shape, parsed.value, status))
      return `a ${status} not in ${shape}'s error shape: ${response.body.slice(0, 160)}`;
  }
  if (response.body.includes(VENDOR_KEY)) return "the route's vendor key in the answer";
  return null;
}

/** Sends the request and throws (for fast-check) when its answer breaks the rules. */
async function expectWellFormed(request: RawRequest): Promise<void> {
  const seenBefore = hostile.seen.length;
  const crashesBefore = crashes.length;
  const response = await send(request);
  const status = response.status === null ? 'none' : String(response.status);
  volume.statuses.set(status, (volume.statuses.get(status) ?? 0) + 1);
  const upstreamSent5xx = hostile.seen.slice(seenBefore).some((exchange) => (exchange.status ?? 0) >= 500);
  const problem = violation(request, response, upstreamSent5xx);
  if (problem !== null) {
    throw new Error(`${request.method} ${request.path} → ${problem} [status ${String(response.status)}]`);
  }
  // A throw in the gateway after the answer (recording, a stream's tail) still takes `serve` down.
  await new Promise((resolve) => setImmediate(resolve));
  if (crashes.length > crashesBefore) {
    throw new Error(
      `${request.method} ${request.path} → the process would have exited: ${crashes.slice(crashesBefore).join(' || ')}`,
    );
  }
}

function jsonRequest(
  endpoint: Endpoint,
  body: Buffer | null,
  headers: Record<string, string> = {},
): RawRequest {
  return {
    endpoint: endpoint.name,
    method: endpoint.method,
    path: endpoint.path,
    headers: {
      authorization: `Bearer ${APP_KEY}`,
      ...(body === null ? {} : { 'content-type': 'application/json', 'content-length': String(body.length) }),
      ...headers,
    },
    body,
  };
}

// ---------------------------------------------------------------------------------------------
// Generators.

/** Keys the endpoints read, so that a replaced value lands where the code looks. */
const READ_KEYS = [
  'model',
  'messages',
  'stream',
  'stream_options',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'n',
  'stop',
  'tools',
  'tool_choice',
  'response_format',
  'input',
  'encoding_format',
  'dimensions',
  'contents',
  'system',
  'systemInstruction',
  'generationConfig',
  'extra_body',
  'metadata',
  'user',
  '__proto__',
  'constructor',
];

const MESSAGE_KEYS = ['role', 'content', 'name', 'tool_calls', 'tool_call_id', 'parts'];

/** Valid JSON text of a value with nesting `depth` deep, of arrays or objects. */
const deepJson = fc
  .record({ depth: fc.integer({ min: 1, max: 20_000 }), arrays: fc.boolean() })
  .map(({ depth, arrays }) =>
    arrays ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
  );

/** Number literals that JavaScript cannot hold as written: JSON.parse makes them Infinity or rounds them. */
const hugeNumber = fc.constantFrom(
  '1e400',
  '-1e400',
  '1e309',
  '123456789012345678901234567890',
  '1e-400',
  '-0',
  '9007199254740993',
);

const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'binary-ascii', maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
  fc.constantFrom(
    '\u0000',
    '\u2028\u2029',
    '\ud800',
    '\udfff\ud800',
    '\u001b[31m',
    'forbidden-word',
    `sk-${'a'.repeat(40)}`,
  ),
);

/** A request body for `base`: anything from a slightly wrong valid body to bytes that are not JSON. */
function bodies(base: Record<string, unknown>): fc.Arbitrary<Buffer> {
  const text = JSON.stringify(base);
  const withRaw = (key: string, raw: string) => {
    const rest = JSON.stringify({ ...base, [key]: 0 });
    return rest.replace(`"${key}":0`, `"${key}":${raw}`);
  };
  const texts = fc.oneof(
    fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
    fc.object({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
    fc
      .record({ key: fc.constantFrom(...READ_KEYS), value: fc.jsonValue({ maxDepth: 3 }) })
      .map(({ key, value }) => JSON.stringify({ ...base, [key]: value })),
    fc
      .record({ key: fc.constantFrom(...MESSAGE_KEYS), value: fc.jsonValue({ maxDepth: 3 }) })
      .map(({ key, value }) =>
        JSON.stringify({
          ...base,
          messages: [{ role: 'user', content: 'Hi', [key]: value }],
          contents: [{ role: 'user', parts: [{ text: 'Hi' }], [key]: value }],
        }),
      ),
    anyText.map((content) =>
      JSON.stringify({
        ...base,
        messages: [{ role: 'user', content }],
        contents: [{ role: 'user', parts: [{ text: content }] }],
        input: content,
      }),
    ),
    fc
      .record({
        deep: deepJson,
        where: fc.constantFrom('whole', 'messages', 'content', 'tools', 'input', 'contents'),
      })
      .map(({ deep, where }) => {
        if (where === 'whole') return deep;
        if (where === 'content') return withRaw('messages', `[{"role":"user","content":${deep}}]`);
        return withRaw(where, deep);
      }),
    fc
      .record({
        key: fc.constantFrom(
          'max_tokens',
          'max_completion_tokens',
          'temperature',
          'n',
          'dimensions',
          'top_p',
        ),
        raw: hugeNumber,
      })
      .map(({ key, raw }) => withRaw(key, raw)),
    fc.integer({ min: 0, max: text.length }).map((cut) => text.slice(0, cut)),
    fc.constant(''),
  );
  return fc.oneof(
    { arbitrary: texts.map((body) => readable(Buffer.from(body, 'utf8'))), weight: 9 },
    // Bytes that are not JSON, nor even UTF-8.
    { arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => readable(Buffer.from(bytes))), weight: 1 },
  );
}

/** A body that fast-check prints as its text (a counterexample of 40,000 bytes would not help anyone). */
function readable(body: Buffer): Buffer {
  const text = body.toString('utf8');
  const shown = text.length > 300 ? `${text.slice(0, 150)}…(${text.length} chars)…${text.slice(-150)}` : text;
  return Object.defineProperty(body, fc.toStringMethod, { value: () => `body ${JSON.stringify(shown)}` });
}

/** Path pieces an attacker reaches for: dots, slashes and their encodings, query and fragment marks. */
const DANGEROUS = [
  '.',
  '..',
  '%2e',
  '%2E',
  '%252e',
  '.%2e',
  '/',
  '//',
  '%2f',
  '%2F',
  '%252f',
  '\\',
  '%5c',
  '%5C',
  '?',
  '%3f',
  '%3F',
  '#',
  '%23',
  '%00',
  '%',
  '%zz',
  '%c0%ae',
  '%e2%80%ae',
  ';',
  ':',
  '@',
  '~',
  '+',
  '%20',
  '&',
  '=',
  'key=',
  'alt=sse',
  'x',
  'v1',
  'v1beta',
  'models',
  'gemini-2.5-pro',
  'gemini-2.5-flash',
  ':generateContent',
  ':streamGenerateContent',
  'chat',
  'completions',
  'messages',
  'embeddings',
];

const PATH_PREFIXES = [
  '/anthropic/oa/v1/',
  '/anthropic/',
  '/gemini/ge/v1beta/models/',
  '/gemini/oa/',
  '/proxy/oa/',
  '/proxy/an/',
  '/proxy/ge/',
  '/proxy/ge/v1beta/models/',
  '/proxy/',
  '/proxy/nope/',
  '/openai/oa/v1/',
  '/openai/ge/',
  '/openai/',
  '/v1/',
  '/',
  '/healthz',
];

/** The endpoint a raw path reaches (as the router would), for counting what the fuzzing covered. */
function endpointOf(path: string): string {
  const proxy = /^\/proxy\/(oa|an|ge)\//.exec(path);
  if (proxy) return `/proxy/${proxy[1]!}/…`;
  if (path.startsWith('/proxy/')) return '/proxy/{unknown route}/…';
  const openai =
    /^(\/openai\/(?:oa|an|ge))?\/v1\/(chat\/completions|embeddings|models|responses)(?:\?|$)/.exec(path);
  if (openai) return `${openai[1] ?? ''}/v1/${openai[2]!}`;
  const inbound = /^\/(anthropic|gemini)\/(oa|an|ge)\//.exec(path);
  if (inbound) return `/${inbound[1]!}/${inbound[2]!}/…`;
  if (/^\/v1\/messages(?:\/count_tokens)?(?:\?|$)/.test(path)) return '/v1/messages';
  if (/^\/healthz(?:\?|$)/.test(path)) return '/healthz';
  return '(unknown path)';
}

/** node:http sends a path only if every character is visible ASCII (and Latin-1, which we leave out). */
const sendablePath = (path: string) => /^[\u0021-\u007e]+$/.test(path);

/** Not endpoints under test: the dashboard (HTML) and the admin API. */
const outOfScope = (path: string) => /^\/+(ui|admin)(?:[/?#]|$)/i.test(path);

const paths = fc
  .record({
    prefix: fc.constantFrom(...PATH_PREFIXES),
    suffix: fc.oneof(
      fc.webPath().map((path) => path.replace(/^\//, '')),
      fc.array(fc.constantFrom(...DANGEROUS), { maxLength: 14 }).map((pieces) => pieces.join('')),
      fc.webSegment(),
    ),
  })
  .map(({ prefix, suffix }) => `${prefix}${suffix}`)
  .filter((path) => sendablePath(path) && !outOfScope(path));

/** A header value node:http will send (no CR, LF or other control characters). */
function headerValue(name: string, options: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return options.filter((value) => {
    try {
      validateHeaderValue(name, value);
      return true;
    } catch {
      return false;
    }
  });
}

const latin1Text = fc.string({
  unit: fc.integer({ min: 0x20, max: 0xff }).map((code) => String.fromCharCode(code)),
  maxLength: 80,
});

const keyValues = fc.oneof(
  fc.constant(APP_KEY),
  fc.constant(` ${APP_KEY} `),
  fc.constant(`${APP_KEY}x`),
  fc.constant(APP_KEY.toUpperCase()),
  fc.constant(`sk-${'0'.repeat(32)}`),
  fc.constant(''),
  latin1Text,
  fc.string({ unit: 'binary-ascii', maxLength: 80 }),
);

const authorization = fc.oneof(
  keyValues.map((key) => `Bearer ${key}`),
  keyValues.map((key) => `bearer ${key}`),
  keyValues.map((key) => `Basic ${Buffer.from(key).toString('base64')}`),
  keyValues,
  fc.constant('Bearer'),
  fc.constant('Bearer '),
);

const contentTypes = fc.oneof(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=utf-16',
    'text/plain',
    'text/event-stream',
    'multipart/form-data; boundary=zz',
    'application/x-www-form-urlencoded',
    '',
  ),
  latin1Text,
);

/** Content-length values: the truth, less, more, zero, absurd, or not a number at all. */
function contentLengths(actual: number): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constant(String(actual)), weight: 15 },
    { arbitrary: fc.integer({ min: 0, max: Math.max(actual - 1, 0) }).map(String), weight: 5 },
    // More than is sent: the server waits for the rest, and the client gives up (kept rare: it costs a wait).
    { arbitrary: fc.integer({ min: actual + 1, max: actual + 64 }).map(String), weight: 1 },
    {
      arbitrary: fc.constantFrom(
        '0',
        '99999999999',
        '18446744073709551616',
        '-1',
        '1.5',
        '0x10',
        ' 12',
        'abc',
      ),
      weight: 4,
    },
  );
}

const headerSets = fc.record(
  {
    authorization: headerValue('authorization', authorization),
    'x-api-key': headerValue('x-api-key', keyValues),
    'x-goog-api-key': headerValue('x-goog-api-key', keyValues),
    'content-type': headerValue('content-type', contentTypes),
  },
  { requiredKeys: [] },
);

// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  hostile = await startHostileUpstream();
  gateway = await startTestGateway({
    routes: [
      // Filters and budgets on: bodies go through the filter engine and the token counter too.
      {
        id: 'oa',
        vendor: 'openai',
        baseUrl: hostile.openAiBaseUrl,
        apiKey: VENDOR_KEY,
        filters: ['hide-keys'],
      },
      {
        id: 'an',
        vendor: 'anthropic',
        baseUrl: hostile.origin,
        apiKey: VENDOR_KEY,
        models: ['claude-*'],
        filters: ['blocked'],
      },
      {
        id: 'ge',
        vendor: 'gemini',
        baseUrl: hostile.origin,
        apiKey: VENDOR_KEY,
        models: ['gemini-2.5-flash', 'gemini-embedding-001'],
        budget: { usd: 100, period: 'day' },
      },
    ],
    apps: [{ name: 'fuzzer', key: APP_KEY, budget: { usd: 1000, period: 'month' } }],
    filters: [
      { name: 'hide-keys', kind: 'redact', patterns: ['builtin:api-keys'] },
      { name: 'blocked', kind: 'block', patterns: ['forbidden-word'] },
    ],
  });
});

afterAll(async () => {
  await gateway?.stop();
  await hostile?.close();
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
  const statuses = [...volume.statuses].sort(([a], [b]) => a.localeCompare(b));
  console.log(
    `fuzz: ${volume.requests} requests over ${volume.endpoints.size} endpoints ` +
      `(answers: ${statuses.map(([status, count]) => `${status}×${count}`).join(', ')})`,
  );
});

/** fast-check runs: a failure is shrunk for at most this long before it is reported. */
const RUN_LIMIT = { interruptAfterTimeLimit: 40_000, markInterruptAsFailure: false } as const;

async function stillUp(): Promise<void> {
  const response = await fetch(`${gateway.url}/healthz`, { signal: AbortSignal.timeout(2_000) });
  expect(response.status).toBe(200);
  expect(crashes, 'no uncaught exception or unhandled rejection').toEqual([]);
}

describe('fuzzed request bodies: no 5xx, the process up, answers well-formed', () => {
  const families: Array<{ name: string; endpoints: Endpoint[]; runs: number }> = [
    { name: 'chat completions (/openai/{r} and /v1)', endpoints: CHAT_ENDPOINTS, runs: 800 },
    { name: 'embeddings', endpoints: EMBEDDINGS_ENDPOINTS, runs: 400 },
    { name: '/proxy on an OpenAI route', endpoints: PROXY_OPENAI, runs: 400 },
    { name: '/proxy on an Anthropic route', endpoints: PROXY_ANTHROPIC, runs: 400 },
    { name: '/proxy on a Gemini route', endpoints: PROXY_GEMINI, runs: 400 },
    {
      name: 'Anthropic Messages in (/anthropic/{r} and /v1/messages)',
      endpoints: ANTHROPIC_INBOUND,
      runs: 400,
    },
    { name: 'Gemini in (/gemini/{r})', endpoints: GEMINI_INBOUND, runs: 400 },
    { name: 'Responses in (/openai/{r}/v1/responses)', endpoints: RESPONSES_INBOUND, runs: 400 },
    {
      name: 'unknown paths and routes',
      endpoints: OTHER_ENDPOINTS.filter((endpoint) => endpoint.method === 'POST'),
      runs: 100,
    },
  ];
  for (const { name, endpoints, runs } of families) {
    it(
      name,
      async () => {
        await fc.assert(
          fc.asyncProperty(
            fc
              .constantFrom(...endpoints)
              .chain((endpoint) => fc.tuple(fc.constant(endpoint), bodies(endpoint.body ?? CHAT_BODY))),
            async ([endpoint, body]) => {
              await expectWellFormed(jsonRequest(endpoint, body));
            },
          ),
          { numRuns: runs, ...RUN_LIMIT },
        );
        await stillUp();
      },
      120_000,
    );
  }
});

describe('fuzzed paths (fc.webPath and dot, slash, backslash, %, ?, # in every encoding)', () => {
  it('on every prefix, GET, POST and DELETE', async () => {
    await fc.assert(
      fc.asyncProperty(paths, fc.constantFrom('GET', 'POST', 'DELETE'), async (path, method) => {
        const body = method === 'GET' ? null : Buffer.from(JSON.stringify({ ...CHAT_BODY, ...GEMINI_BODY }));
        await expectWellFormed({
          endpoint: `${method} ${endpointOf(path)}`,
          method,
          path,
          // node:http frames no body of a DELETE by itself: the length is always declared.
          headers: {
            authorization: `Bearer ${APP_KEY}`,
            ...(body ? { 'content-type': 'application/json', 'content-length': String(body.length) } : {}),
          },
          body,
        });
      }),
      { numRuns: 1200, ...RUN_LIMIT },
    );
    await stillUp();
  }, 120_000);
});

describe('fuzzed headers (Authorization, x-api-key, x-goog-api-key, content-type, content-length)', () => {
  it('on every endpoint', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ALL_ENDPOINTS).chain((endpoint) => {
          const body = endpoint.body === undefined ? null : Buffer.from(JSON.stringify(endpoint.body));
          return fc.record({
            endpoint: fc.constant(endpoint),
            body: fc.constant(body),
            headers: headerSets,
            length: fc.option(contentLengths(body?.length ?? 0), { nil: undefined }),
          });
        }),
        async ({ endpoint, body, headers, length }) => {
          const chosen: Record<string, string> = {};
          for (const [name, value] of Object.entries(headers)) if (value !== undefined) chosen[name] = value;
          // Without a chosen length, the true one (node:http would not frame a DELETE's body otherwise).
          chosen['content-length'] = length ?? String(body?.length ?? 0);
          await expectWellFormed({
            endpoint: endpoint.name,
            method: endpoint.method,
            path: endpoint.path,
            headers: chosen,
            body,
          });
        },
      ),
      { numRuns: 1000, ...RUN_LIMIT },
    );
    await stillUp();
  }, 120_000);
});
