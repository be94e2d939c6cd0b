import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAi, type FakeOpenAi } from '../../support/fake-openai.ts';
import { APP_KEY, requestRows, startTestGateway, type TestGateway } from '../../support/gateway.ts';

/*
 * The model a client names is echoed in x-switchboard-model, and a route without an allow-list
 * takes any string: one that no header may hold (a line break, a control character) must not cost
 * the client the answer it was already given by the vendor.
 */

let upstream: FakeOpenAi;
let gateway: TestGateway;

beforeAll(async () => {
  upstream = await startFakeOpenAi();
  gateway = await startTestGateway({
    routes: [{ id: 'open', vendor: 'openai-compatible', baseUrl: upstream.url, apiKey: 'sk-key-0123456789' }],
    apps: [{ name: 'a', key: APP_KEY }],
  });
});

afterAll(async () => {
  await gateway?.stop();
  await upstream?.close();
});

describe('the served-by headers', () => {
  for (const model of ['gpt-4.1-nano\r\nx-injected: 1', 'gpt\u0000nano', 'modèle-é']) {
    it(`answer 200 for a model named ${JSON.stringify(model)}, and never split a header`, async () => {
      const response = await fetch(`${gateway.url}/openai/open/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Hi' }] }),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-injected')).toBeNull();
      expect(response.headers.get('x-switchboard-route')).toBe('open');
      const header = response.headers.get('x-switchboard-model')!;
      expect(decodeURIComponent(header)).toBe(model);
      const [row] = await requestRows(gateway, 1);
      expect(row).toMatchObject({ status: 200, route: 'open' });
    });
  }

  it('leaves a plain model name as it is', async () => {
    const response = await fetch(`${gateway.url}/openai/open/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'org/model:7b', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(response.headers.get('x-switchboard-model')).toBe('org/model:7b');
  });
});
