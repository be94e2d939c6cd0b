/**
 * The soak's upstreams, run as their own process: any number of vendors on one port, told apart by
 * the first path segment (`/primary/v1/chat/completions` is the upstream named "primary", speaking
 * OpenAI Chat Completions; `/claude/v1/messages` is "claude", speaking Anthropic Messages). Every
 * answer is a stream of `--chunks` events `--chunk-interval-ms` apart, after `--latency-ms`.
 *
 *   node --import tsx/esm bench/soak/fake-upstreams.ts --failure-percent=4 --chunks=30 \
 *     --chunk-interval-ms=20 --latency-ms=50 --seed=1
 *
 * `--failure-percent` of the calls to each upstream fail, in the ways vendors do (FAULTS below):
 * an overload or rate-limit status before the headers, an out-of-credit answer, a connection reset
 * before any byte or right after the headers, and a stream cut part-way. Each upstream draws from
 * its own seeded generator, so a run's fault sequence per upstream is reproducible. Prints
 * `SOAK_FAKES_LISTENING <port>` when ready; GET /_stats answers the calls and faults per upstream.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    'failure-percent': { type: 'string', default: '4' },
    chunks: { type: 'string', default: '30' },
    'chunk-interval-ms': { type: 'string', default: '20' },
    'latency-ms': { type: 'string', default: '50' },
    seed: { type: 'string', default: '1' },
  },
});
const failureShare = Number(values['failure-percent']) / 100;
const chunks = Number(values.chunks);
const chunkIntervalMs = Number(values['chunk-interval-ms']);
const latencyMs = Number(values['latency-ms']);
const seed = Number(values.seed);

type Wire = 'openai' | 'anthropic';

/**
 * How a failing call fails, with its weight among the failures. `status` answers before any
 * stream starts (the gateway may retry or fall back); `quota` is an out-of-credit answer (straight
 * to the fallback, never retried); `reset` drops the connection before any byte, `reset-after-headers`
 * after a 200's headers and before the first event; `cut` ends a stream after a third of its events
 * (Anthropic's way: an `error` event; OpenAI's: the connection drops), which no gateway may retry.
 */
const FAULTS = [
  { kind: 'overloaded', weight: 30 },
  { kind: 'rate-limited', weight: 15 },
  { kind: 'server-error', weight: 10 },
  { kind: 'quota', weight: 5 },
  { kind: 'reset', weight: 15 },
  { kind: 'reset-after-headers', weight: 10 },
  { kind: 'cut', weight: 15 },
] as const;
type Fault = (typeof FAULTS)[number]['kind'];
const TOTAL_WEIGHT = FAULTS.reduce((sum, fault) => sum + fault.weight, 0);

/** mulberry32: small, fast, seeded; Math.random cannot be replayed. */
function generator(start: number): () => number {
  let state = start >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Upstream {
  random: () => number;
  calls: number;
  ok: number;
  faults: Record<string, number>;
}

const upstreams = new Map<string, Upstream>();

function upstreamNamed(name: string): Upstream {
  let upstream = upstreams.get(name);
  if (!upstream) {
    let hash = seed;
    for (const char of name) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
    upstream = { random: generator(hash), calls: 0, ok: 0, faults: {} };
    upstreams.set(name, upstream);
  }
  return upstream;
}

function draw(upstream: Upstream): Fault | null {
  if (upstream.random() >= failureShare) return null;
  let pick = upstream.random() * TOTAL_WEIGHT;
  for (const fault of FAULTS) {
    pick -= fault.weight;
    if (pick < 0) return fault.kind;
  }
  return 'overloaded';
}

const CREATED = 1770933883;
const OPENAI_MODEL = 'gpt-4.1-nano-2025-04-14';
const ANTHROPIC_MODEL = 'claude-sonnet-4-5-20250929';

function openAiEvents(wantsUsage: boolean): string[] {
  const chunk = (delta: Record<string, unknown>, finish: string | null) =>
    `data: ${JSON.stringify({
      id: 'chatcmpl-soak',
      object: 'chat.completion.chunk',
      created: CREATED,
      model: OPENAI_MODEL,
      system_fingerprint: 'fp_soak',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      usage: null,
    })}\n\n`;
  const events = [chunk({ role: 'assistant', content: '', refusal: null }, null)];
  for (let index = 0; index < chunks - 2; index++) events.push(chunk({ content: ` word${index}` }, null));
  events.push(chunk({}, 'stop'));
  if (wantsUsage) {
    const usage = { prompt_tokens: 16, completion_tokens: chunks, total_tokens: 16 + chunks };
    events.push(
      `data: ${JSON.stringify({ id: 'chatcmpl-soak', object: 'chat.completion.chunk', created: CREATED, model: OPENAI_MODEL, choices: [], usage })}\n\n`,
    );
  }
  events.push('data: [DONE]\n\n');
  return events;
}

const anthropicEvent = (payload: Record<string, unknown>) =>
  `event: ${String(payload['type'])}\ndata: ${JSON.stringify(payload)}\n\n`;

function anthropicEvents(): string[] {
  const deltas = Array.from({ length: Math.max(1, chunks - 5) }, (_, index) =>
    anthropicEvent({
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'text_delta', text: ` word${index}` },
    }),
  );
  return [
    anthropicEvent({
      type: 'message_start',
      message: {
        id: 'msg_soak',
        type: 'message',
        role: 'assistant',
        model: ANTHROPIC_MODEL,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: 16,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
          output_tokens: 1,
        },
      },
    }),
    anthropicEvent({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    ...deltas,
    anthropicEvent({ type: 'content_block_stop', index: 0 }),
    anthropicEvent({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: deltas.length },
    }),
    anthropicEvent({ type: 'message_stop' }),
  ];
}

