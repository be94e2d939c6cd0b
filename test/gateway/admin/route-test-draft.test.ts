import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAi, type FakeOpenAi } from '../../support/fake-openai.ts';
import { ADMIN_TOKEN, startTestGateway, type TestGateway } from '../../support/gateway.ts';

const STORED_KEY = 'sk-stored-vendor-key-0001';
const DRAFT_KEY = 'sk-draft-vendor-key-0002';

let stored: FakeOpenAi;
let other: FakeOpenAi;
let gateway: TestGateway;

const admin = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${gateway.url}/admin/api${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
};

/** The chat requests a fake vendor received since `from`, with the key each carried. */
const chats = (fake: FakeOpenAi, from = 0) =>
  fake.seen
    .slice(from)
    .filter((request) => request.url === '/v1/chat/completions')
    .map((request) => request.headers['authorization'] ?? null);

beforeAll(async () => {
  [stored, other] = await Promise.all([startFakeOpenAi(), startFakeOpenAi()]);
  gateway = await startTestGateway({
    routes: [
      { id: 'main', vendor: 'openai', baseUrl: stored.url, apiKey: STORED_KEY, defaultModel: 'gpt-4.1-nano' },
    ],
  });
});

afterAll(async () => {
  await gateway.stop();
  await Promise.all([stored.close(), other.close()]);
});

describe('"Test connection" on values not saved (issue 10, item 9)', () => {
  it('tests a stored route with the form’s edits applied, and saves none of them', async () => {
    const before = [stored.seen.length, other.seen.length] as const;
    const test = await admin('POST', '/routes/main/test', { baseUrl: other.url, apiKey: DRAFT_KEY });
    expect(test.status).toBe(200);
    expect(test.body).toMatchObject({ ok: true });
    expect(chats(other, before[1])).toEqual([`Bearer ${DRAFT_KEY}`]);
    expect(chats(stored, before[0])).toEqual([]);
    expect((await admin('GET', '/routes/main')).body).toMatchObject({ baseUrl: stored.url, hasApiKey: true });
    // The stored key is still the one the proxy sends.
    const again = await admin('POST', '/routes/main/test');
    expect(again.body).toMatchObject({ ok: true });
    expect(chats(stored, before[0])).toEqual([`Bearer ${STORED_KEY}`]);
  });

  it('keeps the stored key when the edits leave it out, and drops it when they remove it', async () => {
    let from = other.seen.length;
    await admin('POST', '/routes/main/test', { baseUrl: other.url });
    expect(chats(other, from)).toEqual([`Bearer ${STORED_KEY}`]);
    from = other.seen.length;
    await admin('POST', '/routes/main/test', { baseUrl: other.url, apiKey: null });
    expect(chats(other, from)).toEqual([null]);
    expect((await admin('GET', '/routes/main')).body).toMatchObject({ hasApiKey: true });
  });

  it('tests a new route before it exists, and creates nothing', async () => {
    const from = other.seen.length;
    const test = await admin('POST', '/routes/test', {
      id: 'draft',
      vendor: 'openai',
      baseUrl: other.url,
      apiKey: DRAFT_KEY,
      models: ['gpt-4.1-mini'],
    });
    expect(test.body).toMatchObject({ ok: true });
    const sent = other.seen.slice(from).find((request) => request.url === '/v1/chat/completions')!;
    expect(sent.headers['authorization']).toBe(`Bearer ${DRAFT_KEY}`);
    expect(sent.body!['model']).toBe('gpt-4.1-mini');
    expect((await admin('GET', '/routes/draft')).status).toBe(404);
  });

  it('reports a failing draft as a failed test, leaving the stored route alone', async () => {
    const test = await admin('POST', '/routes/main/test', { baseUrl: 'http://127.0.0.1:1/v1' });
    expect(test.status).toBe(200);
    expect(test.body).toMatchObject({ ok: false, status: 502, code: 'upstream_error' });
    expect((await admin('GET', '/routes/main')).body).toMatchObject({ baseUrl: stored.url });
  });

  it('refuses a draft its write would refuse, naming the field', async () => {
    const bad = await admin('POST', '/routes/main/test', { baseUrl: 'not a url' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('baseUrl');
    expect((await admin('POST', '/routes/main/test', { id: 'other' })).status).toBe(400);
    expect((await admin('POST', '/routes/test', { id: 'Bad Id', vendor: 'openai' })).status).toBe(400);
    expect((await admin('POST', '/routes/missing/test', { baseUrl: other.url })).status).toBe(404);
    expect((await admin('POST', '/routes/missing/test')).status).toBe(404);
  });
});
