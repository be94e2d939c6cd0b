import { request as httpRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  APP_KEY,
  VENDOR_KEY,
  requestRows,
  startTestGateway,
  type TestGateway,
} from '../../support/gateway.ts';
import {
  RawJson,
  startHostileUpstream,
  type CutStage,
  type Fault,
  type HostileUpstream,
  type UsageSlot,
  type WireVendor,
} from '../../support/hostile-upstream.ts';

/*
 * Every endpoint family that reaches an upstream, against an upstream that misbehaves in every way
 * issue 9 lists. For each request: the gateway answers (a status, or a stream that ends) within a
 * few seconds; where nothing was sent yet a failure is a 502/504 in the endpoint's own error shape,
 * and a stream cut after its first byte ends at once with the format's own error event; the
 * process stays up (no uncaught exception or unhandled rejection, which would exit `serve`);
 * /healthz answers within 100 ms throughout; exactly one row is recorded, with sensible fields;
 * and the route's vendor key never reaches the client.
 *
 * A round sends one request per endpoint, one at a time (all at once for faults that only wait);
 * rounds run one after another. The rows of a batch of rounds are read once at its end and matched
 * to their requests by the gateway's request id header, or, where a request got no headers, by
 * order per (route, endpoint, stream).
 */

type Row = Record<string, unknown>;
type RouteId = 'oa' | 'an' | 'ge';
type Shape = WireVendor;

interface Target {
  name: string;
  route: RouteId;
  /** The route's vendor: the wire format the upstream speaks. */
  vendor: WireVendor;
  family: 'chat' | 'embeddings' | 'proxy';
  /** The row's `endpoint`. */
  endpoint: 'chat.completions' | 'embeddings' | 'proxy';
  stream: boolean;
  path: string;
  body: Record<string, unknown>;
  /** Builds the body anew for each request, where it must differ every time (defeating caches). */
  freshBody?: () => Record<string, unknown>;
  /** The endpoint's error shape, and the format of its stream's error event. */
  shape: Shape;
}

const VENDORS: Record<RouteId, WireVendor> = { oa: 'openai', an: 'anthropic', ge: 'gemini' };
const CHAT_MODELS: Record<RouteId, string> = {
  oa: 'gpt-4.1-nano',
  an: 'claude-sonnet-4-5',
  ge: 'gemini-2.5-flash',
};

function chatTarget(route: RouteId, stream: boolean): Target {
  return {
    name: `/openai/${route}/v1/chat/completions (${VENDORS[route]} route, ${stream ? 'stream' : 'json'})`,
    route,
    vendor: VENDORS[route],
    family: 'chat',
    endpoint: 'chat.completions',
    stream,
    path: `/openai/${route}/v1/chat/completions`,
    body: {
      model: CHAT_MODELS[route],
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Hi' }],
      ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
    },
    shape: 'openai',
  };
}

function embeddingsTarget(route: 'oa' | 'ge'): Target {
  return {
    name: `/openai/${route}/v1/embeddings (${VENDORS[route]} route)`,
    route,
    vendor: VENDORS[route],
    family: 'embeddings',
    endpoint: 'embeddings',
    stream: false,
    path: `/openai/${route}/v1/embeddings`,
    body: { model: route === 'oa' ? 'text-embedding-3-small' : 'gemini-embedding-001', input: 'hello' },
    shape: 'openai',
  };
}

function proxyTarget(route: RouteId, stream: boolean): Target {
  const common = { route, vendor: VENDORS[route], family: 'proxy', endpoint: 'proxy', stream } as const;
  const mode = stream ? 'stream' : 'json';
  if (route === 'oa') {
    return {
      ...common,
      name: `/proxy/oa/chat/completions (${mode})`,
      path: '/proxy/oa/chat/completions',
      body: {
        model: CHAT_MODELS.oa,
        messages: [{ role: 'user', content: 'Hi' }],
        ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
      },
      shape: 'openai',
    };
  }
  if (route === 'an') {
    return {
      ...common,
      name: `/proxy/an/v1/messages (${mode})`,
      path: '/proxy/an/v1/messages',
      body: {
        model: CHAT_MODELS.an,
        max_tokens: 64,
        messages: [{ role: 'user', content: 'Hi' }],
        ...(stream ? { stream: true } : {}),
      },
      shape: 'anthropic',
    };
  }
  const method = stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
  return {
    ...common,
    name: `/proxy/ge/v1beta/models/gemini-2.5-flash:${method.split('?')[0]!} (${mode})`,
    path: `/proxy/ge/v1beta/models/${CHAT_MODELS.ge}:${method}`,
    body: { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] },
    shape: 'gemini',
  };
}

const ROUTE_IDS: RouteId[] = ['oa', 'an', 'ge'];
const CHAT = ROUTE_IDS.flatMap((route) => [chatTarget(route, false), chatTarget(route, true)]);
const EMBEDDINGS = [embeddingsTarget('oa'), embeddingsTarget('ge')];
const PROXY = ROUTE_IDS.flatMap((route) => [proxyTarget(route, false), proxyTarget(route, true)]);
const ALL: readonly Target[] = [...CHAT, ...EMBEDDINGS, ...PROXY];
const STREAMS = ALL.filter((target) => target.stream);
const JSON_TARGETS = ALL.filter((target) => !target.stream);

/** The same request with `text` as the prompt. */
/** The same request with a prompt made by `text` anew for every request. */
function withPrompt(target: Target, text: () => string): Target {
  const bodyWith = (prompt: string) =>
    target.route === 'ge' && target.family === 'proxy'
      ? { ...target.body, contents: [{ role: 'user', parts: [{ text: prompt }] }] }
      : { ...target.body, messages: [{ role: 'user', content: prompt }] };
  return { ...target, body: bodyWith(text()), freshBody: () => bodyWith(text()) };
}

// ---------------------------------------------------------------------------------------------
// The client side: one request, read to its end or until it hangs.

const CLIENT_TIMEOUT_MS = 3_000;
/** A cut stream must end "at once": well before the client would give up. */
const PROMPT_END_MS = 1_500;
const HEALTH_LIMIT_MS = 100;
const PROBE_INTERVAL_MS = 20;
const REQUEST_ID_HEADER = 'x-switchboard-request-id';

