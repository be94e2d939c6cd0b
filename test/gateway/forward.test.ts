import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../../gateway/errors.ts';
import { effectiveTimeouts, upstreamFailure, Upstreams } from '../../gateway/forward.ts';
import { defaultTimeouts } from '../../gateway/timeouts.ts';

let server: Server | null = null;
const upstreams = new Upstreams();

afterAll(() => upstreams.close());

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = null;
});

/** An upstream that answers at once and then drips one byte every 50 ms, forever: idle timeouts never fire. */
async function startDrip(): Promise<string> {
  server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    const timer = setInterval(() => response.write(':'), 50);
    response.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

describe('the total deadline of one upstream exchange', () => {
  it.each([
    ['a signal of its own', false],
    ["the caller's controller", true],
  ])(
    'ends a body that drips forever with 504 upstream_timeout, however short its gaps (%s)',
    async (_name, shared) => {
      const origin = await startDrip();
      const started = performance.now();
      const controller = new AbortController();
      const response = await upstreams.send({
        url: `${origin}/v1/chat/completions`,
        method: 'POST',
        headers: {},
        body: '{}',
        timeouts: effectiveTimeouts({ idleMs: 10_000, totalMs: 400 }),
        signal: controller.signal,
        ...(shared ? { controller } : {}),
      });
      const failure = await new Promise<unknown>((resolve) => {
        response.body.on('data', () => undefined);
        response.body.once('error', resolve);
        response.body.once('end', () => resolve(null));
      });
      const error = upstreamFailure(failure);
      expect(error).toBeInstanceOf(GatewayError);
      expect(error).toMatchObject({ status: 504, code: 'upstream_timeout' });
      expect(error.message).toContain('total deadline');
      expect(performance.now() - started).toBeLessThan(5_000);
    },
  );

  it('layers: defaults, then the server section, then the route', () => {
    expect(effectiveTimeouts()).toMatchObject({ totalMs: 1_800_000, idleMs: 300_000 });
    expect(effectiveTimeouts({ totalMs: 5 }, { idleMs: 7 }, { totalMs: 9 })).toMatchObject({
      totalMs: 9,
      idleMs: 7,
    });
  });
});

describe('default timeouts per vendor and model family', () => {
  const cloud = {
    vendor: 'openai',
    baseUrl: 'https://api.openai.com/v1',
    stream: true,
    kind: 'generate',
  } as const;
  it('gives a cloud stream a minute to its first byte, reasoning families and local servers five', () => {
    expect(defaultTimeouts({ ...cloud, model: 'gpt-4.1-mini' }).headersMs).toBe(60_000);
    expect(defaultTimeouts({ ...cloud, model: 'o3' }).headersMs).toBe(300_000);
    expect(defaultTimeouts({ ...cloud, model: 'claude-opus-4-5', vendor: 'anthropic' }).headersMs).toBe(
      300_000,
    );
    expect(defaultTimeouts({ ...cloud, model: 'gemini-2.5-pro', vendor: 'gemini' }).headersMs).toBe(300_000);
    expect(defaultTimeouts({ ...cloud, model: 'llama3.2', vendor: 'ollama' }).headersMs).toBe(300_000);
    expect(
      defaultTimeouts({
        ...cloud,
        model: 'qwen',
        vendor: 'openai-compatible',
        baseUrl: 'http://127.0.0.1:1234/v1',
      }).headersMs,
    ).toBe(300_000);
  });
  it('waits ten minutes for a non-streamed answer (its headers come when it is written) and little for lists', () => {
    expect(defaultTimeouts({ ...cloud, model: 'gpt-4.1-mini', stream: false }).headersMs).toBe(600_000);
    expect(defaultTimeouts({ ...cloud, model: null, kind: 'models' })).toMatchObject({ headersMs: 30_000 });
    expect(defaultTimeouts({ ...cloud, model: 'text-embedding-3-small', kind: 'embeddings' }).headersMs).toBe(
      120_000,
    );
  });
});
