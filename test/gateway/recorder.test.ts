import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Catalog, RuntimeRoute } from '../../gateway/catalog.ts';
import { BudgetGuard } from '../../gateway/policy/budgets.ts';
import { newDraft, Recorder, type RecordDraft } from '../../gateway/recorder.ts';
import { JOURNAL_FILE, readJournal, RowJournal } from '../../gateway/row-journal.ts';
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

describe('Recorder with a row journal', () => {
  it('makes a row durable before any transaction, and writes it at the next start with its budget settled', async () => {
    const file = join(dir, JOURNAL_FILE);
    const budgets = new BudgetGuard(store);
    const rules = [{ scope: 'app' as const, name: 'a', budget: { usd: 10, period: 'day' as const } }];
    const reservation = budgets.admit('req-journaled', rules, 4, Date.now())!;
    const journal = new RowJournal(file);
    const recorder = new Recorder(store, catalog, (error) => errors.push(error), undefined, journal);
    const journaled = draft('priced');
    journaled.reservation = reservation;
    journaled.settle = (_usage, cost) => budgets.settle(reservation, cost, Date.now());
    await recorder.commit(journaled, performance.now());
    // Resolved at once, with no row yet: the process "dies" here, before its batch.
    expect(rows()).toHaveLength(0);
    journal.close();
    expect(readJournal(file)).toHaveLength(1);

    const next = new Recorder(store, catalog, (error) => errors.push(error), undefined, new RowJournal(file));
    expect(next.recover(budgets, file)).toBe(1);
    expect(rows()).toHaveLength(1);
    const [status] = budgets.status(rules, Date.now());
    expect(status).toMatchObject({ spentUsd: 3, reservedUsd: 0 });
    expect(readJournal(file)).toHaveLength(0);
    // A second recovery (a crash after the batch, before the journal was cleared) changes nothing.
    expect(next.recover(budgets, file)).toBe(0);
    expect(errors).toEqual([]);
  });

  it('skips rows already written and a torn last line', () => {
    const file = join(dir, JOURNAL_FILE);
    const journal = new RowJournal(file);
    const recorder = new Recorder(store, catalog, (error) => errors.push(error), undefined, journal);
    void recorder.commit(draft('priced'), performance.now());
    recorder.flush();
    expect(rows()).toHaveLength(1);
    void recorder.commit(draft('priced'), performance.now());
    journal.close();
    appendFileSync(file, '{"record":{"id":"torn"');
    // The first row is in the database; the second only in the journal; the third was torn.
    expect(new Recorder(store, catalog, () => undefined).recover(new BudgetGuard(store), file)).toBe(1);
    expect(rows()).toHaveLength(2);
  });
});

describe('the row journal under load', () => {
  it('writes a lone request at once, and the rows of a burst together at the end of the turn', async () => {
    const file = join(dir, JOURNAL_FILE);
    const journal = new RowJournal(file);
    const recorder = new Recorder(store, catalog, (error) => errors.push(error), undefined, journal);
    recorder.began();
    void recorder.commit(draft('priced'), performance.now());
    // Alone: on disk before commit returns.
    expect(readJournal(file)).toHaveLength(1);
    recorder.began();
    recorder.began();
    const first = recorder.commit(draft('priced'), performance.now());
    // Another request is still under way: this row waits for the turn's one write.
    expect(readJournal(file)).toHaveLength(1);
    const second = recorder.commit(draft('priced'), performance.now());
    expect(readJournal(file)).toHaveLength(3);
    await Promise.all([first, second]);
    expect(readJournal(file)).toHaveLength(3);
    recorder.flush();
    expect(readJournal(file)).toHaveLength(0);
    expect(rows()).toHaveLength(3);
    journal.close();
  });
});

describe('the row journal when the database refuses', () => {
  it('keeps the journal and tries the rows again when a batch cannot be written', async () => {
    const file = join(dir, JOURNAL_FILE);
    const journal = new RowJournal(file);
    const recorder = new Recorder(store, catalog, (error) => errors.push(error), undefined, journal);
    const insertBatch = store.requests.insertBatch;
    let refusals = 2;
    store.requests.insertBatch = (...args: Parameters<typeof insertBatch>) => {
      if (refusals-- > 0) throw new Error('database is locked');
      return insertBatch(...args);
    };
    try {
      await recorder.commit(draft('priced'), performance.now());
      recorder.flush();
      // Refused (the batch, then the row alone): nothing written, the journal still holds the row.
      expect(rows()).toHaveLength(0);
      expect(readJournal(file)).toHaveLength(1);
      recorder.flush();
      expect(rows()).toHaveLength(1);
      expect(readJournal(file)).toHaveLength(0);
    } finally {
      store.requests.insertBatch = insertBatch;
      journal.close();
    }
  });

  it('leaves in the journal, at start, the rows the database refused for a reason other than having them', () => {
    const file = join(dir, JOURNAL_FILE);
    const journal = new RowJournal(file);
    const recorder = new Recorder(store, catalog, () => undefined, undefined, journal);
    void recorder.commit(draft('priced'), performance.now());
    journal.close();
    const insertBatch = store.requests.insertBatch;
    store.requests.insertBatch = () => {
      throw new Error('disk I/O error');
    };
    const next = new Recorder(store, catalog, (error) => errors.push(error), undefined, new RowJournal(file));
    try {
      expect(next.recover(new BudgetGuard(store), file)).toBe(0);
    } finally {
      store.requests.insertBatch = insertBatch;
    }
    expect(readJournal(file)).toHaveLength(1);
    expect(errors).toHaveLength(1);
    expect(next.recover(new BudgetGuard(store), file)).toBe(1);
    expect(readJournal(file)).toHaveLength(0);
  });
});