/** The vendor's own error answers, as their APIs send them. */
function errorAnswer(wire: Wire, fault: 'overloaded' | 'rate-limited' | 'server-error' | 'quota') {
  if (wire === 'openai') {
    const error = (status: number, message: string, type: string, code: string | null) => ({
      status,
      body: { error: { message, type, param: null, code } },
    });
    if (fault === 'overloaded')
      return error(503, 'The server is overloaded or not ready yet.', 'server_error', null);
    if (fault === 'rate-limited')
      return error(
        429,
        'Rate limit reached for gpt-4.1-nano on requests per min (RPM): Limit 500, Used 500, Requested 1. Please try again in 1s.',
        'requests',
        'rate_limit_exceeded',
      );
    if (fault === 'server-error')
      return error(500, 'The server had an error while processing your request.', 'server_error', null);
    return error(
      429,
      'You exceeded your current quota, please check your plan and billing details.',
      'insufficient_quota',
      'insufficient_quota',
    );
  }
  const error = (status: number, type: string, message: string) => ({
    status,
    body: { type: 'error', error: { type, message }, request_id: 'req_soak' },
  });
  if (fault === 'overloaded') return error(529, 'overloaded_error', 'Overloaded');
  if (fault === 'rate-limited')
    return error(
      429,
      'rate_limit_error',
      'This request would exceed your rate limit of 50 requests per minute.',
    );
  if (fault === 'server-error') return error(500, 'api_error', 'Internal server error');
  return error(
    400,
    'invalid_request_error',
    'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.',
  );
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

const later = (work: () => void, ms: number) => (ms > 0 ? setTimeout(work, ms) : setImmediate(work));

/** Sends the events one by one; with `cutAfter`, stops there and ends as `cut` says. */
function stream(
  response: ServerResponse,
  events: readonly string[],
  cutAfter: number | null,
  cut: () => void,
) {
  let next = 0;
  const send = () => {
    if (response.destroyed) return;
    if (next === cutAfter) return cut();
    response.write(events[next++]!);
    if (next < events.length) later(send, chunkIntervalMs);
    else response.end();
  };
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
  });
  send();
}

function answer(request: IncomingMessage, response: ServerResponse, raw: string) {
  const [, name = '', ...rest] = (request.url ?? '/').split('?')[0]!.split('/');
  const path = `/${rest.join('/')}`;
  if (request.method === 'GET' && name === '_stats') {
    const stats = Object.fromEntries(
      [...upstreams].map(([upstream, { calls, ok, faults }]) => [upstream, { calls, ok, faults }]),
    );
    return json(response, 200, stats);
  }
  const wire: Wire | null =
    request.method === 'POST' && path === '/v1/chat/completions'
      ? 'openai'
      : request.method === 'POST' && path === '/v1/messages'
        ? 'anthropic'
        : null;
  if (wire === null)
    return json(response, 404, { error: { message: `no ${request.url} here`, type: 'not_found' } });
  let body: { stream?: unknown; stream_options?: { include_usage?: unknown } };
  try {
    body = JSON.parse(raw) as typeof body;
  } catch {
    return json(response, 400, { error: { message: 'not JSON', type: 'invalid_request_error' } });
  }
  const upstream = upstreamNamed(name);
  upstream.calls++;
  const fault = draw(upstream);
  if (fault === null) upstream.ok++;
  else upstream.faults[fault] = (upstream.faults[fault] ?? 0) + 1;

  later(() => {
    if (fault === 'reset') return request.socket.destroy();
    if (fault === 'overloaded' || fault === 'rate-limited' || fault === 'server-error' || fault === 'quota') {
      const { status, body: error } = errorAnswer(wire, fault);
      // A rate limit says when to come back, as the vendors do; the gateway caps the wait.
      return json(response, status, error, fault === 'rate-limited' ? { 'retry-after': '1' } : {});
    }
    if (body.stream !== true)
      return json(response, 400, {
        error: { message: 'the soak streams only', type: 'invalid_request_error' },
      });
    const events =
      wire === 'openai' ? openAiEvents(body.stream_options?.include_usage === true) : anthropicEvents();
    if (fault === 'reset-after-headers') {
      response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
      response.flushHeaders();
      return setImmediate(() => request.socket.destroy());
    }
    const cutAfter = fault === 'cut' ? Math.max(1, Math.floor(events.length / 3)) : null;
    stream(response, events, cutAfter, () => {
      if (wire === 'openai') return request.socket.destroy();
      response.end(
        anthropicEvent({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
      );
    });
  }, latencyMs);
}

const server = createServer({ keepAliveTimeout: 60_000 }, (request, response) => {
  const parts: Buffer[] = [];
  request.on('data', (chunk: Buffer) => parts.push(chunk));
  request.on('end', () => answer(request, response, Buffer.concat(parts).toString('utf8')));
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`SOAK_FAKES_LISTENING ${(server.address() as AddressInfo).port}\n`);
});
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
