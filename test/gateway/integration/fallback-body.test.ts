import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAi, type FakeOpenAi } from '../../support/fake-openai.ts';
import { APP_KEY, startTestGateway, type TestGateway } from '../../support/gateway.ts';
import { startHostileUpstream, type HostileUpstream } from '../../support/hostile-upstream.ts';

// A fallback route is sent the request as the client sent it, not as the routes before it
// rewrote it: each route's filters apply to its own copy.

let failing: HostileUpstream;
let backup: FakeOpenAi;
let gateway: TestGateway;

beforeAll(async () => {
  [failing, backup] = await Promise.all([startHostileUpstream(), startFakeOpenAi()]);
  gateway = await startTestGateway({
    routes: [
      {
        id: 'main',
        vendor: 'openai-compatible',
        baseUrl: failing.openAiBaseUrl,
        apiKey: 'sk-main-0123456789',
        retries: 0,
        filters: ['main-only'],
        fallbacks: ['backup'],
      },
      { id: 'backup', vendor: 'openai', baseUrl: backup.url, apiKey: 'sk-backup-0123456789' },
    ],
    filters: [{ name: 'main-only', kind: 'system-prompt', mode: 'prepend', text: 'Only for main.' }],
    apps: [{ name: 'agent', key: APP_KEY }],
    server: { cooldown: { failures: 1000 } },
  });
});

afterAll(async () => {
  await gateway?.stop();
  await Promise.all([failing?.close(), backup?.close()]);
});

describe('a request that falls back', () => {
  it('reaches the fallback as the client sent it, without the first route’s filters', async () => {
    failing.setFault({ kind: 'status', status: 503 });
    const response = await fetch(`${gateway.url}/openai/main/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get('x-switchboard-route')).toBe('backup');
    // The first route was sent its system prompt; the fallback, only what the client wrote.
    expect(JSON.stringify(failing.seen.at(-1)?.body)).toContain('Only for main.');
    expect(backup.seen.at(-1)!.body!['messages']).toEqual([{ role: 'user', content: 'Hi' }]);
  });
});

describe('a pass-through answer that is empty and says so', () => {
  it('is passed on as it came: not taken for a call that failed before its first byte', async () => {
    backup.respond((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '0' });
      response.end();
    });
    try {
      const before = backup.seen.length;
      const response = await fetch(`${gateway.url}/proxy/backup/files/empty/content`, {
        headers: { authorization: `Bearer ${APP_KEY}` },
      });
      expect(response.status).toBe(200);
      expect((await response.arrayBuffer()).byteLength).toBe(0);
      // One call: no retry of an answer that was whole.
      expect(backup.seen.length - before).toBe(1);
    } finally {
      backup.respond(null);
    }
  });
});
