import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAi, type FakeOpenAi } from '../../support/fake-openai.ts';
import {
  ADMIN_TOKEN,
  APP_KEY,
  OTHER_APP_KEY,
  requestRows,
  startTestGateway,
  type TestGateway,
} from '../../support/gateway.ts';

let fake: FakeOpenAi;
let gateway: TestGateway;

interface Session {
  id: string;
  agent: string | null;
  app: string | null;
  routes: string[];
  models: string[];
  turns: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number | null;
  unpriced: number;
  errors: number;
  firstAt: string;
  lastAt: string;
  durationMs: number;
  latencyMs: number;
  partial: boolean;
}
type Row = Record<string, unknown> & { id: string; latencyMs: number; costUsd: number | null };

const admin = async (path: string) => {
  const response = await fetch(`${gateway.url}/admin/api${path}`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};
const sessions = async (query = '') => (await admin(`/sessions${query}`)).body['data'] as Session[];

const chat = async (
  options: { key?: string; route?: string; model?: string; headers?: Record<string, string> } = {},
) => {
  const response = await fetch(`${gateway.url}/openai/${options.route ?? 'main'}/v1/chat/completions`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${options.key ?? APP_KEY}`,
      'content-type': 'application/json',
      ...options.headers,
    },
    body: JSON.stringify({
      model: options.model ?? 'gpt-4.1-nano',
      messages: [{ role: 'user', content: 'hi' }],
    }),
  });
  await response.arrayBuffer();
  return response.status;
};

/** Claude Code's way of saying its session: its user agent, and the session in `metadata.user_id`. */
const claudeCode = async (session: string) => {
  const response = await fetch(`${gateway.url}/anthropic/main/v1/messages`, {
    method: 'POST',
    headers: {
      'x-api-key': APP_KEY,
      'content-type': 'application/json',
      'user-agent': 'claude-cli/2.1.0 (external, cli)',
    },
    body: JSON.stringify({
      model: 'gpt-4.1-mini',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'hi' }],
      metadata: { user_id: JSON.stringify({ device_id: 'device', session_id: session }) },
    }),
  });
  await response.arrayBuffer();
  return response.status;
};

beforeAll(async () => {
  fake = await startFakeOpenAi();
  const route = (id: string) => ({
    id,
    vendor: 'openai',
    baseUrl: fake.url,
    apiKey: 'sk-sessions-vendor-key',
  });
  gateway = await startTestGateway({
    routes: [route('main'), route('alt')],
    apps: [
      { name: 'fixed', key: APP_KEY },
      { name: 'other', key: OTHER_APP_KEY },
    ],
  });

  // "run-1": three turns on two routes and two models, the last one failed by the vendor.
  const run1 = { 'x-switchboard-session': 'run-1' };
  expect(await chat({ headers: run1 })).toBe(200);
  expect(await chat({ headers: run1, route: 'alt', model: 'gpt-4.1-mini' })).toBe(200);
  fake.respond((_, response) => {
    response.writeHead(500, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: { message: 'boom', type: 'server_error', code: null } }));
  });
  expect(await chat({ headers: run1 })).toBe(500);
  fake.respond(null);
  // Not in any session.
  expect(await chat()).toBe(200);
  // "cc-1": Claude Code on an OpenAI route, its session said in the body.
  expect(await claudeCode('cc-1')).toBe(200);
  // "run-2": the other app, and the newest activity.
  expect(await chat({ key: OTHER_APP_KEY, headers: { 'x-switchboard-session': 'run-2' } })).toBe(200);
  await requestRows(gateway);
});

afterAll(async () => {
  await gateway.stop();
  await fake.close();
});

describe('GET /admin/api/sessions', () => {
  it('groups the rows of each session, the latest activity first', async () => {
    const list = await sessions();
    expect(list.map((session) => session.id)).toEqual(['run-2', 'cc-1', 'run-1']);
    expect(list.map((session) => [session.app, session.agent, session.turns])).toEqual([
      ['other', null, 1],
      ['fixed', 'claude-code', 1],
      ['fixed', null, 3],
    ]);
  });

  it('sums a session from its own rows', async () => {
    const rows = ((await admin('/requests?limit=50')).body['data'] as Row[]).filter(
      (row) => row['session'] === 'run-1',
    );
    expect(rows).toHaveLength(3);
    const run1 = (await sessions()).find((session) => session.id === 'run-1')!;
    const sum = (name: string) => rows.reduce((total, row) => total + ((row[name] as number | null) ?? 0), 0);
    expect(run1).toMatchObject({
      routes: ['alt', 'main'],
      models: ['gpt-4.1-mini', 'gpt-4.1-nano'],
      turns: 3,
      errors: 1,
      partial: false,
      inputTokens: sum('inputTokens'),
      outputTokens: sum('outputTokens'),
    });
    // Summed in another order by SQLite: equal up to floating-point rounding.
    expect(run1.latencyMs).toBeCloseTo(sum('latencyMs'), 9);
    expect(run1.inputTokens).toBeGreaterThan(0);
    expect(run1.costUsd).toBeCloseTo(sum('costUsd'), 12);
    expect(run1.costUsd).toBeGreaterThan(0);
    const times = rows.map((row) => Date.parse(row['time'] as string));
    const ends = rows.map((row) => Date.parse(row['time'] as string) + row.latencyMs);
    expect(Date.parse(run1.firstAt)).toBe(Math.min(...times));
    expect(Math.abs(Date.parse(run1.lastAt) - Math.max(...ends))).toBeLessThan(1);
    expect(run1.durationMs).toBeGreaterThanOrEqual(run1.latencyMs / 3);
  });

  it('filters by app and by tool', async () => {
    expect((await sessions('?app=fixed')).map((session) => session.id)).toEqual(['cc-1', 'run-1']);
    expect((await sessions('?app=other')).map((session) => session.id)).toEqual(['run-2']);
    expect((await sessions('?agent=claude-code')).map((session) => session.id)).toEqual(['cc-1']);
    expect(await sessions('?app=nobody')).toEqual([]);
  });

  it('pages with limit and before', async () => {
    const first = await sessions('?limit=2');
    expect(first.map((session) => session.id)).toEqual(['run-2', 'cc-1']);
    const next = await sessions('?limit=2&before=cc-1');
    expect(next.map((session) => session.id)).toEqual(['run-1']);
    expect(await sessions('?limit=2&before=run-1')).toEqual([]);
  });
});

describe('GET /admin/api/sessions/:id', () => {
  it('answers the summary and its requests, oldest first, as /requests shows them', async () => {
    const { status, body } = await admin('/sessions/run-1');
    expect(status).toBe(200);
    const listed = (await sessions()).find((session) => session.id === 'run-1');
    const { requests, ...summary } = body as unknown as Session & { requests: Row[] };
    expect(summary).toEqual(listed);
    const log = ((await admin('/requests?limit=50')).body['data'] as Row[])
      .filter((row) => row['session'] === 'run-1')
      .reverse();
    expect(requests).toEqual(log);
    expect(requests.map((row) => [row['route'], row['status']])).toEqual([
      ['main', 200],
      ['alt', 200],
      ['main', 500],
    ]);
  });

  it('is a 404 for a session no request has', async () => {
    const { status, body } = await admin('/sessions/no-such-session');
    expect(status).toBe(404);
    expect((body['error'] as { message: string }).message).toContain('no-such-session');
  });
});
