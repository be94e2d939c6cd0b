import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { startFakeOpenAi, type FakeOpenAi } from '../../support/fake-openai.ts';
import { ADMIN_TOKEN, APP_KEY, startTestGateway, type TestGateway } from '../../support/gateway.ts';

// The admin API must never read the gateway's environment (issue 9, item 9): an `env:NAME` key
// imported with a base URL of the caller's choosing would send NAME's value with the first
// proxied request. Only the config file given at start resolves `env:`.

const SECRET_VAR = 'SB_ADMIN_ENV_TEST_SECRET';
const SECRET = 'sk-from-the-environment-must-not-leak-4f3e2d1c';
const STORED_KEY = 'sk-stored-vendor-key-0123456789abcd';
const REFUSED = '"env:" references are read only from the config file given at start; paste the key itself';

let fake: FakeOpenAi;
let gateway: TestGateway;

const admin = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${gateway.url}/admin/api${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, text, message: messageOf(text) };
};

function messageOf(text: string): string {
  try {
    return (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? '';
  } catch {
    return '';
  }
}

const chat = (route: string) =>
  fetch(`${gateway.url}/openai/${route}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }] }),
  });

/** Everything that describes the store, as the admin API shows it. */
const snapshot = async () => ({
  config: (await admin('GET', '/config?format=json')).text,
  routes: (await admin('GET', '/routes')).text,
  apps: (await admin('GET', '/apps')).text,
});

/** No request the upstream ever received carried the secret, in any header or its body. */
function expectSecretNeverSent() {
  for (const seen of fake.seen) {
    expect(JSON.stringify(seen)).not.toContain(SECRET);
  }
}

beforeAll(async () => {
  process.env[SECRET_VAR] = SECRET;
  // What GET /config writes for the route "main": set too, to prove re-importing an export reads nothing.
  process.env['MAIN_API_KEY'] = SECRET;
  fake = await startFakeOpenAi();
  gateway = await startTestGateway({
    routes: [{ id: 'main', vendor: 'openai', baseUrl: fake.url, apiKey: STORED_KEY }],
    apps: [{ name: 'fixed', key: APP_KEY }],
  });
});

afterEach(() => expectSecretNeverSent());

afterAll(async () => {
  delete process.env[SECRET_VAR];
  delete process.env['MAIN_API_KEY'];
  await gateway.stop();
  await fake.close();
});

describe('config import refuses env: values', () => {
  it('refuses a route whose apiKey is env:, names the field, changes nothing, and sends nothing', async () => {
    const before = await snapshot();
    const seenBefore = fake.seen.length;
    const config = {
      routes: [
        { id: 'main', vendor: 'openai', baseUrl: fake.url, apiKey: STORED_KEY },
        { id: 'leak', vendor: 'openai', baseUrl: fake.url, apiKey: `env:${SECRET_VAR}` },
      ],
      apps: [{ name: 'fixed', key: APP_KEY }],
    };
    for (const body of [JSON.stringify(config), toYaml(config)]) {
      const response = await admin('POST', '/config', body);
      expect(response.status).toBe(400);
      expect(response.message).toContain(`routes[1].apiKey: ${REFUSED}`);
      expect(response.text).not.toContain(SECRET);
    }
    expect(await snapshot()).toEqual(before);

    // The route does not exist, so a proxied call cannot carry the variable anywhere.
    expect((await chat('leak')).status).toBe(404);
    expect(fake.seen.length).toBe(seenBefore);
  });

  it('refuses an env: that names an unset variable the same way (no oracle for what is set)', async () => {
    const response = await admin('POST', '/config', {
      routes: [{ id: 'other', vendor: 'openai', baseUrl: fake.url, apiKey: 'env:SB_SURELY_NOT_SET_4711' }],
    });
    expect(response.status).toBe(400);
    expect(response.message).toBe(`routes[0].apiKey: ${REFUSED}`);
  });

  it("refuses an app's env: key", async () => {
    const before = await snapshot();
    const response = await admin('POST', '/config', {
      apps: [
        { name: 'fixed', key: APP_KEY },
        { name: 'sneaky', key: `env:${SECRET_VAR}` },
      ],
    });
    expect(response.status).toBe(400);
    expect(response.message).toContain(`apps[1].key: ${REFUSED}`);
    expect(response.text).not.toContain(SECRET);
    expect(await snapshot()).toEqual(before);
  });

  it('re-imports an export (apiKey: stored) without reading the environment, and keeps the stored key', async () => {
    const exported = await fetch(`${gateway.url}/admin/api/config`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const yaml = await exported.text();
    expect(yaml).toContain('apiKey: stored');
    expect(yaml).not.toContain('MAIN_API_KEY');
    const before = await snapshot();

    const response = await admin('POST', '/config', yaml);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toEqual({ changes: 0, newKeys: [] });
    expect(response.text).not.toContain(SECRET);
    expect(await snapshot()).toEqual(before);

    expect((await chat('main')).status).toBe(200);
    expect(fake.seen.at(-1)?.headers['authorization']).toBe(`Bearer ${STORED_KEY}`);
  });

  it('still imports a literal key (the refusal is about env: only)', async () => {
    const literal = 'sk-literal-imported-key-000111222';
    const response = await admin('POST', '/config', {
      routes: [
        { id: 'main', vendor: 'openai', baseUrl: fake.url, apiKey: STORED_KEY },
        { id: 'lit', vendor: 'openai', baseUrl: fake.url, apiKey: literal },
      ],
      apps: [{ name: 'fixed', key: APP_KEY }],
    });
    expect(response.status).toBe(200);
    expect((await chat('lit')).status).toBe(200);
    expect(fake.seen.at(-1)?.headers['authorization']).toBe(`Bearer ${literal}`);
  });
});

describe('route and app writes refuse env: values', () => {
  it('refuses POST /routes with an env: apiKey and creates nothing', async () => {
    const response = await admin('POST', '/routes', {
      id: 'leak2',
      vendor: 'openai',
      baseUrl: fake.url,
      apiKey: `env:${SECRET_VAR}`,
    });
    expect(response.status).toBe(400);
    expect(response.message).toContain(REFUSED);
    expect(response.text).not.toContain(SECRET);
    expect((await admin('GET', '/routes/leak2')).status).toBe(404);
    expect((await chat('leak2')).status).toBe(404);
  });

  it('refuses PATCH /routes/:id with an env: apiKey and keeps the stored key', async () => {
    const before = await snapshot();
    const response = await admin('PATCH', '/routes/main', { apiKey: `env:${SECRET_VAR}`, baseUrl: fake.url });
    expect(response.status).toBe(400);
    expect(response.message).toContain(REFUSED);
    expect(response.text).not.toContain(SECRET);
    expect(await snapshot()).toEqual(before);

    expect((await chat('main')).status).toBe(200);
    expect(fake.seen.at(-1)?.headers['authorization']).toBe(`Bearer ${STORED_KEY}`);
  });

  it('refuses a key on PATCH /apps/:name, as POST /apps does', async () => {
    const before = await snapshot();
    const response = await admin('PATCH', '/apps/fixed', { key: `env:${SECRET_VAR}` });
    expect(response.status).toBe(400);
    expect(response.message).toContain('key');
    expect(response.text).not.toContain(SECRET);
    expect(await snapshot()).toEqual(before);
    expect((await admin('POST', '/apps', { name: 'new-app', key: `env:${SECRET_VAR}` })).status).toBe(400);
  });
});
