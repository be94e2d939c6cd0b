import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { fixtureChunks, fixtureJson } from './fixtures.ts';

/*
 * A fake upstream that speaks the three wire formats the gateway calls (OpenAI Chat Completions and
 * embeddings, Anthropic Messages, Gemini generateContent / streamGenerateContent / batchEmbedContents),
 * answering from the real recordings in ../shared/fixtures, and that can be told to break in the
 * ways a real upstream (or a hostile one) does: usage of the wrong type or sign, SSE events of any
 * JSON type, sockets cut at every stage, a drip of one byte at a time, huge events and bodies,
 * `null` as the whole answer, and error bodies that echo the key it was sent.
 *
 * Every answer is bounded: whatever it writes stops when its client goes away, and close()
 * destroys every socket and clears every timer.
 */

export type WireVendor = 'openai' | 'anthropic' | 'gemini';
export type Operation = 'chat' | 'embeddings' | 'models' | 'count-tokens' | 'unknown';

/** One request as the fake saw it, and what it did with it. */
export interface Exchange {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  /** The body parsed as JSON, or null when it is empty or not JSON. */
  body: unknown;
  vendor: WireVendor | null;
  operation: Operation;
  stream: boolean;
  /** The status it answered with (null: none, the socket was cut before the status line or it hangs). */
  status: number | null;
}

/** Where a usage fault lands: the vendor's field for that count, or its whole usage object. */
export type UsageSlot = 'input' | 'output' | 'cached' | 'cacheWrite' | 'reasoning' | 'whole';

/** JSON text written verbatim where a value goes: for what no JavaScript value serialises to (`1e400`). */
export class RawJson {
  constructor(readonly text: string) {}
}

/**
 * Where the socket is cut. `before-status`: the request is read, nothing is written. `after-headers`:
 * the status line and headers, no body. `mid-json`: half of a non-streamed body (a stream is cut as
 * for `mid-event`). `mid-event`: two whole events, then half of the third (a non-streamed body is cut
 * as for `mid-json`). `before-terminator`: every event but the one that ends the stream (`[DONE]`,
 * `message_stop`, Gemini's chunk with the finish reason), then the socket is cut;
 * `end-before-terminator` ends the response cleanly there instead.
 */
export type CutStage =
  | 'before-status'
  | 'after-headers'
  | 'mid-json'
  | 'mid-event'
  | 'before-terminator'
  | 'end-before-terminator';

export type Fault =
  /** One usage count (or the whole usage object) replaced by `value`, wherever the answer reports usage. */
  | { kind: 'usage'; slot: UsageSlot; value: unknown }
  /**
   * One extra SSE event with this exact `data:` text (and `event:` name, if given), after the first
   * event of an otherwise valid stream. A non-streamed answer is this text as the whole body.
   */
  | { kind: 'event'; data: string; event?: string }
  | { kind: 'cut'; stage: CutStage }
  /** Headers at once, then one byte every `intervalMs` of an endless (valid-looking) body, until the client goes away. */
  | { kind: 'drip'; intervalMs: number }
  /** Never answers: no status line, the socket stays open until the client goes away. */
  | { kind: 'hang' }
  /** A stream that writes `afterEvents` whole events, then nothing more (open until the client goes away). */
  | { kind: 'stall'; afterEvents: number }
  /** One SSE event of about `bytes` bytes (a text delta) in an otherwise valid stream; non-streamed: as huge-body. */
  | { kind: 'huge-event'; bytes: number }
  /**
   * A non-streamed answer of about `bytes` bytes (a padding field), chunked unless `declareLength`;
   * a stream: as huge-event.
   */
  | { kind: 'huge-body'; bytes: number; declareLength?: boolean }
  /** `null` as the whole non-streamed answer (200, application/json); a stream of `data: null` events. */
  | { kind: 'json-null' }
  /**
   * The key the request carried (Authorization, x-api-key or x-goog-api-key, verbatim) echoed back:
   * `error-body` in a 401 error body; `stream-error` in the vendor's error event after the first
   * event of a 200 stream (written in two pieces split inside the key; a non-streamed request gets
   * the 401 error body); `content` inside the answer's text; `header` in response headers.
   */
  | { kind: 'echo-key'; where: 'error-body' | 'stream-error' | 'content' | 'header' }
  /**
   * An error answer with this status: `body` as its exact text, else the vendor's error shape with
   * a generic message; `headers` added (a `retry-after`).
   */
  | { kind: 'status'; status: number; body?: string; headers?: Record<string, string> };

