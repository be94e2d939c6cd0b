import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DISCARD_BOUNDS } from '../../../gateway/http/body.ts';
import { startFakeOpenAi, type FakeOpenAi } from '../../support/fake-openai.ts';
import {
  ADMIN_TOKEN,
  APP_KEY,
  requestRows,
  startTestGateway,
  VENDOR_KEY,
  type TestGateway,
} from '../../support/gateway.ts';

// A body over the limit is answered 413 at once, and the rest of it is still read (and thrown
// away, up to a bound) before the connection closes: a client that sends `Connection: close`
// and is still writing when the 413 goes out must read the 413, not EPIPE or ECONNRESET.

const MIB = 1024 * 1024;
/** One buffer for every try; its contents do not matter, it is refused before being parsed. */
const PAYLOAD = Buffer.alloc(100 * MIB + 1, 0x20);
const TRIES = 20;

interface Outcome {
  status: number;
  body: string;
  /** The first error the client saw (EPIPE, ECONNRESET…), null when none. */
  error: string | null;
  /** Whether the whole response body arrived. */
  complete: boolean;
}

/**
 * One POST with raw node:http on a fresh connection (`agent: false`) that asks the gateway to
 * close it (`Connection: close`), writing `size` bytes as fast as the socket takes them.
 */
function rawPost(
  origin: string,
  path: string,
  size: number,
  headers: Record<string, string>,
  options: { chunked?: boolean } = {},
): Promise<Outcome> {
  const url = new URL(path, origin);
  return new Promise((resolve) => {
    const outcome: Outcome = { status: 0, body: '', error: null, complete: false };
    let pending = 1;
    const settle = () => {
      if (--pending === 0) resolve(outcome);
    };
    const request = httpRequest({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      agent: false,
      headers: {
        connection: 'close',
        'content-type': 'application/json',
        ...(options.chunked ? {} : { 'content-length': String(size) }),
        ...headers,
      },
    });
    request.on('response', (response) => {
      pending++;
      outcome.status = response.statusCode ?? 0;
      response.setEncoding('utf8');
      response.on('data', (text: string) => (outcome.body += text));
      response.on('end', () => (outcome.complete = true));
      response.on('error', (error: NodeJS.ErrnoException) => (outcome.error ??= error.code ?? error.message));
      response.on('close', settle);
    });
    request.on('error', (error: NodeJS.ErrnoException) => (outcome.error ??= error.code ?? error.message));
    request.on('close', settle);
    request.end(PAYLOAD.subarray(0, size));
  });
}

interface EndlessOutcome extends Outcome {
  /** Bytes of body handed to the socket before the gateway closed the connection. */
  written: number;
  /** Whether the gateway closed the connection (false: the test gave up waiting). */
  closed: boolean;
}

/**
 * A POST whose body never ends, on a raw socket (a node:http client stops hearing `drain` once
 * its response is complete, so it cannot keep writing after the 413): as fast as the socket takes
 * it (chunked), or a trickle of 1 KiB every 20 ms under a Content-Length the gateway refuses at
 * once. The connection is kept alive, so only the gateway's bound can end it; after `giveUpMs`
 * the test stops waiting.
 */
