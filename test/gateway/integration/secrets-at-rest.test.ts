import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFakeOpenAi, type FakeOpenAi } from '../../support/fake-openai.ts';
import { ADMIN_TOKEN, APP_KEY, VENDOR_KEY, startTestGateway } from '../../support/gateway.ts';

let fake: FakeOpenAi;

beforeAll(async () => {
  fake = await startFakeOpenAi();
});
afterAll(() => fake.close());

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

it('leaves no app key, vendor key or admin token in plaintext anywhere in the data dir or the log', async () => {
  const gateway = await startTestGateway({
    routes: [{ id: 'main', vendor: 'openai', baseUrl: fake.url, apiKey: VENDOR_KEY }],
    apps: [{ name: 'fixed', key: APP_KEY }, { name: 'generated' }],
  });
  const generatedKey = gateway.newKeys[0]!.key;
  const created = await fetch(`${gateway.url}/admin/api/apps`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'from-admin' }),
  });
  const adminKey = ((await created.json()) as { key: string }).key;
  for (const key of [APP_KEY, generatedKey, adminKey]) {
    const client = new OpenAI({ baseURL: `${gateway.url}/openai/main/v1`, apiKey: key, maxRetries: 0 });
    await client.chat.completions.create({
      model: 'gpt-4.1-nano',
      messages: [{ role: 'user', content: 'hi' }],
    });
    const stream = await client.chat.completions.create({
      model: 'gpt-4.1-nano',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    for await (const chunk of stream) void chunk;
  }
  // Failed requests with a key in the query string must not leave it behind either.
  await fetch(`${gateway.url}/v1/models?key=${APP_KEY}`);
  await fetch(`${gateway.url}/v1/models?key=sbk_wrong_key_but_still_a_secret_00`);
  await gateway.close();

  const files = filesUnder(gateway.dataDir);
  expect(files.some((file) => file.endsWith('switchboard.db'))).toBe(true);
  const secrets = [
    APP_KEY,
    generatedKey,
    adminKey,
    VENDOR_KEY,
    ADMIN_TOKEN,
    'sbk_wrong_key_but_still_a_secret_00',
  ];
  for (const file of files) {
    const bytes = readFileSync(file);
    for (const secret of secrets) {
      expect(bytes.includes(secret), `${secret} found in ${file}`).toBe(false);
      expect(bytes.includes(Buffer.from(secret, 'utf16le')), `${secret} (UTF-16) found in ${file}`).toBe(
        false,
      );
    }
    // Readable by this user only.
    expect(statSync(file).mode & 0o077).toBe(0);
  }
  const log = gateway.logs.join('\n');
  for (const secret of secrets) expect(log).not.toContain(secret);
  rmSync(gateway.dataDir, { recursive: true, force: true });
});