export interface HostileUpstream {
  /** http://127.0.0.1:PORT, no trailing slash: the baseUrl of Anthropic and Gemini routes. */
  origin: string;
  /** `${origin}/v1`: the baseUrl of an OpenAI route. */
  openAiBaseUrl: string;
  /** Every request seen, oldest first. */
  seen: Exchange[];
  /** The fault for the requests that follow (null: answer normally). */
  setFault(fault: Fault | null): void;
  /** Faults for the next requests, one each, in order (null: answer normally); then setFault's again. */
  queueFaults(faults: readonly (Fault | null)[]): void;
  /** Answers still being written or held open (a stream stops when its client goes away). */
  openAnswers(): number;
  close(): Promise<void>;
}

/** Every answer carries this header, so a test can tell an upstream's answer from the gateway's own. */
export const UPSTREAM_MARK = 'x-hostile-upstream';

const PIECE = 64 * 1024;
/** Long enough for a write to leave the process before the socket is destroyed. */
const SETTLE_MS = 20;

interface WireEvent {
  event?: string;
  data: string;
}

/** What a normal answer would be: a JSON body, or a list of events with the one that ends the stream. */
type Answer =
  | { type: 'json'; body: Record<string, unknown> }
  | { type: 'sse'; events: WireEvent[]; terminator: number; newline: string };

const OPENAI_CHUNKS = (() => {
  const all = fixtureChunks('openai/openai-text.chunks.txt');
  // The role chunk, a few text chunks, the finish chunk and the usage-only chunk: a short real stream.
  return [...all.slice(0, 5), ...all.slice(-2)];
})();
const ANTHROPIC_CHUNKS = fixtureChunks('anthropic/anthropic-text.chunks.txt');
const GEMINI_CHUNKS = fixtureChunks('google/google-text.chunks.txt');
const OPENAI_ANSWER = fixtureJson('openai/openai-text.json');
const ANTHROPIC_ANSWER = fixtureJson('anthropic/anthropic-text.json');
const GEMINI_ANSWER = fixtureJson('google/google-text.json');

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** JSON.stringify that writes RawJson values as their raw text. */
export function serialize(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, item: unknown) => {
    if (item instanceof RawJson) {
      raws.push(item.text);
      return `\u0000raw${raws.length - 1}\u0000`;
    }
    return item;
  });
  if (raws.length === 0) return text;
  return text.replace(/"\\u0000raw(\d+)\\u0000"/g, (_match, index: string) => raws[Number(index)]!);
}

function classify(
  method: string,
  pathname: string,
  body: unknown,
): Pick<Exchange, 'vendor' | 'operation' | 'stream'> {
  const wantsStream =
    typeof body === 'object' && body !== null && (body as Record<string, unknown>)['stream'] === true;
  const gemini = /^\/v1(?:alpha|beta)?\d*\/(?:models|tunedModels)\/[^/]+:(\w+)$/.exec(pathname);
  if (gemini) {
    const method = gemini[1];
    if (method === 'batchEmbedContents' || method === 'embedContent')
      return { vendor: 'gemini', operation: 'embeddings', stream: false };
    if (method === 'countTokens') return { vendor: 'gemini', operation: 'count-tokens', stream: false };
    return { vendor: 'gemini', operation: 'chat', stream: method === 'streamGenerateContent' };
  }
  if (/^\/v1(?:alpha|beta)?\d*\/models\/?$/.test(pathname) && pathname.startsWith('/v1beta'))
    return { vendor: 'gemini', operation: 'models', stream: false };
  if (pathname === '/v1/messages') return { vendor: 'anthropic', operation: 'chat', stream: wantsStream };
  if (pathname === '/v1/messages/count_tokens')
    return { vendor: 'anthropic', operation: 'count-tokens', stream: false };
  if (pathname === '/v1/chat/completions' || pathname === '/chat/completions')
    return { vendor: 'openai', operation: 'chat', stream: wantsStream };
  if (pathname === '/v1/embeddings' || pathname === '/embeddings')
    return { vendor: 'openai', operation: 'embeddings', stream: false };
  if (method === 'GET' && (pathname === '/v1/models' || pathname === '/models'))
    return { vendor: 'openai', operation: 'models', stream: false };
  return { vendor: null, operation: 'unknown', stream: false };
}

