/**
 * What the gateway adds to one non-streamed request, against the same request sent straight
 * to a fake upstream and through a bare undici pass-through proxy (the floor for any Node
 * proxy), all on loopback in one run. The full benchmark (throughput, streaming, peers) is
 * the benchmark issue's; this is its first measurement.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { parseConfig } from '../gateway/config/load.ts';
import { startGateway } from '../gateway/index.ts';

const quick = process.argv.includes('--quick');
const N = quick ? 300 : 1000;
const WARMUP = 200;
const KEY = 'sbk_bench_0123456789abcdef0123';

const ANSWER = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1770933883,
  model: 'gpt-4.1-nano-2025-04-14',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there.' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 16, completion_tokens: 4, total_tokens: 20 },
});
const BODY = JSON.stringify({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'Say hello.' }] });

async function listen(handler: (request: IncomingMessage, response: ServerResponse) => void) {
  const server = createServer({ keepAliveTimeout: 60_000 }, handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

const upstream = await listen((incoming, response) => {
  incoming.resume();
  incoming.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(ANSWER);
  });
});

// The floor: a pass-through proxy in a few lines of undici.
const bareAgent = new Agent({ keepAliveTimeout: 60_000 });
const bare = await listen(async (incoming, response) => {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  const answer = await bareAgent.request({
    origin: `http://127.0.0.1:${upstream.port}`,
    path: incoming.url!,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-upstream' },
    body: Buffer.concat(chunks),
  });
  response.writeHead(answer.statusCode, { 'content-type': 'application/json' });
  response.end(Buffer.from(await answer.body.arrayBuffer()));
});

const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
const gateway = await startGateway({
  dataDir,
  port: 0,
  log: () => undefined,
  config: parseConfig(
    {
      routes: [
        {
          id: 'up',
          vendor: 'openai',
          baseUrl: `http://127.0.0.1:${upstream.port}/v1`,
          apiKey: 'sk-upstream',
        },
      ],
      apps: [{ name: 'bench', key: KEY }],
    },
    'bench',
  ),
});

const client = new Agent({ keepAliveTimeout: 60_000 });
async function once(port: number, path: string): Promise<number> {
  const start = performance.now();
  const response = await client.request({
    origin: `http://127.0.0.1:${port}`,
    path,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
    body: BODY,
  });
  await response.body.arrayBuffer();
  if (response.statusCode !== 200) throw new Error(`status ${response.statusCode} from port ${port}`);
  return performance.now() - start;
}

const targets = {
  direct: [upstream.port, '/v1/chat/completions'],
  bare: [bare.port, '/v1/chat/completions'],
  switchboard: [gateway.port, '/openai/up/v1/chat/completions'],
} as const;
const samples: Record<keyof typeof targets, number[]> = { direct: [], bare: [], switchboard: [] };

for (let i = 0; i < WARMUP; i++) for (const [port, path] of Object.values(targets)) await once(port, path);
// Interleaved, so that noise on this shared machine falls on all three alike.
for (let i = 0; i < N; i++) {
  for (const [name, [port, path]] of Object.entries(targets))
    samples[name as keyof typeof targets].push(await once(port, path));
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
const added = (name: 'bare' | 'switchboard', q: number) =>
  quantile(samples[name], q) - quantile(samples.direct, q);
const ms = (value: number) => `${value.toFixed(3)} ms`;

console.log(
  `Added latency, ${N} sequential non-streamed requests each (after ${WARMUP} warm-up), recording on`,
);
console.log(`direct p50 ${ms(quantile(samples.direct, 0.5))}, p99 ${ms(quantile(samples.direct, 0.99))}`);
for (const name of ['bare', 'switchboard'] as const) {
  console.log(
    `${name.padEnd(12)} p50 ${ms(quantile(samples[name], 0.5))} (adds ${ms(added(name, 0.5))}), p90 adds ${ms(added(name, 0.9))}, p99 adds ${ms(added(name, 0.99))}`,
  );
}
console.log(
  `switchboard / bare proxy, added p50: ${(added('switchboard', 0.5) / added('bare', 0.5)).toFixed(2)}x`,
);

await gateway.close();
rmSync(dataDir, { recursive: true, force: true });
await client.close();
await bareAgent.close();
upstream.server.close();
bare.server.close();
