import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileKeyBox } from '../../../gateway/secrets/file-key-box.ts';
import type { SecretBox } from '../../../gateway/secrets/types.ts';
import { openStore, type Store } from '../../../gateway/store/index.ts';
import {
  RESPONSE_MAX_BYTES,
  RESPONSE_RETENTION_MS,
  type StoredResponse,
} from '../../../gateway/store/responses.ts';

let dir: string;
let store: Store;
let box: SecretBox;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-responses-'));
  store = openStore(dir);
  box = fileKeyBox(dir);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const CREATED = Date.parse('2026-11-02T09:00:00Z');
const SECRET_PROMPT = 'the launch code is tangerine-42';

function response(id: string, fields: Partial<StoredResponse> = {}): StoredResponse {
  return {
    id,
    app: 'codex',
    route: 'claude',
    createdAt: CREATED,
    input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: SECRET_PROMPT }] }],
    output: [
      {
        id: 'msg_1',
        type: 'message',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: 'Noted.', annotations: [] }],
      },
    ],
    instructions: 'Be brief.',
    model: 'claude-sonnet-4-5',
    status: 'completed',
    usage: { input_tokens: 12, output_tokens: 3, total_tokens: 15 },
    ...fields,
  };
}

describe('stored responses', () => {
  it('gives back what was saved, to the app that saved it', () => {
    const responses = store.responses.sealedWith(box);
    expect(responses.save(response('resp_a'))).toBe(true);
    expect(responses.get('resp_a', 'codex', CREATED + 1)).toEqual(response('resp_a'));
  });

  it('is null for an unknown id and for another app', () => {
    const responses = store.responses.sealedWith(box);
    responses.save(response('resp_a'));
    expect(responses.get('resp_b', 'codex', CREATED)).toBeNull();
    expect(responses.get('resp_a', 'other-app', CREATED)).toBeNull();
    expect(responses.delete('resp_a', 'other-app', CREATED)).toBe(false);
    expect(responses.get('resp_a', 'codex', CREATED)).not.toBeNull();
  });

  it('seals the record: no prompt, answer or instructions in the table', () => {
    store.responses.sealedWith(box).save(response('resp_a'));
    const row = store.db.prepare('SELECT * FROM responses').get() as Record<string, unknown>;
    expect(row).toMatchObject({
      id: 'resp_a',
      app: 'codex',
      route: 'claude',
      model: 'claude-sonnet-4-5',
      created_at: CREATED,
      expires_at: CREATED + RESPONSE_RETENTION_MS,
    });
    const text = JSON.stringify(row);
    for (const plain of [SECRET_PROMPT, 'Noted.', 'Be brief.', 'input_text'])
      expect(text).not.toContain(plain);
    expect(box.open(row['sealed'] as string)).toContain(SECRET_PROMPT);
    expect(row['size']).toBe(Buffer.byteLength(box.open(row['sealed'] as string)));
  });

  it('expires after the retention, 30 days unless told otherwise', () => {
    const responses = store.responses.sealedWith(box);
    responses.save(response('resp_a'));
    expect(responses.get('resp_a', 'codex', CREATED + RESPONSE_RETENTION_MS - 1)).not.toBeNull();
    expect(responses.get('resp_a', 'codex', CREATED + RESPONSE_RETENTION_MS)).toBeNull();
    expect(responses.delete('resp_a', 'codex', CREATED + RESPONSE_RETENTION_MS)).toBe(false);

    const hourly = store.responses.sealedWith(box, { retentionMs: 3_600_000 });
    hourly.save(response('resp_b'));
    expect(hourly.get('resp_b', 'codex', CREATED + 3_600_000)).toBeNull();
  });

  it('deletes once', () => {
    const responses = store.responses.sealedWith(box);
    responses.save(response('resp_a'));
    expect(responses.delete('resp_a', 'codex', CREATED)).toBe(true);
    expect(responses.get('resp_a', 'codex', CREATED)).toBeNull();
    expect(responses.delete('resp_a', 'codex', CREATED)).toBe(false);
  });

  it('prunes only the expired', () => {
    const responses = store.responses.sealedWith(box);
    responses.save(response('resp_old'));
    responses.save(response('resp_new', { createdAt: CREATED + 1000 }));
    expect(store.responses.prune(CREATED + RESPONSE_RETENTION_MS)).toBe(1);
    expect(store.db.prepare('SELECT id FROM responses').all()).toEqual([{ id: 'resp_new' }]);
    expect(store.responses.prune(CREATED + RESPONSE_RETENTION_MS)).toBe(0);
  });

  it('refuses a record over the size cap, keeping nothing', () => {
    const big = 'x'.repeat(RESPONSE_MAX_BYTES);
    const responses = store.responses.sealedWith(box);
    expect(responses.save(response('resp_big', { output: [{ type: 'message', text: big }] }))).toBe(false);
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM responses').get()).toEqual({ n: 0 });

    const small = store.responses.sealedWith(box, { maxBytes: 2000 });
    expect(small.save(response('resp_a'))).toBe(true);
    expect(small.save(response('resp_b', { instructions: 'y'.repeat(2000) }))).toBe(false);
  });

  it('treats a record it can no longer open as gone', () => {
    store.responses.sealedWith(box).save(response('resp_a'));
    const otherKey = fileKeyBox(mkdtempSync(join(dir, 'other-')));
    expect(store.responses.sealedWith(otherKey).get('resp_a', 'codex', CREATED)).toBeNull();
  });
});