function embeddingInputs(body: unknown): number {
  if (typeof body !== 'object' || body === null) return 1;
  const fields = body as Record<string, unknown>;
  if (Array.isArray(fields['requests'])) return Math.max(fields['requests'].length, 1);
  return Array.isArray(fields['input']) ? Math.max(fields['input'].length, 1) : 1;
}

/** The normal answer to an exchange, built from the recordings. */
function normalAnswer(exchange: Exchange): Answer {
  const { vendor, operation, stream } = exchange;
  if (operation === 'embeddings') {
    const count = Math.min(embeddingInputs(exchange.body), 64);
    if (vendor === 'gemini') {
      return {
        type: 'json',
        body: { embeddings: Array.from({ length: count }, () => ({ values: [0.012, -0.034, 0.056] })) },
      };
    }
    return {
      type: 'json',
      body: {
        object: 'list',
        data: Array.from({ length: count }, (_, index) => ({
          object: 'embedding',
          index,
          embedding: [0.0023, -0.0091, 0.0158],
        })),
        model: 'text-embedding-3-small',
        usage: { prompt_tokens: 8, total_tokens: 8 },
      },
    };
  }
  if (operation === 'models') {
    if (vendor === 'gemini') {
      return {
        type: 'json',
        body: {
          models: [
            { name: 'models/gemini-2.5-flash', supportedGenerationMethods: ['generateContent'] },
            { name: 'models/gemini-embedding-001', supportedGenerationMethods: ['embedContent'] },
          ],
        },
      };
    }
    return {
      type: 'json',
      body: {
        object: 'list',
        data: ['gpt-4.1-nano', 'text-embedding-3-small'].map((id) => ({
          id,
          object: 'model',
          created: 1700000000,
          owned_by: 'openai',
        })),
      },
    };
  }
  if (operation === 'count-tokens') {
    return { type: 'json', body: vendor === 'gemini' ? { totalTokens: 9 } : { input_tokens: 12 } };
  }
  if (operation === 'unknown') {
    return { type: 'json', body: { error: { message: 'Not found', type: 'invalid_request_error' } } };
  }
  if (vendor === 'anthropic') {
    if (!stream) return { type: 'json', body: clone(ANTHROPIC_ANSWER) };
    const events = ANTHROPIC_CHUNKS.map((data) => ({
      event: (JSON.parse(data) as { type: string }).type,
      data,
    }));
    return { type: 'sse', events, terminator: events.length - 1, newline: '\n' };
  }
  if (vendor === 'gemini') {
    if (!stream) return { type: 'json', body: clone(GEMINI_ANSWER) };
    // Gemini frames its events with CRLF and sends no [DONE]: the chunk with the finish reason ends it.
    const events = GEMINI_CHUNKS.map((data) => ({ data }));
    return { type: 'sse', events, terminator: events.length - 1, newline: '\r\n' };
  }
  if (!stream) return { type: 'json', body: clone(OPENAI_ANSWER) };
  const events = [...OPENAI_CHUNKS.map((data) => ({ data })), { data: '[DONE]' }];
  return { type: 'sse', events, terminator: events.length - 1, newline: '\n' };
}

