import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestGateway, type TestGateway } from '../../support/gateway.ts';

// POST /admin/api/config parses YAML, whose parser recurses on `[`/`{`: a deep document must be
// a 400, not a stack overflow — and not, on the second try, a fatal abort of the whole process.

let gateway: TestGateway;

beforeAll(async () => {
  gateway = await startTestGateway({ routes: [{ id: 'local', vendor: 'ollama' }] });
});

afterAll(async () => {
  await gateway.stop();
});

const importConfig = (text: string) =>
  fetch(`${gateway.url}/admin/api/config`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/yaml' },
    body: text,
  });

describe('config import: nesting', () => {
  it('refuses a document nested thousands of levels deep, again and again, and stays up', async () => {
    for (const levels of [1_000, 5_000, 1_000_000]) {
      const response = await importConfig(`routes: ${'['.repeat(levels)}${']'.repeat(levels)}\n`);
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: { message: string } };
      expect(body.error.message).toContain('nested deeper than 256 levels');
    }
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
  });

  it('still imports an ordinary document whose strings hold brackets', async () => {
    const response = await importConfig(
      'routes:\n  - id: local\n    vendor: ollama\nfilters:\n  - { name: f, kind: block, patterns: ["[a-z]{3}\\\\[x\\\\]"] }\n',
    );
    expect(response.status).toBe(200);
  });
});