interface ClientEvent {
  event: string | undefined;
  data: string;
}

interface ClientResult {
  target: Target;
  status: number | null;
  headers: Record<string, string>;
  text: string;
  /** The events, when the answer is an event stream. */
  events: ClientEvent[] | null;
  /** The body parsed as JSON, when it is not an event stream and parses. */
  json: unknown;
  elapsedMs: number;
  /** The client gave up waiting (the answer did not end in time). */
  hung: boolean;
  /** The client hung up on purpose (a client-cut round). */
  cutByClient: boolean;
  /** A network error other than our own timeout or cut (e.g. the gateway dropped the connection). */
  error: string | null;
}

interface CallOptions {
  timeoutMs?: number;
  /** Hang up as soon as the first whole event has arrived. */
  cutAfterFirstEvent?: boolean;
}

function parseSse(text: string): ClientEvent[] {
  const events: ClientEvent[] = [];
  for (const block of text.replace(/\r\n?/g, '\n').split('\n\n')) {
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      else if (line.startsWith('event:')) event = line.slice(6).trim();
    }
    if (data.length > 0) events.push({ event, data: data.join('\n') });
  }
  return events;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * One request through node:http, read to its end; on a timeout or a deliberate hang-up the socket
 * is destroyed, so that the gateway sees its client go away exactly then.
 */
function call(gateway: TestGateway, target: Target, options: CallOptions = {}): Promise<ClientResult> {
  const timeoutMs = options.timeoutMs ?? CLIENT_TIMEOUT_MS;
  const started = performance.now();
  const result: ClientResult = {
    target,
    status: null,
    headers: {},
    text: '',
    events: null,
    json: undefined,
    elapsedMs: 0,
    hung: false,
    cutByClient: false,
    error: null,
  };
  const body = JSON.stringify(target.freshBody?.() ?? target.body);
  return new Promise((resolve) => {
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      result.elapsedMs = performance.now() - started;
      if ((result.headers['content-type'] ?? '').includes('text/event-stream'))
        result.events = parseSse(result.text);
      else result.json = parseJson(result.text);
      resolve(result);
    };
    const failed = (message: string) => {
      if (!result.hung && !result.cutByClient) result.error ??= message;
      finish();
    };
    const request = httpRequest({
      host: '127.0.0.1',
      port: gateway.port,
      method: 'POST',
      path: target.path,
      headers: {
        authorization: `Bearer ${APP_KEY}`,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
      },
    });
    const timer = setTimeout(() => {
      result.hung = true;
      request.destroy();
      finish();
    }, timeoutMs);
    request.on('response', (response) => {
      result.status = response.statusCode ?? null;
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined) result.headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      const decoder = new TextDecoder();
      response.on('data', (chunk: Buffer) => {
        result.text += decoder.decode(chunk, { stream: true });
        if (options.cutAfterFirstEvent && !result.cutByClient && /\r?\n\r?\n/.test(result.text)) {
          result.cutByClient = true;
          request.destroy();
          finish();
        }
      });
      response.on('end', finish);
      response.on('error', (error) => failed(error.message));
      response.on('close', () => {
        if (!response.complete) failed('the connection closed before the answer ended');
        finish();
      });
    });
    request.on('error', (error) => failed(error.message));
    request.end(body);
  });
}

// ---------------------------------------------------------------------------------------------
// Health: /healthz timed on the side, the time a probe waits for its turn included (the gateway
// runs in this process, so a frozen event loop shows as a late timer, not a slow answer).

interface HealthSample {
  /** When the probe should have gone out, and when its answer was in. */
  due: number;
  end: number;
}

interface HealthProbe {
  samples: HealthSample[];
  failures: string[];
  stop(): Promise<void>;
}

function startHealthProbe(gateway: TestGateway): HealthProbe {
  let running = true;
  const probe: HealthProbe = { samples: [], failures: [], stop: async () => undefined };
  const loop = (async () => {
    do {
      const due = performance.now() + PROBE_INTERVAL_MS;
      await sleep(PROBE_INTERVAL_MS);
      try {
        const response = await fetch(`${gateway.url}/healthz`, { signal: AbortSignal.timeout(5_000) });
        const body = await response.text();
        if (response.status !== 200 || !body.includes('ok')) {
          probe.failures.push(`/healthz answered ${response.status} ${body.slice(0, 80)}`);
        }
      } catch (error) {
        probe.failures.push(`/healthz failed: ${String(error)}`);
      }
      probe.samples.push({ due, end: performance.now() });
    } while (running);
  })();
  probe.stop = async () => {
    running = false;
    await loop;
  };
  return probe;
}

/** The slowest probe that overlapped [start, end] (0 when none did). */
function worstBetween(samples: HealthSample[], start: number, end: number): number {
  let worst = 0;
  for (const sample of samples) {
    if (sample.end >= start && sample.due <= end) worst = Math.max(worst, sample.end - sample.due);
  }
  return worst;
}

/**
 * A round whose probes were slow is sent again (up to this many more times) with the probe alone:
 * a freeze that the round causes shows every time, while a pause of the machine (another process
 * on the two cores, a garbage collection) does not. The round fails only if every attempt was slow.
 */
const HEALTH_RETRIES = 2;

/** Over the whole file, for the closing note of the issue. */
const overall = {
  worst: 0,
  worstAt: '',
  firstAttemptWorst: 0,
  probes: 0,
  requests: 0,
  /** Rounds whose first attempt was slow, with every attempt's worst: noise, or a freeze. */
  retried: [] as string[],
};

// ---------------------------------------------------------------------------------------------
// The process staying up: in `serve` an uncaught exception or unhandled rejection exits the
// process; here, in vitest's worker, it is caught and counted.

const crashes: string[] = [];
const onCrash = (error: unknown) => {
  crashes.push(
    error instanceof Error
      ? (error.stack ?? error.message).split('\n').slice(0, 3).join(' | ')
      : String(error),
  );
};

// ---------------------------------------------------------------------------------------------
// Rows.

const ROW_WAIT_MS = 800;

async function newestRowId(gateway: TestGateway): Promise<string | null> {
  const [row] = await requestRows(gateway, 1);
  return row ? String(row['id']) : null;
}