/** Each vendor's field for each count; a slot the vendor has no field for (OpenAI's and Gemini's cache writes) is left alone. */
const USAGE_FIELDS: Record<WireVendor, Partial<Record<Exclude<UsageSlot, 'whole'>, string[]>>> = {
  openai: {
    input: ['prompt_tokens'],
    output: ['completion_tokens'],
    cached: ['prompt_tokens_details', 'cached_tokens'],
    reasoning: ['completion_tokens_details', 'reasoning_tokens'],
  },
  anthropic: {
    input: ['input_tokens'],
    output: ['output_tokens'],
    cached: ['cache_read_input_tokens'],
    cacheWrite: ['cache_creation_input_tokens'],
    reasoning: ['output_tokens_details', 'thinking_tokens'],
  },
  gemini: {
    input: ['promptTokenCount'],
    output: ['candidatesTokenCount'],
    cached: ['cachedContentTokenCount'],
    reasoning: ['thoughtsTokenCount'],
  },
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Puts `value` at `path` below `container[key]`, creating objects on the way. */
function setUsage(
  container: Record<string, unknown>,
  key: string,
  vendor: WireVendor,
  slot: UsageSlot,
  value: unknown,
): void {
  if (slot === 'whole') {
    container[key] = value;
    return;
  }
  const path = USAGE_FIELDS[vendor][slot];
  if (path === undefined) return;
  if (!isRecord(container[key])) container[key] = {};
  let target = container[key] as Record<string, unknown>;
  for (const name of path.slice(0, -1)) {
    if (!isRecord(target[name])) target[name] = {};
    target = target[name] as Record<string, unknown>;
  }
  target[path.at(-1)!] = value;
}

/** The answer with one usage count replaced, wherever that vendor reports usage. */
function withUsage(exchange: Exchange, answer: Answer, slot: UsageSlot, value: unknown): Answer {
  const vendor = exchange.vendor ?? 'openai';
  const usageKey = vendor === 'gemini' ? 'usageMetadata' : 'usage';
  if (answer.type === 'json') {
    setUsage(answer.body, usageKey, vendor, slot, value);
    return answer;
  }
  const events = answer.events.map((event) => {
    if (event.data === '[DONE]') return event;
    const payload = JSON.parse(event.data) as Record<string, unknown>;
    if (vendor === 'anthropic') {
      if (payload['type'] === 'message_start' && isRecord(payload['message'])) {
        setUsage(payload['message'], 'usage', vendor, slot, value);
      } else if (payload['type'] === 'message_delta') {
        setUsage(payload, 'usage', vendor, slot, value);
      } else {
        return event;
      }
    } else if (vendor === 'gemini') {
      setUsage(payload, usageKey, vendor, slot, value);
    } else if (payload['usage'] !== null && payload['usage'] !== undefined) {
      setUsage(payload, 'usage', vendor, slot, value);
    } else {
      return event;
    }
    return { ...event, data: serialize(payload) };
  });
  return { ...answer, events };
}

function contentType(answer: Answer): string {
  return answer.type === 'json' ? 'application/json' : 'text/event-stream; charset=utf-8';
}

function formatEvent(event: WireEvent, newline: string): string {
  const lines = event.data.split('\n').map((line) => `data: ${line}`);
  if (event.event !== undefined) lines.unshift(`event: ${event.event}`);
  return `${lines.join(newline)}${newline}${newline}`;
}

/** An error body in the vendor's own shape. */
function errorBody(vendor: WireVendor | null, status: number, message: string): Record<string, unknown> {
  if (vendor === 'anthropic') {
    return {
      type: 'error',
      error: { type: status === 401 ? 'authentication_error' : 'api_error', message },
    };
  }
  if (vendor === 'gemini') {
    return {
      error: { code: status, message, status: status === 401 ? 'UNAUTHENTICATED' : 'INTERNAL' },
    };
  }
  return {
    error: {
      message,
      type: status === 401 ? 'invalid_request_error' : 'server_error',
      param: null,
      code: status === 401 ? 'invalid_api_key' : null,
    },
  };
}

/** The vendor's error event inside a stream. */
function errorEvent(vendor: WireVendor | null, message: string): WireEvent {
  if (vendor === 'anthropic') {
    return {
      event: 'error',
      data: JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message } }),
    };
  }
  if (vendor === 'gemini') {
    return { data: JSON.stringify({ error: { code: 503, message, status: 'UNAVAILABLE' } }) };
  }
  return { data: JSON.stringify({ error: { message, type: 'server_error', param: null, code: null } }) };
}

/** The credentials the request carried, verbatim, as the vendor would quote them back. */
function echoedKeys(headers: IncomingHttpHeaders): string {
  const quoted: string[] = [];
  for (const name of ['authorization', 'x-api-key', 'x-goog-api-key']) {
    const value = headers[name];
    if (typeof value === 'string') quoted.push(`${name}: ${value}`);
  }
  return quoted.length > 0 ? quoted.join('; ') : '(no key)';
}

