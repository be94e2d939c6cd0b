import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Catalog } from '../../../gateway/catalog.ts';
import { applyConfig } from '../../../gateway/config/apply.ts';
import { parseConfig } from '../../../gateway/config/load.ts';
import { responsesSupport, speaksResponses } from '../../../gateway/config/responses-setting.ts';
import { fileKeyBox } from '../../../gateway/secrets/file-key-box.ts';
import type { SecretBox } from '../../../gateway/secrets/types.ts';
import { openDatabase } from '../../../gateway/store/database.ts';
import { createStore, type Store } from '../../../gateway/store/index.ts';

describe('whether a route speaks the Responses API', () => {
  it.each([
    ['openai', 'always'],
    ['openai-compatible', 'per-route'],
    ['ollama', 'per-route'],
    ['anthropic', 'never'],
    ['gemini', 'never'],
  ] as const)('vendor %s: %s', (vendor, support) => {
    expect(responsesSupport(vendor)).toBe(support);
  });

  it('follows the route’s setting only where its vendor has one', () => {
    expect(speaksResponses({ vendor: 'openai', speaksResponses: false })).toBe(true);
    expect(speaksResponses({ vendor: 'openai-compatible', speaksResponses: true })).toBe(true);
    expect(speaksResponses({ vendor: 'openai-compatible', speaksResponses: false })).toBe(false);
    expect(speaksResponses({ vendor: 'ollama', speaksResponses: true })).toBe(true);
    expect(speaksResponses({ vendor: 'anthropic', speaksResponses: true })).toBe(false);
  });
});

describe('the runtime route', () => {
  let dir: string;
  let store: Store;
  let secrets: SecretBox;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-responses-setting-'));
    store = createStore(openDatabase(dir));
    secrets = fileKeyBox(dir);
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('carries speaksResponses: always on OpenAI, as set on a compatible server, never elsewhere', () => {
    const config = parseConfig(
      {
        routes: [
          { id: 'oa', vendor: 'openai' },
          { id: 'vllm', vendor: 'openai-compatible', baseUrl: 'http://127.0.0.1:8000/v1', responses: true },
          { id: 'local', vendor: 'ollama' },
          { id: 'claude', vendor: 'anthropic' },
        ],
      },
      'test.yaml',
      {},
    );
    applyConfig(store, secrets, config, 1000);
    const catalog = new Catalog(store, secrets);
    expect(catalog.orderedRoutes.map((route) => [route.id, route.speaksResponses])).toEqual([
      ['oa', true],
      ['vllm', true],
      ['local', false],
      ['claude', false],
    ]);
  });
});