function endlessPost(
  origin: string,
  path: string,
  headers: Record<string, string>,
  pace: 'fast' | 'trickle',
  giveUpMs = 10_000,
): Promise<EndlessOutcome> {
  const url = new URL(path, origin);
  return new Promise((resolve) => {
    const outcome: EndlessOutcome = {
      status: 0,
      body: '',
      error: null,
      complete: false,
      written: 0,
      closed: false,
    };
    const socket = connect(Number(url.port), url.hostname);
    const head = [
      `POST ${url.pathname} HTTP/1.1`,
      `host: ${url.host}`,
      'connection: keep-alive',
      'content-type: application/json',
      pace === 'fast' ? 'transfer-encoding: chunked' : `content-length: ${33 * MIB}`,
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ].join('\r\n');
    const piece = PAYLOAD.subarray(0, pace === 'fast' ? 64 * 1024 : 1024);
    const frame =
      pace === 'fast'
        ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')])
        : piece;
    let received = '';
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(giveUp);
      clearInterval(trickle);
      outcome.closed = closed;
      const split = received.indexOf('\r\n\r\n');
      outcome.status = Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0);
      const length = Number(/\r\ncontent-length: (\d+)/i.exec(received.slice(0, split))?.[1] ?? -1);
      outcome.body = split === -1 ? '' : received.slice(split + 4);
      outcome.complete = length >= 0 && Buffer.byteLength(outcome.body) >= length;
      socket.destroy();
      resolve(outcome);
    };
    const giveUp = setTimeout(() => finish(false), giveUpMs);
    const write = () => {
      while (!done) {
        outcome.written += piece.length;
        if (!socket.write(frame)) return void socket.once('drain', write);
      }
    };
    const trickle =
      pace === 'trickle'
        ? setInterval(() => {
            outcome.written += piece.length;
            socket.write(frame);
          }, 20)
        : undefined;
    socket.setEncoding('latin1');
    socket.on('data', (text: string) => (received += text));
    socket.on('error', (error: NodeJS.ErrnoException) => (outcome.error ??= error.code ?? error.message));
    socket.on('close', () => finish(true));
    socket.write(`${head}\r\n\r\n`);
    if (pace === 'fast') write();
  });
}

const TOO_LARGE_32 = {
  error: {
    message: 'The request body is larger than the limit of 32 MiB.',
    type: 'invalid_request_error',
    param: null,
    code: 'request_too_large',
  },
};

/** Every outcome that is not the contract's 413, as `status error` strings, for a readable failure. */
function failures(outcomes: Outcome[], expected: unknown): string[] {
  return outcomes
    .filter((outcome) => {
      if (outcome.error !== null || !outcome.complete || outcome.status !== 413) return true;
      try {
        expect(JSON.parse(outcome.body)).toEqual(expected);
        return false;
      } catch {
        return true;
      }
    })
    .map((outcome) => `${outcome.status} ${outcome.error ?? ''} ${outcome.body.slice(0, 80)}`);
}

async function tries(run: () => Promise<Outcome>, count = TRIES): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (let index = 0; index < count; index++) outcomes.push(await run());
  return outcomes;
}