/** A text delta (or content part) event of the vendor's stream carrying `text`. */
function textEvent(vendor: WireVendor | null, text: string): WireEvent {
  if (vendor === 'anthropic') {
    return {
      event: 'content_block_delta',
      data: JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }),
    };
  }
  if (vendor === 'gemini') {
    return {
      data: JSON.stringify({
        candidates: [{ content: { parts: [{ text }], role: 'model' }, index: 0 }],
        modelVersion: 'gemini-3-pro-preview',
      }),
    };
  }
  return {
    data: JSON.stringify({
      id: 'chatcmpl-hostile',
      object: 'chat.completion.chunk',
      created: 1770933892,
      model: 'gpt-4.1-nano-2025-04-14',
      choices: [{ index: 0, delta: { content: text }, logprobs: null, finish_reason: null }],
      usage: null,
    }),
  };
}

/** Where text events may be inserted: after the events that open the answer. */
function textPosition(vendor: WireVendor | null): number {
  // Anthropic: after message_start and content_block_start; the others after their first chunk.
  return vendor === 'anthropic' ? 2 : 1;
}

/** The answer with its text replaced by `text` (non-streamed), or with one more text event (streamed). */
function withText(exchange: Exchange, answer: Answer, text: string): Answer {
  if (answer.type === 'json') {
    const body = answer.body;
    if (exchange.vendor === 'anthropic') body['content'] = [{ type: 'text', text }];
    else if (exchange.vendor === 'gemini') {
      body['candidates'] = [
        { content: { parts: [{ text }], role: 'model' }, finishReason: 'STOP', index: 0 },
      ];
    } else if (Array.isArray(body['choices'])) {
      body['choices'] = [
        { index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop', logprobs: null },
      ];
    } else {
      body['padding'] = text;
    }
    return answer;
  }
  const events = [...answer.events];
  const at = textPosition(exchange.vendor);
  events.splice(at, 0, textEvent(exchange.vendor, text));
  return { ...answer, events, terminator: answer.terminator + 1 };
}

export async function startHostileUpstream(): Promise<HostileUpstream> {
  const seen: Exchange[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const open = new Set<ServerResponse>();
  let fault: Fault | null = null;
  const queued: (Fault | null)[] = [];

  const later = (response: ServerResponse, ms: number, action: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!response.destroyed) action();
    }, ms);
    timers.add(timer);
  };

  const cut = (response: ServerResponse) => later(response, SETTLE_MS, () => response.socket?.destroy());

  /** Writes `text` in pieces, waiting for the socket to drain; stops when the client goes away. */
  const writeAll = async (response: ServerResponse, text: string): Promise<boolean> => {
    for (let start = 0; start < text.length; start += PIECE) {
      if (response.destroyed || response.writableEnded) return false;
      if (!response.write(text.slice(start, start + PIECE))) {
        const drained = await new Promise<boolean>((resolve) => {
          const onDrain = () => {
            response.off('close', onClose);
            resolve(true);
          };
          const onClose = () => {
            response.off('drain', onDrain);
            resolve(false);
          };
          response.once('drain', onDrain);
          response.once('close', onClose);
        });
        if (!drained) return false;
      }
    }
    return !response.destroyed;
  };

  const head = (response: ServerResponse, exchange: Exchange, status: number, type: string, extra = {}) => {
    exchange.status = status;
    response.writeHead(status, { 'content-type': type, [UPSTREAM_MARK]: '1', ...extra });
  };

  const sendJsonText = (response: ServerResponse, exchange: Exchange, status: number, text: string) => {
    head(response, exchange, status, 'application/json', {
      'content-length': String(Buffer.byteLength(text)),
    });
    response.end(text);
  };

  const sendEvents = (response: ServerResponse, exchange: Exchange, events: WireEvent[], newline: string) => {
    head(response, exchange, 200, 'text/event-stream; charset=utf-8');
    for (const event of events) response.write(formatEvent(event, newline));
    response.end();
  };

  const sendAnswer = (response: ServerResponse, exchange: Exchange, answer: Answer, extra = {}) => {
    if (answer.type === 'json') {
      const text = serialize(answer.body);
      head(response, exchange, 200, 'application/json', {
        'content-length': String(Buffer.byteLength(text)),
        ...extra,
      });
      response.end(text);
      return;
    }
    head(response, exchange, 200, contentType(answer), extra);
    for (const event of answer.events) response.write(formatEvent(event, answer.newline));
    response.end();
  };

  const answer = async (exchange: Exchange, response: ServerResponse, current: Fault | null) => {
    const normal = normalAnswer(exchange);
    if (exchange.operation === 'unknown' && current === null) {
      return sendJsonText(response, exchange, 404, serialize(normal.type === 'json' ? normal.body : {}));
    }
    if (current === null) return sendAnswer(response, exchange, normal);
    const newline = normal.type === 'sse' ? normal.newline : '\n';
    switch (current.kind) {
      case 'usage':
        return sendAnswer(response, exchange, withUsage(exchange, normal, current.slot, current.value));
      case 'event': {
        if (normal.type === 'json') return sendJsonText(response, exchange, 200, current.data);
        const events = [...normal.events];
        events.splice(1, 0, {
          data: current.data,
          ...(current.event === undefined ? {} : { event: current.event }),
        });
        return sendEvents(response, exchange, events, newline);
      }
      case 'json-null': {
        if (normal.type === 'json') return sendJsonText(response, exchange, 200, 'null');
        return sendEvents(response, exchange, [{ data: 'null' }, { data: 'null' }], newline);
      }
      case 'hang':
        return; // The socket stays open; the client (or close()) ends it.
      case 'cut':
        return cutAt(exchange, response, normal, current.stage);
      case 'drip':
        return drip(exchange, response, normal, current.intervalMs);
      case 'stall': {
        head(response, exchange, 200, contentType(normal));
        if (normal.type === 'json') {
          const text = serialize(normal.body);
          response.write(text.slice(0, Math.floor(text.length / 2)));
          return;
        }
        for (const event of normal.events.slice(0, current.afterEvents))
          response.write(formatEvent(event, newline));
        return; // held open until the client goes away
      }
      case 'huge-event':
      case 'huge-body':
        return huge(exchange, response, normal, current);
      case 'echo-key':
        return echo(exchange, response, normal, current.where);
      case 'status':
        head(response, exchange, current.status, 'application/json', current.headers ?? {});
        response.end(
          current.body ??
            JSON.stringify(
              errorBody(exchange.vendor, current.status, 'The upstream is having a bad minute.'),
            ),
        );
        return;
    }
  };

  const cutAt = (exchange: Exchange, response: ServerResponse, normal: Answer, stage: CutStage) => {
    if (stage === 'before-status') {
      response.socket?.destroy();
      return;
    }
    if (stage === 'after-headers') {
      head(response, exchange, 200, contentType(normal));
      response.flushHeaders();
      return cut(response);
    }
    if (normal.type === 'json') {
      const text = serialize(normal.body);
      // A declared length the body never reaches: the cut cannot pass for a complete answer.
      head(response, exchange, 200, 'application/json', {
        'content-length': String(Buffer.byteLength(text)),
      });
      response.write(text.slice(0, Math.floor(text.length / 2)));
      return cut(response);
    }
    head(response, exchange, 200, contentType(normal));
    const { events, terminator, newline } = normal;
    if (stage === 'mid-json' || stage === 'mid-event') {
      for (const event of events.slice(0, 2)) response.write(formatEvent(event, newline));
      const third = formatEvent(events[2] ?? events[0]!, newline);
      response.write(third.slice(0, Math.floor(third.length / 2)));
      return cut(response);
    }
    for (const event of events.slice(0, terminator)) response.write(formatEvent(event, newline));
    if (stage === 'end-before-terminator') response.end();
    else cut(response);
  };

  const drip = (exchange: Exchange, response: ServerResponse, normal: Answer, intervalMs: number) => {
    head(response, exchange, 200, contentType(normal));
    response.flushHeaders();
    // Valid-looking bytes that never complete an answer: an endless JSON string, or events repeated forever.
    const source =
      normal.type === 'json'
        ? `{"id":"drip","padding":"${'x'.repeat(256)}`
        : normal.events
            .slice(0, 2)
            .map((event) => formatEvent(event, normal.newline))
            .join('');
    const prefixLength = normal.type === 'json' ? source.indexOf('x') : 0;
    let position = 0;
    const timer = setInterval(() => {
      if (response.destroyed || response.writableEnded) {
        clearInterval(timer);
        timers.delete(timer);
        return;
      }
      // The JSON prefix once, then its padding forever; events cycle forever.
      if (position >= source.length) position = prefixLength;
      response.write(source[position++]!);
    }, intervalMs);
    timers.add(timer);
    response.once('close', () => {
      clearInterval(timer);
      timers.delete(timer);
    });
  };

  const huge = async (
    exchange: Exchange,
    response: ServerResponse,
    normal: Answer,
    current: Extract<Fault, { kind: 'huge-event' | 'huge-body' }>,
  ) => {
    const filler = 'x'.repeat(current.bytes);
    if (normal.type === 'json') {
      const body = { ...normal.body, padding: filler };
      const text = serialize(body);
      const declare = current.kind === 'huge-body' && current.declareLength === true;
      head(
        response,
        exchange,
        200,
        'application/json',
        declare ? { 'content-length': String(Buffer.byteLength(text)) } : {},
      );
      if (await writeAll(response, text)) response.end();
      return;
    }
    const events = [...normal.events];
    events.splice(textPosition(exchange.vendor), 0, textEvent(exchange.vendor, filler));
    head(response, exchange, 200, contentType(normal));
    for (const event of events) {
      if (!(await writeAll(response, formatEvent(event, normal.newline)))) return;
    }
    response.end();
  };

  const echo = (
    exchange: Exchange,
    response: ServerResponse,
    normal: Answer,
    where: Extract<Fault, { kind: 'echo-key' }>['where'],
  ) => {
    const echoed = echoedKeys(exchange.headers);
    if (where === 'header') {
      return sendAnswer(response, exchange, normal, {
        'x-debug-received-auth': echoed,
        'www-authenticate': `Bearer realm="upstream", error_description="${echoed.replace(/"/g, "'")}"`,
      });
    }
    if (where === 'content') {
      return sendAnswer(response, exchange, withText(exchange, normal, `Your request carried ${echoed}.`));
    }
    if (where === 'error-body' || normal.type === 'json') {
      const body = errorBody(exchange.vendor, 401, `Incorrect API key provided: ${echoed}`);
      return sendJsonText(response, exchange, 401, JSON.stringify({ ...body, received: exchange.headers }));
    }
    // A 200 stream whose error event quotes the key, written in two pieces split inside the key: a
    // scrubber that looks at one network chunk at a time sees neither half as a key.
    head(response, exchange, 200, contentType(normal));
    response.write(formatEvent(normal.events[0]!, normal.newline));
    const text = formatEvent(
      errorEvent(exchange.vendor, `Incorrect API key provided: ${echoed}`),
      normal.newline,
    );
    const keyAt = text.indexOf(echoed);
    const split = keyAt === -1 ? Math.floor(text.length / 2) : keyAt + Math.floor(echoed.length / 2);
    response.write(text.slice(0, split));
    later(response, SETTLE_MS, () => {
      response.write(text.slice(split));
      response.end();
    });
  };

  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    open.add(response);
    response.once('close', () => open.delete(response));
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('error', () => response.destroy());
    request.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      let body: unknown;
      try {
        body = rawBody.length > 0 ? (JSON.parse(rawBody.toString('utf8')) as unknown) : null;
      } catch {
        body = null;
      }
      const url = request.url ?? '/';
      const pathname = url.split('?')[0] ?? '/';
      const method = request.method ?? 'GET';
      const exchange: Exchange = {
        method,
        url,
        headers: request.headers,
        rawBody,
        body,
        ...classify(method, pathname, body),
        status: null,
      };
      seen.push(exchange);
      const current = queued.length > 0 ? (queued.shift() ?? null) : fault;
      answer(exchange, response, current).catch(() => response.destroy());
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    origin,
    openAiBaseUrl: `${origin}/v1`,
    seen,
    setFault: (next) => {
      fault = next;
    },
    queueFaults: (faults) => {
      queued.push(...faults);
    },
    openAnswers: () => open.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