/** Rows newer than `marker`, newest first, once `expected` of them are there (or after a wait). */
async function rowsSince(gateway: TestGateway, marker: string | null, expected: number): Promise<Row[]> {
  const deadline = performance.now() + ROW_WAIT_MS;
  const read = async () => {
    const all = await requestRows(gateway, 1000);
    const end = marker === null ? -1 : all.findIndex((row) => row['id'] === marker);
    return end === -1 ? all : all.slice(0, end);
  };
  let rows = await read();
  while (rows.length < expected && performance.now() < deadline) rows = await read();
  // A little longer, so that a second row for one request would show.
  await sleep(40);
  return read();
}

const rowKey = (route: unknown, endpoint: unknown, stream: unknown) =>
  `${String(route)}|${String(endpoint)}|${String(stream)}`;

interface Outcome {
  round: Round;
  results: ClientResult[];
  crashes: string[];
}

/** Each result's rows: by the request id header where the answer had one, else in order per key. */
function attributeRows(outcomes: Outcome[], rows: Row[]): Map<ClientResult, Row[]> {
  const out = new Map<ClientResult, Row[]>();
  const byId = new Map(rows.map((row) => [String(row['id']), row]));
  const used = new Set<string>();
  const unmatched: ClientResult[] = [];
  for (const { results } of outcomes) {
    for (const result of results) {
      const id = result.headers[REQUEST_ID_HEADER];
      const row = id === undefined ? undefined : byId.get(id);
      if (row) {
        out.set(result, [row]);
        used.add(id!);
      } else unmatched.push(result);
    }
  }
  const pools = new Map<string, Row[]>();
  for (const row of [...rows].reverse()) {
    if (used.has(String(row['id']))) continue;
    const key = rowKey(row['route'], row['endpoint'], row['stream']);
    pools.set(key, [...(pools.get(key) ?? []), row]);
  }
  const waiting = new Map<string, ClientResult[]>();
  for (const result of unmatched) {
    const key = rowKey(result.target.route, result.target.endpoint, result.target.stream);
    waiting.set(key, [...(waiting.get(key) ?? []), result]);
  }
  for (const [key, results] of waiting) {
    const pool = pools.get(key) ?? [];
    results.forEach((result, index) => {
      // Extra rows go to the last request of the key, so that a duplicate shows as "2 rows".
      const last = index === results.length - 1;
      out.set(result, last ? pool.slice(index) : pool.slice(index, index + 1));
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Assertions, all soft: a batch reports every request that misbehaved, not just the first.

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function errorOf(body: unknown): Record<string, unknown> | null {
  return isRecord(body) && isRecord(body['error']) ? body['error'] : null;
}

/** A body in the endpoint's error shape (OpenAI's, Anthropic's or Google's), with this status. */
function isErrorBody(shape: Shape, body: unknown, status: number): boolean {
  const error = errorOf(body);
  if (error === null || typeof error['message'] !== 'string') return false;
  if (shape === 'anthropic')
    return isRecord(body) && body['type'] === 'error' && typeof error['type'] === 'string';
  if (shape === 'gemini') return error['code'] === status && typeof error['status'] === 'string';
  return typeof error['type'] === 'string' && 'code' in error;
}

/** The format's own error event. */
function isErrorEvent(shape: Shape, event: ClientEvent | undefined): boolean {
  if (event === undefined) return false;
  const payload = parseJson(event.data);
  if (shape === 'anthropic') return event.event === 'error' && isErrorBody('anthropic', payload, 0);
  const error = errorOf(payload);
  if (error === null || typeof error['message'] !== 'string') return false;
  return shape === 'gemini' ? typeof error['code'] === 'number' && typeof error['status'] === 'string' : true;
}

/** The stream's last event is the one that ends a complete answer in this format. */
function endsComplete(target: Target, events: ClientEvent[]): boolean {
  const last = events.at(-1);
  if (last === undefined) return false;
  if (target.shape === 'anthropic') {
    const payload = parseJson(last.data);
    return last.event === 'message_stop' || (isRecord(payload) && payload['type'] === 'message_stop');
  }
  if (target.shape === 'gemini' && target.family === 'proxy') {
    const payload = parseJson(last.data);
    const candidates = isRecord(payload) ? payload['candidates'] : undefined;
    return (
      Array.isArray(candidates) &&
      isRecord(candidates[0]) &&
      typeof candidates[0]['finishReason'] === 'string'
    );
  }
  return last.data === '[DONE]';
}

/** The last event is the error event (on /openai a `[DONE]` after it is tolerated). */
function endsWithError(target: Target, events: ClientEvent[]): boolean {
  const tail = events.at(-1)?.data === '[DONE]' && target.shape === 'openai' ? events.at(-2) : events.at(-1);
  return isErrorEvent(target.shape, tail);
}

const show = (result: ClientResult) =>
  `status ${String(result.status)}, ${Math.round(result.elapsedMs)} ms${result.hung ? ', HUNG' : ''}${
    result.error ? `, error ${result.error}` : ''
  }, body ${JSON.stringify(result.text.slice(-300))}`;

/** A 2xx that is well-formed for its endpoint: the answer's JSON, or a stream that ends complete. */
function expectSuccess(label: string, result: ClientResult): void {
  const { target } = result;
  expect.soft(result.status, `${label}: 200 (${show(result)})`).toBe(200);
  if (result.status !== 200) return;
  if (target.stream) {
    expect
      .soft(
        result.events !== null && endsComplete(target, result.events),
        `${label}: the stream ends complete (${show(result)})`,
      )
      .toBe(true);
    return;
  }
  const body = result.json;
  const wellFormed =
    target.family === 'chat'
      ? isRecord(body) && Array.isArray(body['choices']) && body['choices'].length > 0
      : target.family === 'embeddings'
        ? isRecord(body) && Array.isArray(body['data'])
        : isRecord(body);
  expect.soft(wellFormed, `${label}: a well-formed answer (${show(result)})`).toBe(true);
}

/** Refused before any byte went out: `status` in the endpoint's error shape (OpenAI's also with `code`). */
function expectGatewayError(label: string, result: ClientResult, status: number, code: string): void {
  const { target } = result;
  expect.soft(result.status, `${label}: ${status} ${code} (${show(result)})`).toBe(status);
  expect
    .soft(
      isErrorBody(target.shape, result.json, status),
      `${label}: a ${target.shape}-shaped error body (${show(result)})`,
    )
    .toBe(true);
  if (target.shape === 'openai')
    expect.soft(errorOf(result.json)?.['code'], `${label}: error.code`).toBe(code);
}

/** A stream that ends with the format's error event, promptly. */
function expectStreamError(label: string, result: ClientResult, withinMs = PROMPT_END_MS): void {
  expect.soft(result.status, `${label}: the stream started (${show(result)})`).toBe(200);
  expect
    .soft(
      result.events !== null && endsWithError(result.target, result.events),
      `${label}: ends with the ${result.target.shape} error event (${show(result)})`,
    )
    .toBe(true);
  expect
    .soft(result.elapsedMs, `${label}: ends at once, not after a timeout (${show(result)})`)
    .toBeLessThan(withinMs);
}

/** A failure either before the first byte (an error answer) or after it (a stream's error event). */
function expectFailure(
  label: string,
  result: ClientResult,
  status: number,
  code: string,
  withinMs?: number,
): void {
  if (result.status === 200 && result.target.stream) expectStreamError(label, result, withinMs);
  else expectGatewayError(label, result, status, code);
}

function expectNoVendorKey(label: string, result: ClientResult): void {
  const seen = `${result.text}\n${JSON.stringify(result.headers)}`;
  expect
    .soft(seen.includes(VENDOR_KEY), `${label}: the route's vendor key never reaches the client`)
    .toBe(false);
  // A key with only its prefix cut off is still the key.
  expect
    .soft(seen.includes(VENDOR_KEY.slice(-12)), `${label}: no tail of the vendor key reaches the client`)
    .toBe(false);
}

const COUNT_FIELDS = ['inputTokens', 'outputTokens', 'cachedInputTokens', 'reasoningTokens'] as const;
type CountField = (typeof COUNT_FIELDS)[number];

function expectRowSane(label: string, row: Row, target: Target): void {
  for (const field of COUNT_FIELDS) {
    const value = row[field];
    const ok = value === null || (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0);
    expect.soft(ok, `${label}: row.${field} is null or a count (got ${JSON.stringify(value)})`).toBe(true);
  }
  const cost = row['costUsd'];
  const costOk =
    cost === null || (typeof cost === 'number' && Number.isFinite(cost) && cost >= 0 && cost < 1);
  expect
    .soft(costOk, `${label}: row.costUsd is null or a sane cost (got ${JSON.stringify(cost)})`)
    .toBe(true);
  expect.soft(row['route'], `${label}: row.route`).toBe(target.route);
  expect.soft(typeof row['partial'], `${label}: row.partial is a boolean`).toBe('boolean');
}

// ---------------------------------------------------------------------------------------------
// Batches of rounds.

interface Round {
  label: string;
  fault: Fault | null;
  targets: readonly Target[];
  call?: CallOptions;
  /** Checks of this round's answer and row, beyond the ones every request gets. */
  check: (label: string, result: ClientResult, row: Row | undefined) => void;
  /** Runs after the round's requests, before the next round (e.g. waits for the upstream to be let go). */
  after?: (results: ClientResult[]) => Promise<void>;
  /** Send the round's requests all at once (for faults that only wait, like a hang or a drip). */
  concurrent?: boolean;
}

let hostile: HostileUpstream;

async function sendRound(gateway: TestGateway, round: Round): Promise<ClientResult[]> {
  hostile.setFault(round.fault);
  try {
    if (round.concurrent) {
      return await Promise.all(round.targets.map((target) => call(gateway, target, round.call)));
    }
    // One request at a time: a slow /healthz is then that request's doing, not the load of many.
    const results: ClientResult[] = [];
    for (const target of round.targets) results.push(await call(gateway, target, round.call));
    return results;
  } finally {
    hostile.setFault(null);
  }
}

async function runBatch(gateway: TestGateway, rounds: Round[]): Promise<void> {
  const marker = await newestRowId(gateway);
  const probe = startHealthProbe(gateway);
  const outcomes: Outcome[] = [];
  const spans: Array<{ start: number; end: number }> = [];
  for (const round of rounds) {
    const start = performance.now();
    const before = crashes.length;
    const results = await sendRound(gateway, round);
    await round.after?.(results);
    // A moment for what the round set off (closing, recording) to happen inside it.
    await sleep(10);
    outcomes.push({ round, results, crashes: crashes.slice(before) });
    spans.push({ start, end: performance.now() });
  }
  const before = crashes.length;
  const expected = rounds.reduce((sum, round) => sum + round.targets.length, 0);
  const rows = await rowsSince(gateway, marker, expected);
  await probe.stop();
  overall.probes += probe.samples.length;
  overall.requests += expected;

  expect.soft(probe.failures, '/healthz answers throughout').toEqual([]);
  // Rows are read once the first attempts are all in; retries only time /healthz.
  for (const [index, round] of rounds.entries()) {
    const span = spans[index]!;
    const attempts = [worstBetween(probe.samples, span.start, span.end)];
    overall.firstAttemptWorst = Math.max(overall.firstAttemptWorst, attempts[0]!);
    while (attempts.at(-1)! >= HEALTH_LIMIT_MS && attempts.length <= HEALTH_RETRIES) {
      const retry = startHealthProbe(gateway);
      const start = performance.now();
      // (Not inside `round.after?.(…)`: an optional call skips evaluating its argument.)
      const results = await sendRound(gateway, round);
      await round.after?.(results);
      const end = performance.now();
      await retry.stop();
      overall.probes += retry.samples.length;
      attempts.push(worstBetween(retry.samples, start, end));
    }
    const worst = Math.min(...attempts);
    if (attempts.length > 1) {
      overall.retried.push(`${round.label}: ${attempts.map((ms) => Math.round(ms)).join('/')} ms`);
    }
    if (worst > overall.worst) {
      overall.worst = worst;
      overall.worstAt = round.label;
    }
    expect
      .soft(
        worst,
        `${round.label}: /healthz answers within ${HEALTH_LIMIT_MS} ms throughout (worst per attempt: ${attempts
          .map((ms) => `${Math.round(ms)} ms`)
          .join(', ')})`,
      )
      .toBeLessThan(HEALTH_LIMIT_MS);
  }
  expect.soft(crashes.slice(before), 'the process stays up while rows are written').toEqual([]);
  const attributed = attributeRows(outcomes, rows);
  for (const { round, results, crashes: thrown } of outcomes) {
    expect
      .soft(thrown, `${round.label}: the process stays up (no uncaught exception or unhandled rejection)`)
      .toEqual([]);
    for (const result of results) {
      const label = `${round.label} → ${result.target.name}`;
      expect
        .soft(
          result.hung,
          `${label}: answers, and its answer ends, within ${round.call?.timeoutMs ?? CLIENT_TIMEOUT_MS} ms (${show(result)})`,
        )
        .toBe(false);
      expectNoVendorKey(label, result);
      const found = attributed.get(result) ?? [];
      expect.soft(found.length, `${label}: exactly one row`).toBe(1);
      const row = found[0];
      if (row) expectRowSane(label, row, result.target);
      round.check(label, result, row);
    }
  }
}

// ---------------------------------------------------------------------------------------------

let plain: TestGateway;

const route = (id: RouteId, timeouts: Record<string, number>) => ({
  id,
  vendor: VENDORS[id],
  baseUrl: id === 'oa' ? hostile.openAiBaseUrl : hostile.origin,
  apiKey: VENDOR_KEY,
  timeouts,
});

/**
 * One normal request per endpoint before anything is timed: the first one with a budget loads the
 * tokenizer's tables (about 50 MB), a one-off cost at start, not something a hostile input causes.
 */
async function warmUp(gateway: TestGateway): Promise<void> {
  for (const target of ALL) await call(gateway, target);
}

beforeAll(async () => {
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  hostile = await startHostileUpstream();
});

// A fresh gateway (and database) for each test: a fault that poisons the budget ledger (a usage of
// 1e20 tokens priced as such) must fail its own test, not every test after it.
beforeEach(async () => {
  plain = await startTestGateway({
    routes: ROUTE_IDS.map((id) => route(id, { headersMs: 800 })),
    // A budget makes every request go through token counting, reservation and settlement.
    apps: [{ name: 'tester', key: APP_KEY, budget: { usd: 1000, period: 'month' } }],
    // Failures before the first byte are retried, as by default, with short waits: what is under
    // test is what the client and the row end with, not the backoff (test/…/retries.test.ts).
    server: { retry: { maxDelayMs: 50 } },
  });
  await warmUp(plain);
});

afterEach(async () => {
  await plain?.stop();
});

afterAll(async () => {
  await hostile?.close();
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
  console.log(
    `hostile upstream: ${overall.requests} requests; /healthz worst-case latency ${overall.worst.toFixed(1)} ms ` +
      `(during "${overall.worstAt}"; best of up to ${HEALTH_RETRIES + 1} attempts per round; ` +
      `${overall.firstAttemptWorst.toFixed(1)} ms on first attempts) over ${overall.probes} probes` +
      (overall.retried.length > 0 ? `; slow first attempts: ${overall.retried.join('; ')}` : ''),
  );
});

const succeeds: Round['check'] = (label, result, row) => {
  expectSuccess(label, result);
  if (row) expect.soft(row['status'], `${label}: row.status`).toBe(200);
};

describe('a well-behaved upstream (the harness itself)', () => {
  it('answers every endpoint family, streamed and not, with one clean row each', async () => {
    await runBatch(plain, [
      {
        label: 'no fault',
        fault: null,
        targets: ALL,
        check: (label, result, row) => {
          succeeds(label, result, row);
          if (!row) return;
          expect.soft(row['partial'], `${label}: row.partial`).toBe(false);
          expect.soft(row['errorCode'], `${label}: row.errorCode`).toBe(null);
          // The Gemini API reports no usage for embeddings; everything else does.
          if (!(result.target.vendor === 'gemini' && result.target.family === 'embeddings'))
            expect.soft(row['inputTokens'], `${label}: row.inputTokens`).toBeGreaterThan(0);
        },
      },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Usage of every wrong type and sign.

const BAD_COUNTS: Array<{ label: string; value: unknown }> = [
  { label: '-1', value: -1 },
  { label: '-0.5', value: -0.5 },
  { label: '1.5', value: 1.5 },
  { label: '1e20', value: 1e20 },
  { label: '1e400 (raw)', value: new RawJson('1e400') },
  { label: '-1e400 (raw)', value: new RawJson('-1e400') },
  { label: '"NaN"', value: 'NaN' },
  { label: '"Infinity"', value: 'Infinity' },
  { label: '"-7"', value: '-7' },
  { label: 'true', value: true },
  { label: '[]', value: [] },
  { label: '[3]', value: [3] },
  { label: '{}', value: {} },
  { label: '{"value":3}', value: { value: 3 } },
  { label: 'null', value: null },
];

const BAD_USAGE_OBJECTS: Array<{ label: string; value: unknown }> = [
  { label: 'null', value: null },
  { label: '[]', value: [] },
  { label: '[{}]', value: [{}] },
  { label: '"usage"', value: 'usage' },
  { label: '-1', value: -1 },
  { label: 'true', value: true },
  { label: '{}', value: {} },
];

/** The row fields computed from each vendor's count: they must be null when that count is not a count. */
const TAINTED: Record<WireVendor, Partial<Record<Exclude<UsageSlot, 'whole'>, CountField[]>>> = {
  openai: {
    input: ['inputTokens'],
    output: ['outputTokens'],
    cached: ['cachedInputTokens'],
    reasoning: ['reasoningTokens'],
  },
  anthropic: {
    // Anthropic's input_tokens leaves the cache out; the row's input is the whole prompt.
    input: ['inputTokens'],
    output: ['outputTokens'],
    cached: ['cachedInputTokens', 'inputTokens'],
    cacheWrite: ['inputTokens'],
    reasoning: ['reasoningTokens'],
  },
  gemini: {
    input: ['inputTokens'],
    // Thoughts are output too.
    output: ['outputTokens'],
    cached: ['cachedInputTokens'],
    reasoning: ['reasoningTokens', 'outputTokens'],
  },
};

/** The endpoints where a vendor reports this count. */
function usageTargets(slot: UsageSlot): Target[] {
  return ALL.filter((target) => {
    if (target.family === 'embeddings') return slot === 'input' || slot === 'whole';
    return slot === 'whole' || TAINTED[target.vendor][slot] !== undefined;
  });
}

function usageRounds(slot: UsageSlot, values: Array<{ label: string; value: unknown }>): Round[] {
  const targets = usageTargets(slot);
  const rounds: Round[] = values.map(({ label, value }) => ({
    label: `usage.${slot} = ${label}`,
    fault: { kind: 'usage', slot, value },
    targets,
    check: (roundLabel, result, row) => {
      succeeds(roundLabel, result, row);
      // null means "not reported", and a whole usage object of the wrong type may leave an estimate:
      // both only need sane fields. Any other wrong value makes the counts it feeds unknown.
      if (!row || slot === 'whole' || value === null) return;
      for (const field of TAINTED[result.target.vendor][slot] ?? []) {
        if (result.target.family === 'embeddings' && field !== 'inputTokens') continue;
        expect
          .soft(row[field], `${roundLabel}: row.${field} is unknown (null), not computed from ${label}`)
          .toBe(null);
      }
    },
  }));
  // After a wrong count, the next request is served as usual.
  rounds.push({
    label: `after usage.${slot} faults: a normal request`,
    fault: null,
    targets: ALL,
    check: succeeds,
  });
  return rounds;
}

describe('usage of every wrong type and sign: 200, the bad count unknown, the process up', () => {
  for (const slot of ['input', 'output', 'cached', 'cacheWrite', 'reasoning'] as const) {
    it(`${slot} tokens`, async () => {
      await runBatch(plain, usageRounds(slot, BAD_COUNTS));
    }, 60_000);
  }
  it('the whole usage object', async () => {
    await runBatch(plain, usageRounds('whole', BAD_USAGE_OBJECTS));
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------
// SSE `data:` of every JSON type, mixed into an otherwise valid stream.

const EVENT_DATA = [
  'null',
  '0',
  '-1',
  '1e400',
  '"str"',
  '""',
  '[]',
  '[null]',
  '[1,"a",{}]',
  'true',
  'false',
  '{}',
  '{"choices":null}',
  '{"choices":[null]}',
  '{"choices":{"0":{}}}',
  '{"choices":[{"delta":null}]}',
  '{"choices":[{"index":"x","delta":{"content":7,"tool_calls":"x","role":[]}}]}',
  '{"choices":[{"delta":{"tool_calls":[null,{"index":null,"function":null}]}}]}',
  '{"usage":[]}',
  '{"usage":{"prompt_tokens":-1,"completion_tokens":-1}}',
  '{"model":{},"id":[]}',
  '{"error":null}',
  '{"error":"boom"}',
  '{"error":[]}',
  '{"error":{"message":{},"code":{}}}',
  '{"type":null}',
  '{"type":"message_start","message":null}',
  '{"type":"message_start","message":{"usage":null}}',
  '{"type":"content_block_start","content_block":null}',
  '{"type":"content_block_delta","delta":null}',
  '{"type":"content_block_delta","index":"x","delta":{"type":"text_delta","text":null}}',
  '{"type":"content_block_delta","index":99,"delta":{"type":"input_json_delta","partial_json":7}}',
  '{"type":"message_delta","delta":null,"usage":null}',
  '{"type":"message_delta","usage":{"output_tokens":-5}}',
  '{"type":"error","error":null}',
  '{"candidates":null}',
  '{"candidates":[null]}',
  '{"candidates":[{"content":null,"finishReason":7}]}',
  '{"candidates":[{"content":{"parts":[null,{"text":{}}]}}]}',
  '{"candidates":[{"content":{"parts":{"text":"x"}}}]}',
  '{"usageMetadata":null}',
  '{"usageMetadata":{"promptTokenCount":-1,"candidatesTokenCount":"x"}}',
  '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}',
  'not json',
  '{',
];

/** A stream with a strange event in it still ends: complete, or with its error event; never hangs. */
const streamEnds: Round['check'] = (label, result) => {
  expect.soft(result.status, `${label}: answers 200 (${show(result)})`).toBe(200);
  const events = result.events ?? [];
  expect
    .soft(
      endsComplete(result.target, events) || endsWithError(result.target, events),
      `${label}: the stream ends complete or with its error event (${show(result)})`,
    )
    .toBe(true);
  expect
    .soft(({} as Record<string, unknown>)['polluted'], `${label}: no prototype pollution`)
    .toBe(undefined);
};

describe('SSE data of every JSON type in an otherwise valid stream: the stream ends, the process stays up', () => {
  it('as a plain data: event, on every streaming endpoint', async () => {
    await runBatch(
      plain,
      EVENT_DATA.map((data) => ({
        label: `data: ${data}`,
        fault: { kind: 'event', data },
        targets: STREAMS,
        check: streamEnds,
      })),
    );
  }, 60_000);

  // Anthropic names its events; a reducer may trust the name and read the payload by it.
  for (const name of [
    'message_start',
    'content_block_start',
    'content_block_delta',
    'message_delta',
    'error',
  ]) {
    it(`as an Anthropic "event: ${name}"`, async () => {
      await runBatch(
        plain,
        EVENT_DATA.map((data) => ({
          label: `event: ${name} / data: ${data}`,
          fault: { kind: 'event', data, event: name },
          targets: STREAMS.filter((target) => target.vendor === 'anthropic'),
          check: streamEnds,
        })),
      );
    }, 60_000);
  }

  it('a stream of nothing but data: null', async () => {
    await runBatch(plain, [
      { label: 'data: null only', fault: { kind: 'json-null' }, targets: STREAMS, check: streamEnds },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Sockets cut at every stage.

const upstreamError = (label: string, result: ClientResult, row: Row | undefined) => {
  expectGatewayError(label, result, 502, 'upstream_error');
  if (!row) return;
  expect.soft(row['status'], `${label}: row.status`).toBe(502);
  expect.soft(row['errorCode'], `${label}: row.errorCode`).toBe('upstream_error');
};

/** A stream cut after its first byte: ends at once with its error event; the row is partial and says why. */
const cutStream = (label: string, result: ClientResult, row: Row | undefined) => {
  expectStreamError(label, result);
  if (!row) return;
  expect.soft(row['partial'], `${label}: row.partial`).toBe(true);
  expect.soft(row['errorCode'], `${label}: row.errorCode says what happened`).not.toBe(null);
  expect
    .soft(row['inputTokens'], `${label}: row.inputTokens counted although the upstream never reported it`)
    .not.toBe(null);
};

describe('sockets cut at every stage', () => {
  it('before the status line: 502 upstream_error everywhere', async () => {
    await runBatch(plain, [
      {
        label: 'cut before the status line',
        fault: { kind: 'cut', stage: 'before-status' },
        targets: ALL,
        check: upstreamError,
      },
    ]);
  });

  it('after the headers, before any body: 502, or a stream that ends with its error event', async () => {
    await runBatch(plain, [
      {
        label: 'cut after the headers',
        fault: { kind: 'cut', stage: 'after-headers' },
        targets: ALL,
        check: (label, result, row) => {
          expectFailure(label, result, 502, 'upstream_error');
          if (!row) return;
          expect.soft(row['errorCode'], `${label}: row.errorCode`).toBe('upstream_error');
          if (result.status === 200) expect.soft(row['partial'], `${label}: row.partial`).toBe(true);
        },
      },
    ]);
  });

  it('in the middle of a JSON body: 502 upstream_error in the endpoint shape', async () => {
    await runBatch(plain, [
      {
        label: 'cut mid-JSON',
        fault: { kind: 'cut', stage: 'mid-json' },
        targets: JSON_TARGETS,
        check: upstreamError,
      },
    ]);
  });

  const streamStages: Array<{ stage: CutStage; label: string }> = [
    { stage: 'mid-event', label: 'cut in the middle of an event' },
    { stage: 'before-terminator', label: 'cut after the last event, before the terminating one' },
  ];
  for (const { stage, label } of streamStages) {
    it(`${label}: the stream ends at once with its error event`, async () => {
      await runBatch(plain, [{ label, fault: { kind: 'cut', stage }, targets: STREAMS, check: cutStream }]);
    }, 30_000);
  }

  it('a clean end before the terminating event: the stream ends, the row is partial', async () => {
    await runBatch(plain, [
      {
        label: 'clean end before the terminating event',
        fault: { kind: 'cut', stage: 'end-before-terminator' },
        targets: STREAMS,
        check: (label, result, row) => {
          expect.soft(result.status, `${label}: 200 (${show(result)})`).toBe(200);
          // /openai owes its client a terminated stream: an incomplete answer ends with an error event.
          if (result.target.family !== 'proxy') expectStreamError(label, result);
          if (row) expect.soft(row['partial'], `${label}: row.partial`).toBe(true);
        },
      },
    ]);
  });

  it('by the client mid-stream: the row is partial, says so, counts the input; the upstream call is let go', async () => {
    const afterEvents: Record<WireVendor, number> = { openai: 3, anthropic: 4, gemini: 2 };
    await runBatch(
      plain,
      (['openai', 'anthropic', 'gemini'] as const).map((vendor) => ({
        label: `client hangs up mid-stream (${vendor} upstream)`,
        fault: { kind: 'stall', afterEvents: afterEvents[vendor] },
        targets: STREAMS.filter((target) => target.vendor === vendor),
        call: { cutAfterFirstEvent: true },
        after: async () => {
          const deadline = performance.now() + 1_000;
          while (hostile.openAnswers() > 0 && performance.now() < deadline) await sleep(10);
        },
        check: (label, result, row) => {
          expect
            .soft(result.cutByClient, `${label}: the client saw an event and hung up (${show(result)})`)
            .toBe(true);
          if (!row) return;
          expect.soft(row['partial'], `${label}: row.partial`).toBe(true);
          expect.soft(row['errorCode'], `${label}: row.errorCode`).not.toBe(null);
          expect.soft(row['inputTokens'], `${label}: row.inputTokens counted`).not.toBe(null);
        },
      })),
    );
    expect(hostile.openAnswers(), 'every upstream stream was let go when its client left').toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------

describe('an upstream that never answers (route timeouts.headersMs: 800)', () => {
  it('answers 504 upstream_timeout in the endpoint shape', async () => {
    await runBatch(plain, [
      {
        label: 'no status line, ever',
        fault: { kind: 'hang' },
        targets: ALL,
        concurrent: true,
        check: (label, result, row) => {
          expectGatewayError(label, result, 504, 'upstream_timeout');
          expect.soft(result.elapsedMs, `${label}: by the headers deadline`).toBeLessThan(2_000);
          if (row) expect.soft(row['errorCode'], `${label}: row.errorCode`).toBe('upstream_timeout');
        },
      },
    ]);
  });
});

describe('JSON null as the whole answer', () => {
  it('is a 502 on /openai; /proxy answers and records', async () => {
    await runBatch(plain, [
      {
        label: 'a null answer',
        fault: { kind: 'json-null' },
        targets: JSON_TARGETS,
        check: (label, result, row) => {
          if (result.target.family !== 'proxy') upstreamError(label, result, row);
          else expect.soft(result.status, `${label}: answers (${show(result)})`).not.toBe(null);
        },
      },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Item 8: the route's key echoed by the upstream never reaches the app.

describe("an upstream that echoes the route's key", () => {
  const answers: Round['check'] = (label, result) => {
    expect.soft(result.status, `${label}: answers (${show(result)})`).not.toBe(null);
  };
  it('in a 401 error body', async () => {
    await runBatch(plain, [
      {
        label: 'key echoed in an error body',
        fault: { kind: 'echo-key', where: 'error-body' },
        targets: ALL,
        check: answers,
      },
    ]);
  });
  it("in a stream's error event, split across two network writes", async () => {
    await runBatch(plain, [
      {
        label: 'key echoed in a stream error event',
        fault: { kind: 'echo-key', where: 'stream-error' },
        targets: STREAMS,
        check: (label, result) => {
          answers(label, result, undefined);
          expect
            .soft(
              result.events !== null && endsWithError(result.target, result.events),
              `${label}: the stream ends with its error event (${show(result)})`,
            )
            .toBe(true);
        },
      },
    ]);
  });
  it("in the answer's text", async () => {
    await runBatch(plain, [
      {
        label: 'key echoed in the answer text',
        fault: { kind: 'echo-key', where: 'content' },
        targets: ALL,
        check: answers,
      },
    ]);
  });
  it('in response headers', async () => {
    await runBatch(plain, [
      {
        label: 'key echoed in response headers',
        fault: { kind: 'echo-key', where: 'header' },
        targets: ALL,
        check: answers,
      },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Item 4: nothing one request sends or receives may freeze the others.

describe('inputs that used to freeze the event loop (with a budget on, so the input is counted)', () => {
  const promptTargets = [...CHAT, ...PROXY].filter((target) => !target.stream);
  // A run of a different length each time: the tokenizer caches what it has counted, so the same
  // text twice would only be slow once (and a retried round would pass on the cache).
  let nonce = 0;
  const run = (char: string) => () => char.repeat(32 * 1024 + ++nonce);
  for (const { label, text } of [
    { label: '32 KiB run of "x"', text: run('x') },
    { label: '32 KiB run of "A" (base64 of zeros)', text: run('A') },
  ]) {
    it(`a prompt that is a ${label}`, async () => {
      await runBatch(
        plain,
        promptTargets.map((target) => ({
          label: `prompt: ${label}`,
          fault: null,
          targets: [withPrompt(target, text)],
          check: succeeds,
        })),
      );
    }, 60_000);
  }

  it('a 6 MiB event under the default 16 MiB cap passes whole, without stalling /healthz', async () => {
    const bytes = 6 * 1024 * 1024;
    await runBatch(
      plain,
      STREAMS.map((target) => ({
        label: 'a 6 MiB event',
        fault: { kind: 'huge-event', bytes },
        targets: [target],
        call: { timeoutMs: 10_000 },
        check: (label, result, row) => {
          succeeds(label, result, row);
          expect
            .soft(result.text.length, `${label}: the event reached the client whole`)
            .toBeGreaterThan(bytes);
          if (row) expect.soft(row['partial'], `${label}: row.partial`).toBe(false);
        },
      })),
    );
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------
// Caps and deadlines, configured small: server.maxUpstreamBodyMb, server.maxUpstreamEventMb,
// route timeouts.totalMs (a deadline for one whole upstream exchange, body included).

describe('caps and deadlines (maxUpstreamBodyMb: 1, maxUpstreamEventMb: 1, timeouts.totalMs: 1500)', () => {
  let capped: TestGateway;
  const MiB = 1024 * 1024;

  beforeAll(async () => {
    capped = await startTestGateway({
      server: { maxUpstreamBodyMb: 1, maxUpstreamEventMb: 1 },
      routes: ROUTE_IDS.map((id) => route(id, { headersMs: 800, totalMs: 1_500 })),
      apps: [{ name: 'tester', key: APP_KEY, budget: { usd: 1000, period: 'month' } }],
    });
    await warmUp(capped);
  });
  afterAll(async () => {
    await capped?.stop();
  });

  it('answers normally under the caps', async () => {
    await runBatch(capped, [
      { label: 'no fault', fault: null, targets: ALL, check: succeeds },
      {
        label: 'a 512 KiB body',
        fault: { kind: 'huge-body', bytes: 512 * 1024 },
        targets: JSON_TARGETS,
        check: succeeds,
      },
      {
        label: 'a 512 KiB event',
        fault: { kind: 'huge-event', bytes: 512 * 1024 },
        targets: STREAMS,
        check: succeeds,
      },
    ]);
  });

  const overCap = (label: string, result: ClientResult, row: Row | undefined) => {
    upstreamError(label, result, row);
    const message = errorOf(result.json)?.['message'];
    expect
      .soft(String(message), `${label}: the message names the limit`)
      .toMatch(/\b1 ?MiB\b|\b1 ?MB\b|maxUpstreamBodyMb/i);
  };

  it('a 3 MiB JSON body: 502 upstream_error naming the limit (chunked, and with its length declared)', async () => {
    await runBatch(
      capped,
      [false, true].flatMap((declareLength) =>
        JSON_TARGETS.map((target) => ({
          label: `a 3 MiB body${declareLength ? ' (content-length declared)' : ' (chunked)'}`,
          fault: { kind: 'huge-body', bytes: 3 * MiB, declareLength },
          targets: [target],
          check: overCap,
        })),
      ),
    );
  }, 60_000);

  it('a 3 MiB single event: the stream ends with its error event (or a 502 before the first byte)', async () => {
    await runBatch(
      capped,
      STREAMS.map((target) => ({
        label: 'a 3 MiB event',
        fault: { kind: 'huge-event', bytes: 3 * MiB },
        targets: [target],
        check: (label, result, row) => {
          expectFailure(label, result, 502, 'upstream_error');
          if (row) expect.soft(row['errorCode'], `${label}: row.errorCode`).toBe('upstream_error');
          if (row && result.status === 200) expect.soft(row['partial'], `${label}: row.partial`).toBe(true);
        },
      })),
    );
  }, 60_000);

  it('a slow drip (one byte every 20 ms, forever): ends by ~2 s with 504 or an error event, upstream_timeout', async () => {
    await runBatch(capped, [
      {
        label: 'slow drip',
        fault: { kind: 'drip', intervalMs: 20 },
        targets: ALL,
        concurrent: true,
        call: { timeoutMs: 5_000 },
        after: async () => {
          const deadline = performance.now() + 1_000;
          while (hostile.openAnswers() > 0 && performance.now() < deadline) await sleep(10);
        },
        check: (label, result, row) => {
          expectFailure(label, result, 504, 'upstream_timeout', 2_500);
          expect.soft(result.elapsedMs, `${label}: ends by the total deadline`).toBeLessThan(2_500);
          if (row) expect.soft(row['errorCode'], `${label}: row.errorCode`).toBe('upstream_timeout');
        },
      },
    ]);
    expect(hostile.openAnswers(), 'every dripping upstream answer was let go').toBe(0);
  }, 30_000);
});