describe('a body over the limit gets its 413, also on a connection the client closes', () => {
  let fake: FakeOpenAi;
  let gateway: TestGateway;
  const app = { authorization: `Bearer ${APP_KEY}` };

  beforeAll(async () => {
    fake = await startFakeOpenAi();
    gateway = await startTestGateway({
      routes: [{ id: 'r', vendor: 'openai', baseUrl: fake.url, apiKey: VENDOR_KEY }],
      apps: [{ name: 'app', key: APP_KEY }],
    });
  });

  afterAll(async () => {
    await gateway.stop();
    await fake.close();
  });

  for (const size of [33 * MIB, 100 * MIB]) {
    const label = `${size / MIB} MiB`;

    it(`POST /openai/r/v1/chat/completions, ${label}: ${TRIES} of ${TRIES} get the 413`, async () => {
      const outcomes = await tries(() => rawPost(gateway.url, '/openai/r/v1/chat/completions', size, app));
      expect(failures(outcomes, TOO_LARGE_32)).toEqual([]);
    });

    it(`POST /proxy/r/chat/completions, ${label}: ${TRIES} of ${TRIES} get the 413`, async () => {
      const outcomes = await tries(() => rawPost(gateway.url, '/proxy/r/chat/completions', size, app));
      expect(failures(outcomes, TOO_LARGE_32)).toEqual([]);
    });
  }

  it(`POST /admin/api/config, 5 MB (its limit is 4 MiB): ${TRIES} of ${TRIES} get the 413`, async () => {
    const outcomes = await tries(() =>
      rawPost(gateway.url, '/admin/api/config', 5_000_000, { authorization: `Bearer ${ADMIN_TOKEN}` }),
    );
    expect(
      failures(outcomes, {
        error: {
          message: 'The request body is larger than the limit of 4 MiB.',
          type: 'invalid_request_error',
          param: null,
          code: 'request_too_large',
        },
      }),
    ).toEqual([]);
  });

  it('a chunked body (no Content-Length) that passes the limit while being read gets the 413 too', async () => {
    const outcomes = await tries(
      () => rawPost(gateway.url, '/openai/r/v1/chat/completions', 40 * MIB, app, { chunked: true }),
      5,
    );
    expect(failures(outcomes, TOO_LARGE_32)).toEqual([]);
  });

  it('an error answered before the body is in (a refused key) also reaches a client that closes', async () => {
    const outcomes = await tries(
      () =>
        rawPost(gateway.url, '/openai/r/v1/chat/completions', 33 * MIB, {
          authorization: 'Bearer sbk_wrong',
        }),
      5,
    );
    expect(outcomes.map((outcome) => [outcome.status, outcome.error, outcome.complete])).toEqual(
      Array.from({ length: 5 }, () => [401, null, true]),
    );
  });

  it('a body that never ends gets its 413 and is cut once the gateway has thrown away its bound', async () => {
    const started = performance.now();
    const outcome = await endlessPost(gateway.url, '/openai/r/v1/chat/completions', app, 'fast');
    expect(outcome.closed).toBe(true);
    expect(outcome.status).toBe(413);
    expect(outcome.complete).toBe(true);
    expect(JSON.parse(outcome.body)).toEqual(TOO_LARGE_32);
    // Read past the 32 MiB limit, then 256 MiB more (the larger of DISCARD_BOUNDS.bytes and twice
    // the limit), then closed; socket buffers hold what was written but not yet read.
    const bound = 32 * MIB + Math.max(DISCARD_BOUNDS.bytes, 64 * MIB);
    expect(outcome.written).toBeGreaterThan(bound);
    expect(outcome.written).toBeLessThan(bound + 32 * MIB);
    expect(performance.now() - started).toBeLessThan(DISCARD_BOUNDS.ms);
  });

  it('a body that trickles on forever gets its 413 and is cut at the time bound', async () => {
    const saved = DISCARD_BOUNDS.ms;
    DISCARD_BOUNDS.ms = 300;
    try {
      const started = performance.now();
      const outcome = await endlessPost(gateway.url, '/openai/r/v1/chat/completions', app, 'trickle', 5_000);
      expect(outcome.closed).toBe(true);
      expect(outcome.status).toBe(413);
      expect(JSON.parse(outcome.body)).toEqual(TOO_LARGE_32);
      expect(performance.now() - started).toBeLessThan(2_000);
    } finally {
      DISCARD_BOUNDS.ms = saved;
    }
  });

  it('the refused requests reach no upstream and each leaves a 413 row', async () => {
    expect(fake.seen).toHaveLength(0);
    const rows = await requestRows(gateway, 5);
    expect(rows[0]).toMatchObject({ status: 413, errorCode: 'request_too_large', route: null });
  });

  it('the openai SDK (no retries), on kept-alive and on closed connections, gets an APIError with status 413', async () => {
    // It would retry a broken connection on its own and hide it: maxRetries 0 shows every try.
    for (const defaultHeaders of [{}, { connection: 'close' }]) {
      const client = new OpenAI({
        baseURL: `${gateway.url}/openai/r/v1`,
        apiKey: APP_KEY,
        maxRetries: 0,
        defaultHeaders,
      });
      for (let index = 0; index < 5; index++) {
        const error = await client.chat.completions
          .create({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'x'.repeat(33 * MIB) }] })
          .then(
            () => null,
            (thrown: unknown) => thrown,
          );
        expect(error).toBeInstanceOf(OpenAI.APIError);
        expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(413);
        expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('request_too_large');
      }
    }
  });
});
