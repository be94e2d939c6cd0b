/**
 * The floor: a pass-through proxy in a few lines of undici, run as its own process, forwarding
 * every request to the origin given as its argument and piping the answer back as it comes
 * (so streams pass chunk by chunk). What any Node proxy costs; a gateway cannot do less.
 *
 *   node --import tsx/esm bench/servers/bare-proxy.ts http://127.0.0.1:PORT
 *
 * Prints `BARE_LISTENING <port>` when ready.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { Agent } from 'undici';

const origin = process.argv[2]!;
const FORWARDED = ['content-type', 'authorization', 'x-api-key', 'anthropic-version'];
const agent = new Agent({ keepAliveTimeout: 60_000 });

const server = createServer({ keepAliveTimeout: 60_000 }, async (incoming, response) => {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    for (const name of FORWARDED) {
      const value = incoming.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const answer = await agent.request({
      origin,
      path: incoming.url ?? '/',
      method: 'POST',
      headers,
      body: Buffer.concat(chunks),
    });
    response.writeHead(answer.statusCode, {
      'content-type': String(answer.headers['content-type'] ?? 'application/json'),
    });
    await pipeline(answer.body, response);
  } catch {
    response.destroy();
  }
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`BARE_LISTENING ${(server.address() as AddressInfo).port}\n`);
});
const stop = () => {
  server.close(() => void agent.close().then(() => process.exit(0)));
  server.closeAllConnections();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
