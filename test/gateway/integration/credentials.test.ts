import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANTHROPIC_KEY, startFakeAnthropic } from '../../support/fake-anthropic.ts';
import { GEMINI_KEY, startFakeGemini } from '../../support/fake-gemini.ts';
import { startFakeOpenAi, type FakeOpenAi } from '../../support/fake-openai.ts';
import type { FakeServer, SeenRequest } from '../../support/fake-server.ts';
import { APP_KEY, startTestGateway, VENDOR_KEY, type TestGateway } from '../../support/gateway.ts';

// CONTRACT §3: "The caller's credential is never forwarded; the route's vendor key is." Every
// way a client may present its app key, on every vendor's route, on /proxy (where the caller's
// headers are otherwise passed on) and on /openai: what the upstream received.

/** The four places an SDK puts its key; `?key=` is Google's. */
const CREDENTIALS: Array<{ form: string; headers: Record<string, string>; query: string }> = [
  { form: 'Authorization: Bearer', headers: { authorization: `Bearer ${APP_KEY}` }, query: '' },
  { form: 'x-api-key', headers: { 'x-api-key': APP_KEY }, query: '' },
  { form: 'x-goog-api-key', headers: { 'x-goog-api-key': APP_KEY }, query: '' },
  { form: '?key=', headers: {}, query: `key=${APP_KEY}` },
];

interface VendorCase {
  vendor: 'openai' | 'anthropic' | 'gemini';
  route: string;
  fake: () => FakeServer;
  /** The header the vendor reads its key from, and the value it must hold. */
  keyHeader: string;
  keyValue: string;
  /** A native request on /proxy/{route}/…: the path after the route, and its body. */
  proxyPath: string;
  proxyBody: unknown;
}

let openaiFake: FakeOpenAi;
let anthropicFake: FakeServer;
let geminiFake: FakeServer;
let gateway: TestGateway;

const VENDORS: VendorCase[] = [
  {
    vendor: 'openai',
    route: 'oa',
    fake: () => openaiFake,
    keyHeader: 'authorization',
    keyValue: `Bearer ${VENDOR_KEY}`,
    proxyPath: 'chat/completions',
    proxyBody: { model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'Hi' }] },
  },
  {
    vendor: 'anthropic',
    route: 'claude',
    fake: () => anthropicFake,
    keyHeader: 'x-api-key',
    keyValue: ANTHROPIC_KEY,
    proxyPath: 'v1/messages',
    proxyBody: { model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] },
  },
  {
    vendor: 'gemini',
    route: 'gem',
    fake: () => geminiFake,
    keyHeader: 'x-goog-api-key',
    keyValue: GEMINI_KEY,
    proxyPath: 'v1beta/models/gemini-2.5-flash:generateContent',
    proxyBody: { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] },
  },
];

beforeAll(async () => {
  [openaiFake, anthropicFake, geminiFake] = await Promise.all([
    startFakeOpenAi(),
    startFakeAnthropic(),
    startFakeGemini(),
  ]);
  gateway = await startTestGateway({
    routes: [
      { id: 'oa', vendor: 'openai', baseUrl: openaiFake.url, apiKey: VENDOR_KEY },
      { id: 'claude', vendor: 'anthropic', baseUrl: anthropicFake.origin, apiKey: ANTHROPIC_KEY },
      { id: 'gem', vendor: 'gemini', baseUrl: geminiFake.origin, apiKey: GEMINI_KEY },
    ],
    apps: [{ name: 'app', key: APP_KEY }],
  });
});

afterAll(async () => {
  await gateway.stop();
  await Promise.all([openaiFake.close(), anthropicFake.close(), geminiFake.close()]);
});

/** Sends one request and returns what the route's upstream received for it. */
async function upstreamSaw(
  vendor: VendorCase,
  path: string,
  body: unknown,
  credential: (typeof CREDENTIALS)[number],
): Promise<SeenRequest> {
  const fake = vendor.fake();
  const before = fake.seen.length;
  const url = `${gateway.url}${path}${credential.query === '' ? '' : `?${credential.query}`}`;
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...credential.headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  expect(response.status, text).toBe(200);
  expect(fake.seen.length).toBe(before + 1);
  return fake.seen.at(-1)!;
}

/** The route's key where its vendor reads it, and the app key in no header, query string or body. */
function expectOnlyRouteKey(seen: SeenRequest, vendor: VendorCase): void {
  expect(seen.headers[vendor.keyHeader]).toBe(vendor.keyValue);
  for (const [name, value] of Object.entries(seen.headers)) {
    expect(String(value), `header ${name}`).not.toContain(APP_KEY);
  }
  expect(seen.url).not.toContain(APP_KEY);
  expect(seen.url).not.toMatch(/[?&]key=/);
  expect(JSON.stringify(seen.body)).not.toContain(APP_KEY);
  // Nothing the caller sent survives in a credential header the vendor would read.
  for (const name of ['authorization', 'x-api-key', 'x-goog-api-key']) {
    if (name !== vendor.keyHeader) expect(seen.headers[name], name).toBeUndefined();
  }
}

describe.each(VENDORS)("/proxy on a $vendor route: the caller's credential is replaced", (vendor) => {
  it.each(CREDENTIALS)('app key as $form', async (credential) => {
    const seen = await upstreamSaw(
      vendor,
      `/proxy/${vendor.route}/${vendor.proxyPath}`,
      vendor.proxyBody,
      credential,
    );
    expectOnlyRouteKey(seen, vendor);
  });
});

describe.each(VENDORS)("/openai on a $vendor route: the caller's credential is replaced", (vendor) => {
  it.each(CREDENTIALS)('app key as $form', async (credential) => {
    const seen = await upstreamSaw(
      vendor,
      `/openai/${vendor.route}/v1/chat/completions`,
      {
        model: { openai: 'gpt-4.1-nano', anthropic: 'claude-sonnet-4-5', gemini: 'gemini-2.5-flash' }[
          vendor.vendor
        ],
        messages: [{ role: 'user', content: 'Hi' }],
      },
      credential,
    );
    expectOnlyRouteKey(seen, vendor);
  });
});

describe.each(VENDORS)("/proxy on a $vendor route: the caller's cookies stay behind", (vendor) => {
  it("a browser client's cookie (the dashboard session among them) is not passed on", async () => {
    const seen = await upstreamSaw(vendor, `/proxy/${vendor.route}/${vendor.proxyPath}`, vendor.proxyBody, {
      form: 'Bearer with a cookie',
      headers: { authorization: `Bearer ${APP_KEY}`, cookie: 'switchboard_session=s3ss10n-cookie-value' },
      query: '',
    });
    expectOnlyRouteKey(seen, vendor);
    expect(seen.headers['cookie']).toBeUndefined();
  });
});
