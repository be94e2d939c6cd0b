import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestGateway, type TestGateway } from '../../support/gateway.ts';

let gateway: TestGateway;

beforeAll(async () => {
  gateway = await startTestGateway({
    filters: [{ name: 'aliases', kind: 'model', aliases: { fast: 'gpt-4.1-nano' } }],
  });
});

afterAll(async () => {
  await gateway.stop();
});

const tryFilter = async (format: unknown, request: Record<string, unknown>) => {
  const response = await fetch(`${gateway.url}/admin/api/filters/test`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ filter: 'aliases', format, request }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe('the filter tester’s request formats', () => {
  it('writes the chosen model into the body where the format carries it there', async () => {
    const messages = [{ role: 'user', content: 'hi' }];
    for (const format of [undefined, 'openai', 'anthropic']) {
      expect((await tryFilter(format, { model: 'fast', messages })).body).toEqual({
        blocked: false,
        forwarded: { model: 'gpt-4.1-nano', messages },
      });
    }
  });

  it('leaves a Gemini body as it is: its model is in the URL', async () => {
    const contents = [{ role: 'user', parts: [{ text: 'hi' }] }];
    expect((await tryFilter('gemini', { model: 'fast', contents })).body).toEqual({
      blocked: false,
      forwarded: { model: 'fast', contents },
    });
  });

  it('refuses any other format, names inherited from Object included', async () => {
    for (const format of ['openai-chat', 'toString', 42]) {
      const answer = await tryFilter(format, { model: 'fast' });
      expect(answer.status).toBe(400);
      expect(answer.body['error']).toMatchObject({
        message: 'format: one of openai, anthropic, gemini',
        param: 'format',
      });
    }
  });
});
