import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { routeDrafts } from '../../../gateway/admin/route-drafts.ts';
import { fileKeyBox } from '../../../gateway/secrets/file-key-box.ts';
import { openDatabase } from '../../../gateway/store/database.ts';
import { createStore } from '../../../gateway/store/index.ts';
import { ADMIN_TOKEN, startTestGateway, type TestGateway } from '../../support/gateway.ts';

// Issue 13, item 2: an openai-compatible or ollama route says whether its server speaks the
// Responses API (`responses`); the admin API writes and shows it as the config file does.

let gateway: TestGateway;

const admin = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${gateway.url}/admin/api${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : null, text };
};

const messageOf = (body: Record<string, unknown> | null) =>
  (body?.['error'] as { message?: string } | undefined)?.message ?? '';

beforeAll(async () => {
  gateway = await startTestGateway({
    routes: [
      { id: 'oa', vendor: 'openai', apiKey: 'sk-responses-test-key-0001' },
      { id: 'local', vendor: 'ollama', responses: true },
    ],
  });
});

afterAll(async () => {
  await gateway.stop();
});

describe('a route’s `responses` setting through the admin API', () => {
  it('shows it on every route: as set where the vendor has it, false elsewhere', async () => {
    expect((await admin('GET', '/routes/local')).body).toMatchObject({ vendor: 'ollama', responses: true });
    expect((await admin('GET', '/routes/oa')).body).toMatchObject({ vendor: 'openai', responses: false });
  });

  it('creates a route with it, edits it, and clears it with null', async () => {
    const created = await admin('POST', '/routes', { id: 'studio', preset: 'lm-studio', responses: true });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'studio', vendor: 'openai-compatible', responses: true });
    expect((await admin('GET', '/routes/studio')).body).toMatchObject({ responses: true });

    const off = await admin('PATCH', '/routes/studio', { responses: false });
    expect(off.body).toMatchObject({ responses: false });
    // Other edits keep it as it is.
    await admin('PATCH', '/routes/studio', { responses: true });
    expect((await admin('PATCH', '/routes/studio', { models: ['qwen*'] })).body).toMatchObject({
      models: ['qwen*'],
      responses: true,
    });
    expect((await admin('PATCH', '/routes/studio', { responses: null })).body).toMatchObject({
      responses: false,
    });
  });

  it('refuses it on other vendors with the field named, and saves nothing', async () => {
    const onOpenAi = await admin('PATCH', '/routes/oa', { responses: true });
    expect(onOpenAi.status).toBe(400);
    expect(messageOf(onOpenAi.body)).toContain(
      'responses: only for ollama, openai-compatible routes, whose servers may or may not speak the Responses API; vendor openai always speaks the Responses API',
    );
    const onAnthropic = await admin('POST', '/routes', {
      id: 'claude',
      vendor: 'anthropic',
      responses: false,
    });
    expect(onAnthropic.status).toBe(400);
    expect(messageOf(onAnthropic.body)).toContain('vendor anthropic never speaks the Responses API');
    expect((await admin('GET', '/routes/claude')).status).toBe(404);
    expect((await admin('GET', '/routes/oa')).body).toMatchObject({ responses: false });
  });

  it('exports it where it is on, and importing the export changes nothing', async () => {
    const exported = await admin('GET', '/config?format=json');
    const routes = (exported.body!['routes'] as { id: string; responses?: boolean }[]).map((route) => [
      route.id,
      route.responses,
    ]);
    expect(routes).toEqual([
      ['oa', undefined],
      ['local', true],
      ['studio', undefined],
    ]);
    const yaml = await fetch(`${gateway.url}/admin/api/config`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    }).then((response) => response.text());
    expect((parseYaml(yaml) as { routes: { responses?: boolean }[] }).routes[1]!.responses).toBe(true);
    const imported = await admin('POST', '/config', yaml);
    expect(imported.status).toBe(200);
    expect(imported.body).toMatchObject({ changes: 0 });
    expect((await admin('GET', '/routes/local')).body).toMatchObject({ responses: true });
  });
});

describe('the route "Test connection" runs', () => {
  it('speaks the Responses API as the route it tests would', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-route-responses-'));
    const store = createStore(openDatabase(dir));
    try {
      const drafts = routeDrafts({ store, secrets: fileKeyBox(dir), now: () => 1000 });
      const draft = (body: Record<string, unknown>) => drafts.draft(undefined, body).speaksResponses;
      expect(draft({ id: 'oa', vendor: 'openai', apiKey: 'sk-draft-0001' })).toBe(true);
      expect(draft({ id: 'vllm', vendor: 'openai-compatible', baseUrl: 'http://127.0.0.1:8000/v1' })).toBe(
        false,
      );
      expect(draft({ id: 'local', vendor: 'ollama', responses: true })).toBe(true);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
