import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../gateway/store/index.ts';
import { ADMIN_TOKEN, startTestGateway, type TestGateway } from '../../support/gateway.ts';

/** A route's fallbacks and retries through the admin API, and what deleting a fallback leaves. */

let gateway: TestGateway;

beforeAll(async () => {
  gateway = await startTestGateway({
    routes: [
      { id: 'gpt', vendor: 'openai', apiKey: 'sk-test-0123456789' },
      { id: 'local', vendor: 'ollama' },
    ],
  });
});

afterAll(async () => {
  await gateway?.stop();
});

const admin = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${gateway.url}/admin/api${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return {
    status: response.status,
    body: response.status === 204 ? null : ((await response.json()) as Record<string, unknown>),
  };
};

describe('fallbacks in the admin API', () => {
  it('creates a route falling back to stored ones, shows them, and refuses an unknown one', async () => {
    const created = await admin('POST', '/routes', {
      id: 'claude',
      vendor: 'anthropic',
      apiKey: 'sk-ant-test-0123456789',
      fallbacks: ['gpt', 'local'],
      retries: 1,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      fallbacks: ['gpt', 'local'],
      retries: 1,
      health: { state: 'healthy', until: null, recentFailures: 0, lastError: null },
    });
    const refused = await admin('PATCH', '/routes/claude', { fallbacks: ['nope'] });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('fallbacks[0]: no route with id \\"nope\\"');
    const cleared = await admin('PATCH', '/routes/claude', { retries: null });
    expect(cleared.body).toMatchObject({ fallbacks: ['gpt', 'local'], retries: null });
  });

  it('takes a deleted route out of every fallback list, so that the config still exports and imports', async () => {
    expect((await admin('DELETE', '/routes/local')).status).toBe(204);
    expect((await admin('GET', '/routes/claude')).body).toMatchObject({ fallbacks: ['gpt'] });
    const exported = await admin('GET', '/config?format=json');
    const routes = (exported.body!['routes'] as Record<string, unknown>[]).find(
      (route) => route['id'] === 'claude',
    );
    expect(routes).toMatchObject({ fallbacks: ['gpt'] });
    expect(routes).not.toHaveProperty('retries');
    const imported = await admin('POST', '/config', exported.body);
    expect(imported.status).toBe(200);
  });
});

describe('a config route that an import removes', () => {
  it('is taken out of the fallbacks of the routes the dashboard made, so that the export imports again', async () => {
    const imports = await startTestGateway({
      routes: [
        { id: 'kept', vendor: 'ollama' },
        { id: 'gone', vendor: 'ollama' },
      ],
    });
    try {
      const call = async (method: string, path: string, body?: unknown) => {
        const response = await fetch(`${imports.url}/admin/api${path}`, {
          method,
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
      };
      for (const [id, fallbacks] of [
        ['mine', ['gone', 'kept']],
        ['only', ['gone']],
      ] as const) {
        expect((await call('POST', '/routes', { id, vendor: 'ollama', fallbacks })).status).toBe(201);
      }
      // The file no longer lists "gone"; the dashboard's routes are not in it, and stay.
      expect((await call('POST', '/config', { routes: [{ id: 'kept', vendor: 'ollama' }] })).status).toBe(
        200,
      );
      expect((await call('GET', '/routes/mine')).body).toMatchObject({ fallbacks: ['kept'] });
      expect((await call('GET', '/routes/only')).body).toMatchObject({ fallbacks: [] });
      // None left is stored as none, as a route saved without fallbacks is.
      const store = openStore(imports.dataDir);
      const column = store.db.prepare('SELECT fallbacks FROM routes WHERE id = ?').pluck().get('only');
      store.close();
      expect(column).toBeNull();

      const exported = await call('GET', '/config?format=json');
      expect((await call('POST', '/config', exported.body)).status).toBe(200);
    } finally {
      await imports.stop();
    }
  });
});
