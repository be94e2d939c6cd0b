import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import Router from '@koa/router';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDiscoveryRoutes } from '../../../gateway/admin/discovery-routes.ts';
import type { GatewayState } from '../../../gateway/http/context.ts';
import { ADMIN_TOKEN, startTestGateway, type TestGateway } from '../../support/gateway.ts';

// The admin API's look for local servers: a fake Ollama on a port the user names is found, added
// through POST /routes as offered, and from then on shown as that route instead of offered again.

const listen = async (server: Server) => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
};
const close = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

let ollama: Server;
let hangs: Server;
let ollamaPort = 0;
let hangPort = 0;
let gateway: TestGateway;
const seenAuthorization: (string | undefined)[] = [];

const admin = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${gateway.url}/admin/api${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

interface Offer {
  port: number;
  name: string;
  models: string[];
  configuredAs: string[];
  route: Record<string, unknown> | null;
}

const serverOn = (body: Record<string, unknown>, port: number) =>
  (body['servers'] as Offer[]).find((server) => server.port === port);

beforeAll(async () => {
  ollama = createServer((request, response) => {
    seenAuthorization.push(request.headers.authorization);
    if (request.url === '/') return void response.end('Ollama is running');
    response.writeHead(request.url === '/v1/models' ? 200 : 404, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        object: 'list',
        data: ['llama3.2:latest', 'qwen3:8b', 'gemma3:4b'].map((id) => ({
          id,
          object: 'model',
          owned_by: 'library',
        })),
      }),
    );
  });
  hangs = createServer(() => {});
  [ollamaPort, hangPort] = await Promise.all([listen(ollama), listen(hangs)]);
  gateway = await startTestGateway({
    routes: [
      {
        id: 'ollama',
        vendor: 'openai',
        baseUrl: 'https://api.openai.com/v1',
        apiKey: 'sk-discovery-test-key-0001',
      },
    ],
  });
});

afterAll(async () => {
  await gateway.stop();
  await Promise.all([close(ollama), close(hangs)]);
});

describe('POST /admin/api/discovery', () => {
  it('finds a server on a port the user names, offered as a route whose id clashes with none', async () => {
    const { status, body } = await admin('POST', '/discovery', { ports: [ollamaPort] });
    expect(status).toBe(200);
    expect(body['ports']).toContain(ollamaPort);
    expect(body['ports']).toContain(11434);
    expect(serverOn(body, ollamaPort)).toEqual({
      port: ollamaPort,
      kind: 'ollama',
      name: 'Ollama',
      baseUrl: `http://127.0.0.1:${ollamaPort}/v1`,
      models: ['llama3.2:latest', 'qwen3:8b', 'gemma3:4b'],
      configuredAs: [],
      route: {
        // "ollama" is taken by a route of another vendor.
        id: `ollama-${ollamaPort}`,
        vendor: 'ollama',
        baseUrl: `http://127.0.0.1:${ollamaPort}/v1`,
        defaultModel: 'llama3.2:latest',
      },
    });
    expect(seenAuthorization.every((value) => value === undefined)).toBe(true);
  });

  it('adds the offer through POST /routes as it is, and shows the server as that route from then on', async () => {
    const offer = serverOn((await admin('POST', '/discovery', { ports: [ollamaPort] })).body, ollamaPort)!;
    const created = await admin('POST', '/routes', offer.route);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: `ollama-${ollamaPort}`, vendor: 'ollama', hasApiKey: false });
    const again = serverOn((await admin('POST', '/discovery', { ports: [ollamaPort] })).body, ollamaPort);
    expect(again).toMatchObject({ configuredAs: [`ollama-${ollamaPort}`], route: null });
  });

  it('answers within about a second when a port hangs, saying so', async () => {
    const started = performance.now();
    const { body } = await admin('POST', '/discovery', { ports: [hangPort] });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(body['misses']).toContainEqual({ port: hangPort, reason: 'timeout' });
  });

  it('never looks at the gateway’s own port', async () => {
    const own = Number(new URL(gateway.url).port);
    const { body } = await admin('POST', '/discovery', { ports: [own] });
    expect(body['ports']).not.toContain(own);
  });

  it('refuses ports that are not ports, and more than 16 of them', async () => {
    for (const ports of [[0], [65_536], [1.5], ['8080'], Array.from({ length: 17 }, (_, n) => 9000 + n)]) {
      const { status, body } = await admin('POST', '/discovery', { ports });
      expect(status).toBe(400);
      expect((body['error'] as { message: string }).message).toMatch(/^ports/);
    }
    expect((await admin('POST', '/discovery', { ports: [9000], host: 'example.com' })).status).toBe(400);
  });
});

describe('GET /admin/api/discovery', () => {
  it('looks at the usual ports, within about a second', async () => {
    const started = performance.now();
    const { status, body } = await admin('GET', '/discovery');
    expect(performance.now() - started).toBeLessThan(2000);
    expect(status).toBe(200);
    expect(body['ports']).toEqual(expect.arrayContaining([11434, 1234, 8080, 8000, 1337]));
  });

  it('answers a second ask from its last look, with the routes as they are now', async () => {
    const koa = new Koa();
    const router = new Router<GatewayState>({ prefix: '/admin/api' });
    const routes = [] as { id: string; baseUrl: string }[];
    let now = 0;
    addDiscoveryRoutes(router, {
      store: { routes: { list: () => routes as never } },
      now: () => now,
      usualPorts: [ollamaPort],
    });
    koa.use(router.routes());
    const server = createServer(koa.callback());
    const port = await listen(server);
    const look = async () =>
      (await (await fetch(`http://127.0.0.1:${port}/admin/api/discovery`)).json()) as Record<string, unknown>;
    try {
      const asked = seenAuthorization.length;
      const first = await look();
      expect(serverOn(first, ollamaPort)).toMatchObject({
        configuredAs: [],
        route: { id: 'ollama', vendor: 'ollama', baseUrl: `http://127.0.0.1:${ollamaPort}/v1` },
      });
      routes.push({ id: 'local', baseUrl: `http://localhost:${ollamaPort}/v1` });
      now = 10_000;
      const second = await look();
      expect(second['lookedAt']).toBe(first['lookedAt']);
      expect(serverOn(second, ollamaPort)).toMatchObject({ configuredAs: ['local'], route: null });
      expect(seenAuthorization.length - asked).toBe(2);
      now = 20_000;
      expect((await look())['lookedAt']).not.toBe(first['lookedAt']);
      expect(seenAuthorization.length - asked).toBe(4);
    } finally {
      await close(server);
    }
  });
});
