/**
 * The benchmark's upstream, run as its own process: OpenAI Chat Completions at
 * /v1/chat/completions and Anthropic Messages at /v1/messages, each non-streamed or streamed
 * as N chunks, after a fixed latency. It counts the requests whose body carried the redact
 * marker (GET /_stats), so that the policy section can tell whether a filter really ran.
 *
 *   node --import tsx/esm bench/servers/fake-upstream.ts --latency-ms=0 --chunks=100 \
 *     --first-chunk-gap-ms=5 --chunk-interval-ms=0
 *
 * Prints `FAKE_LISTENING <port>` when ready. A stream sends its first event, waits the first-chunk
 * gap (as a model does between its first token and the rest), then the other events; a chunk
 * interval of 0 sends each on its own turn of the event loop (setImmediate): separate writes, no
 * timer jitter. Without the gap, on a 2-core machine, the burst of the later chunks competes for
 * the CPUs with the proxy relaying the first one, and time to first byte measures the scheduler.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { REDACT_MARKER } from '../shared.ts';

const { values } = parseArgs({
  options: {
    'latency-ms': { type: 'string', default: '0' },
    chunks: { type: 'string', default: '100' },
    'chunk-interval-ms': { type: 'string', default: '0' },
    'first-chunk-gap-ms': { type: 'string', default: '5' },
  },
});
const latencyMs = Number(values['latency-ms']);
const chunks = Number(values.chunks);
const chunkIntervalMs = Number(values['chunk-interval-ms']);
const firstChunkGapMs = Number(values['first-chunk-gap-ms']);

const stats = { requests: 0, sawMarker: 0 };

const OPENAI_MODEL = 'gpt-4.1-nano-2025-04-14';
const ANTHROPIC_MODEL = 'claude-sonnet-4-5-20250929';
const CREATED = 1770933883;

const OPENAI_ANSWER = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: CREATED,
  model: OPENAI_MODEL,
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'Hello there.', refusal: null },
      logprobs: null,
      finish_reason: 'stop',
    },
  ],
  usage: { prompt_tokens: 16, completion_tokens: 4, total_tokens: 20 },
});

const ANTHROPIC_ANSWER = JSON.stringify({
  id: 'msg_bench',
  type: 'message',
  role: 'assistant',
  model: ANTHROPIC_MODEL,
  content: [{ type: 'text', text: 'Hello there.' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 16, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 4 },
});

function openAiChunk(index: number): string {
  const last = index === chunks - 1;
  return JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion.chunk',
    created: CREATED,
    model: OPENAI_MODEL,
    choices: [
      {
        index: 0,
        delta: index === 0 ? { role: 'assistant', content: 'Hello' } : last ? {} : { content: ' there' },
        logprobs: null,
        finish_reason: last ? 'stop' : null,
      },
    ],
    usage: null,
  });
}

/** The SSE events of one streamed answer, each already framed. */
function openAiEvents(wantsUsage: boolean): string[] {
  const events = Array.from({ length: chunks }, (_, index) => `data: ${openAiChunk(index)}\n\n`);
  if (wantsUsage) {
    const usage = { prompt_tokens: 16, completion_tokens: chunks, total_tokens: 16 + chunks };
    events.push(
      `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: CREATED, model: OPENAI_MODEL, choices: [], usage })}\n\n`,
    );
  }
  events.push('data: [DONE]\n\n');
  return events;
}

function anthropicEvents(): string[] {
  const event = (payload: Record<string, unknown>) =>
    `event: ${String(payload['type'])}\ndata: ${JSON.stringify(payload)}\n\n`;
  const deltas = Array.from({ length: Math.max(1, chunks - 5) }, (_, index) =>
    event({
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'text_delta', text: index === 0 ? 'Hello' : ' there' },
    }),
  );
  return [
    event({
      type: 'message_start',
      message: {
        id: 'msg_bench',
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
    event({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    ...deltas,
    event({ type: 'content_block_stop', index: 0 }),
    event({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: deltas.length },
    }),
    event({ type: 'message_stop' }),
  ];
}

const later = (work: () => void, ms: number) => (ms > 0 ? setTimeout(work, ms) : setImmediate(work));

function stream(response: ServerResponse, events: string[]) {
  let next = 0;
  const send = () => {
    if (response.destroyed) return;
    response.write(events[next++]!);
    if (next < events.length) later(send, next === 1 ? firstChunkGapMs : chunkIntervalMs);
    else response.end();
  };
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
  });
  send();
}

function json(response: ServerResponse, status: number, body: string) {
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-request-id': 'req_fake_bench',
  });
  response.end(body);
}

function answer(request: IncomingMessage, response: ServerResponse, raw: string) {
  const path = (request.url ?? '/').split('?')[0];
  if (request.method === 'GET' && path === '/_stats') return json(response, 200, JSON.stringify(stats));
  stats.requests++;
  if (raw.includes(REDACT_MARKER)) stats.sawMarker++;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(raw || '{}') as Record<string, unknown>;
  } catch {
    return json(
      response,
      400,
      JSON.stringify({ error: { message: 'not JSON', type: 'invalid_request_error' } }),
    );
  }
  const streamed = body['stream'] === true;
  if (request.method === 'POST' && path === '/v1/chat/completions') {
    const options = body['stream_options'] as { include_usage?: unknown } | undefined;
    return later(
      () =>
        streamed
          ? stream(response, openAiEvents(options?.include_usage === true))
          : json(response, 200, OPENAI_ANSWER),
      latencyMs,
    );
  }
  if (request.method === 'POST' && path === '/v1/messages') {
    return later(
      () => (streamed ? stream(response, anthropicEvents()) : json(response, 200, ANTHROPIC_ANSWER)),
      latencyMs,
    );
  }
  json(response, 404, JSON.stringify({ error: { message: `no ${path} here`, type: 'not_found' } }));
}

const server = createServer({ keepAliveTimeout: 60_000 }, (request, response) => {
  const chunksIn: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunksIn.push(chunk));
  request.on('end', () => answer(request, response, Buffer.concat(chunksIn).toString('utf8')));
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`FAKE_LISTENING ${(server.address() as AddressInfo).port}\n`);
});
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
