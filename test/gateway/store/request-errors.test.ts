import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Catalog, RuntimeRoute } from '../../../gateway/catalog.ts';
import { capBytes, MAX_ERROR_MESSAGE_BYTES, newDraft, Recorder } from '../../../gateway/recorder.ts';
import { openStore, type Store } from '../../../gateway/store/index.ts';

/** A route key that looks like no key at all: only the route's own key list can find it. */
const ROUTE_KEY = 'plain-vendor-credential-0042';

let dir: string;
let store: Store;
let errors: unknown[];

const catalog = {
  routes: new Map([['r', { id: 'r', vendor: 'openai', apiKey: ROUTE_KEY } as RuntimeRoute]]),
  prices: new Map(),
} as unknown as Catalog;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-request-errors-'));
  store = openStore(dir);
  errors = [];
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function recordFailure(errorMessage: string | null, retryAfter: string | null = null) {
  const recorder = new Recorder(store, catalog, (error) => errors.push(error));
  const draft = newDraft('chat.completions', Date.now(), performance.now());
  draft.route = 'r';
  draft.model = 'gpt-4o-mini';
  draft.status = 429;
  draft.errorCode = 'rate_limit_exceeded';
  draft.errorMessage = errorMessage;
  draft.retryAfter = retryAfter;
  await recorder.commit(draft, performance.now());
  expect(errors).toEqual([]);
  const [row] = store.requests.query({ limit: 1 });
  return row!;
}

describe('the error message and Retry-After of a request’s row', () => {
  it('are kept as the caller was told them, and read back', async () => {
    const row = await recordFailure('Rate limit reached for gpt-4o-mini.', '17');
    expect(row).toMatchObject({ errorMessage: 'Rate limit reached for gpt-4o-mini.', retryAfter: '17' });
  });

  it('never keep a secret: the route’s key and anything key-shaped are scrubbed again', async () => {
    const row = await recordFailure(
      `Incorrect API key provided: ${ROUTE_KEY}; also sk-proj-abcdef123456 and sbk_live_0123456789abcdef`,
    );
    expect(row.errorMessage).toBe('Incorrect API key provided: [redacted]; also [redacted] and [redacted]');
  });

  it('are capped at 4 KiB, never inside a character, and say they were cut', async () => {
    // Two-byte characters, so that a cut by bytes can fall inside one.
    const row = await recordFailure(`x${'é'.repeat(10_000)}`);
    const message = row.errorMessage!;
    expect(Buffer.byteLength(message)).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_BYTES);
    expect(Buffer.byteLength(message)).toBeGreaterThan(MAX_ERROR_MESSAGE_BYTES - 8);
    expect(message).toMatch(/^xé+ \[…\]$/);
    expect(message).not.toContain('\uFFFD');
  });

  it('are null when there is none', async () => {
    expect(await recordFailure(null)).toMatchObject({ errorMessage: null, retryAfter: null });
  });
});

describe('capBytes', () => {
  it('leaves text within the limit alone and cuts longer text to the limit', () => {
    expect(capBytes('short', 10)).toBe('short');
    expect(capBytes('0123456789', 10)).toBe('0123456789');
    expect(capBytes('0123456789abc', 10)).toBe('0123 […]');
    expect(Buffer.byteLength(capBytes('€'.repeat(100), 20))).toBeLessThanOrEqual(20);
  });
});
