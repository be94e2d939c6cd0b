import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAi, type FakeOpenAi } from '../../support/fake-openai.ts';
import { APP_KEY, startTestGateway, VENDOR_KEY, type TestGateway } from '../../support/gateway.ts';

// parseJsonObject's limits (test/gateway/http/body.test.ts) as a client meets them on /openai.

const nestedArrays = (levels: number) => '['.repeat(levels) + '0' + ']'.repeat(levels);

describe('the gateway answers 400 where it used to answer 500', () => {
  let fake: FakeOpenAi;
  let gateway: TestGateway;

  beforeAll(async () => {
    fake = await startFakeOpenAi();
    gateway = await startTestGateway({
      routes: [
        { id: 'open', vendor: 'openai', baseUrl: fake.url, apiKey: VENDOR_KEY },
        {
          id: 'budgeted',
          vendor: 'openai',
          baseUrl: fake.url,
          apiKey: VENDOR_KEY,
          budget: { usd: 5, period: 'day' },
        },
      ],
      apps: [{ name: 'app', key: APP_KEY }],
    });
  });

  afterAll(async () => {
    await gateway.stop();
    await fake.close();
  });

  const chat = (route: string, body: string) =>
    fetch(`${gateway.url}/openai/${route}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
      body,
    });

  it('on /openai: deep nesting and 1e400, with or without a budget; nothing reaches the upstream', async () => {
    const before = fake.seen.length;
    const deep = `{"model":"gpt-4.1-nano","messages":[{"role":"user","content":"hi"}],"metadata":${nestedArrays(5_000)}}`;
    const huge =
      '{"model":"gpt-4.1-nano","messages":[{"role":"user","content":"hi"}],"max_completion_tokens":1e400}';
    for (const route of ['open', 'budgeted']) {
      for (const body of [deep, huge]) {
        const response = await chat(route, body);
        expect(response.status, `${route}: ${body.slice(0, 40)}`).toBe(400);
        const answer = (await response.json()) as { error: { code: string; param: string | null } };
        expect(answer.error.code).toBe('invalid_request');
        if (body === huge) expect(answer.error.param).toBe('max_completion_tokens');
      }
    }
    expect(fake.seen.length).toBe(before);
    expect(
      (await chat('budgeted', '{"model":"gpt-4.1-nano","messages":[{"role":"user","content":"hi"}]}')).status,
    ).toBe(200);
  });
});
