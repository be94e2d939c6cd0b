import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Catalog, RuntimeRoute } from '../../gateway/catalog.ts';
import { newDraft, Recorder, type RecordDraft } from '../../gateway/recorder.ts';
import { openStore, type Store } from '../../gateway/store/index.ts';

let dir: string;
let store: Store;
let errors: unknown[];

const route = { id: 'r', vendor: 'openai', baseUrl: 'https://api.openai.com/v1' } as RuntimeRoute;
const catalog = {
  routes: new Map([['r', route]]),
  prices: new Map([
    ['priced', { inputPerMTok: 1_000_000, outputPerMTok: 2_000_000, cachedInputPerMTok: null }],
  ]),
} as unknown as Catalog;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-recorder-'));
  store = openStore(dir);
  errors = [];
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function draft(model: string, usage: Partial<RecordDraft['usage']> = {}): RecordDraft {
  const value = newDraft('chat.completions', Date.now(), performance.now());
  value.route = 'r';
  value.model = model;
  value.status = 200;
  value.usage = { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0, reasoningTokens: 0, ...usage };
  return value;
}

const rows = () => store.requests.query({ limit: 100 });

describe('Recorder.commit (group commit)', () => {
  it('resolves only once the row is in the database, with every row of the same turn in one batch', async () => {
    const recorder = new Recorder(store, catalog, (error) => errors.push(error));
    const first = recorder.commit(draft('priced'), performance.now());
    const second = recorder.commit(draft('priced'), performance.now());
    expect(rows()).toHaveLength(0);
    await Promise.all([first, second]);
    expect(rows()).toHaveLength(2);
    expect(rows()[0]).toMatchObject({ costUsd: 3, note: null });
    expect(errors).toEqual([]);
  });

  it('settles the budget in the same transaction as the row: a row that cannot be written settles nothing', async () => {
    const settled: (number | null)[] = [];
    const recorder = new Recorder(store, catalog, (error) => errors.push(error));
    const good = draft('priced');
    good.settle = (_usage, cost) => {
      store.settings.set('settled-good', cost);
      settled.push(cost);
    };
    const bad = draft('priced');
    bad.settle = () => store.settings.set('settled-bad', true);
    // The same id twice: the second insert fails on the primary key, after its settle would have run.
    const duplicate = draft('priced');
    duplicate.id = good.id;
    duplicate.settle = bad.settle;
    await Promise.all([
      recorder.commit(good, performance.now()),
      recorder.commit(duplicate, performance.now()),
    ]);
    expect(rows()).toHaveLength(1);
    expect(store.settings.get('settled-good')).toBe(3);
    // The failed batch was rolled back whole and written again row by row: the good row settled once.
    expect(settled).toEqual([3]);
    expect(store.settings.get('settled-bad')).toBeUndefined();
    expect(errors.length).toBeGreaterThan(0);
  });

  it('records impossible usage as unknown, with a note, instead of throwing (a negative count once killed the process)', async () => {
    const recorder = new Recorder(store, catalog, (error) => errors.push(error));
    const hostile = draft('gpt-4.1-mini', { inputTokens: 1, outputTokens: -1 });
    await recorder.commit(hostile, performance.now());
    const [row] = rows();
    expect(row).toMatchObject({ inputTokens: 1, outputTokens: null });
    expect(row!.note).toMatch(/output/i);
  });

  it('keeps the row when pricing throws, with the cost unknown and a note', async () => {
    const throwing = {
      routes: catalog.routes,
      prices: {
        get: () => {
          throw new Error('price table broken');
        },
      },
    } as unknown as Catalog;
    const recorder = new Recorder(store, throwing, (error) => errors.push(error));
    await recorder.commit(draft('priced'), performance.now());
    const [row] = rows();
    expect(row).toMatchObject({ costUsd: null });
    expect(row!.note).toContain('price table broken');
  });
});
