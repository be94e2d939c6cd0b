import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Router from '@koa/router';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { routeDrafts } from '../../../gateway/admin/route-drafts.ts';
import { addRoutesRoutes } from '../../../gateway/admin/routes-routes.ts';
import { Catalog } from '../../../gateway/catalog.ts';
import { applyConfig } from '../../../gateway/config/apply.ts';
import { parseConfig } from '../../../gateway/config/load.ts';
import type { GatewayState } from '../../../gateway/http/context.ts';
import { DEFAULT_COOLDOWN, RouteHealthBook } from '../../../gateway/policy/route-health.ts';
import { fileKeyBox } from '../../../gateway/secrets/file-key-box.ts';
import { openStore, type Store } from '../../../gateway/store/index.ts';

// The routes' admin endpoints on their own, with a clock the test moves: what a listing costs the
// database, and what a deleted route leaves behind.

let dataDir: string;
let store: Store;
let server: Server;
let url: string;
let now = Date.parse('2026-11-02T09:00:00Z');
let health: RouteHealthBook;
let catalog: Catalog;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'switchboard-routes-'));
  store = openStore(dataDir);
  const secrets = fileKeyBox(dataDir);
  const clock = () => now;
  // One failure is enough to cool a route down.
  health = new RouteHealthBook(() => ({ ...DEFAULT_COOLDOWN, failures: 1 }), clock);
  catalog = new Catalog(store, secrets);
  const router = new Router<GatewayState>();
  addRoutesRoutes(router, {
    store,
    catalog,
    secrets,
    drafts: routeDrafts({ store, secrets, now: clock }),
    now: clock,
    flushRecords: () => {},
    health,
  });
  const koa = new Koa();
  koa.use(router.routes());
  server = createServer(koa.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  store?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const call = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return {
    status: response.status,
    body: response.status === 204 ? null : ((await response.json()) as Record<string, unknown>),
  };
};

describe('GET /routes', () => {
  it('reads a route’s unpriced models once a minute however often the page asks', async () => {
    expect((await call('POST', '/routes', { id: 'cheap', vendor: 'ollama' })).status).toBe(201);
    store.requests.insertMany([
      {
        id: 'req_unpriced',
        time: now - 60_000,
        app: 'ide',
        route: 'cheap',
        vendor: 'ollama',
        model: 'mystery-1',
        upstreamModel: null,
        endpoint: 'chat.completions',
        stream: false,
        status: 200,
        errorCode: null,
        inputTokens: 10,
        outputTokens: 1,
        cachedInputTokens: null,
        reasoningTokens: null,
        costUsd: null,
        latencyMs: 100,
        ttfbMs: 50,
        partial: false,
      },
    ]);
    const scans = vi.spyOn(store.requests, 'unpricedModels');
    const unpriced = async () =>
      ((await call('GET', '/routes')).body!['data'] as Record<string, unknown>[]).find(
        (route) => route['id'] === 'cheap',
      )!['unpricedModels'];
    try {
      expect(await unpriced()).toEqual(['mystery-1']);
      now += 5_000;
      expect(await unpriced()).toEqual(['mystery-1']);
      expect(scans).toHaveBeenCalledTimes(1);
      // A minute on, the next listing reads them again.
      now += 60_000;
      await unpriced();
      expect(scans).toHaveBeenCalledTimes(2);
      // So does the first listing after the route is saved.
      expect((await call('PATCH', '/routes/cheap', { retries: 1 })).status).toBe(200);
      await unpriced();
      expect(scans).toHaveBeenCalledTimes(3);
    } finally {
      scans.mockRestore();
    }
  });
});

describe('DELETE /routes/:id', () => {
  it('forgets the route’s cooldown: one made again under its id starts healthy', async () => {
    expect((await call('POST', '/routes', { id: 'local', vendor: 'ollama' })).status).toBe(201);
    health.failed('local', { status: 503, code: 'upstream_error', message: 'down' });
    expect((await call('GET', '/routes/local')).body).toMatchObject({ health: { state: 'cooling' } });
    expect((await call('DELETE', '/routes/local')).status).toBe(204);
    // Made again by a config file, which knows nothing of the cooldown.
    applyConfig(
      store,
      fileKeyBox(dataDir),
      parseConfig({ routes: [{ id: 'local', vendor: 'ollama' }] }, 'test-config'),
      now,
    );
    catalog.refresh();
    expect((await call('GET', '/routes/local')).body).toMatchObject({
      health: { state: 'healthy', recentFailures: 0, lastError: null },
    });
  });
});
