import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../gateway/config/load.ts';
import { startGateway, type RunningGateway } from '../../../gateway/index.ts';
import { DATABASE_FILE } from '../../../gateway/store/database.ts';
import { openStore } from '../../../gateway/store/index.ts';

// The alert webhook's URL can carry a token (a chat's incoming webhook is one): it is a secret
// like a vendor key — sealed at rest, never exported, `env:` in a config file.

const TOKEN = 'T0KEN-hook-secret-9a8b7c6d5e';
const HOOK = `https://hooks.example.test/services/${TOKEN}`;
const ADMIN = 'admin-token-webhook-secret-0123456';

const dirs: string[] = [];
const running: RunningGateway[] = [];

afterEach(async () => {
  for (const gateway of running.splice(0)) await gateway.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-hook-'));
  dirs.push(dir);
  return dir;
}

async function start(dir: string, config?: unknown, environment?: Record<string, string>) {
  const gateway = await startGateway({
    dataDir: dir,
    port: 0,
    adminToken: ADMIN,
    config: config === undefined ? undefined : parseConfig(config, 'test-config', environment),
    log: () => {},
  });
  running.push(gateway);
  return gateway;
}

async function stop(gateway: RunningGateway) {
  running.splice(running.indexOf(gateway), 1);
  await gateway.close();
}

const admin = async (gateway: RunningGateway, method: string, path: string, body?: string) => {
  const response = await fetch(`${gateway.url}/admin/api${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/yaml' },
    body,
  });
  return { status: response.status, text: await response.text() };
};

const hookOf = async (gateway: RunningGateway) =>
  (JSON.parse((await admin(gateway, 'GET', '/settings')).text) as { alertWebhook: { url: string } | null })
    .alertWebhook;

/** Every file of the data dir, as text, for a plaintext search. */
function everyFile(dir: string): string {
  return readdirSync(dir)
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => readFileSync(path, 'latin1'))
    .join('\n');
}

describe('the alert webhook URL, a secret', () => {
  it('is sealed at rest, said to be held in an export, and kept by importing that export', async () => {
    const dir = dataDir();
    const gateway = await start(dir);
    const put = await fetch(`${gateway.url}/admin/api/settings`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ alertWebhook: { url: HOOK } }),
    });
    expect(put.status).toBe(200);
    // The admin sees it, to edit it.
    expect(await hookOf(gateway)).toEqual({ url: HOOK });

    const exported = (await admin(gateway, 'GET', '/config')).text;
    expect(exported).not.toContain(TOKEN);
    expect(exported).toMatch(/alertWebhook:\s+url: stored/);
    const imported = await admin(gateway, 'POST', '/config', exported);
    expect(imported.status).toBe(200);
    expect(await hookOf(gateway)).toEqual({ url: HOOK });

    await stop(gateway);
    expect(everyFile(dir)).not.toContain(TOKEN);
    // A restart on the same data dir opens it again.
    const again = await start(dir);
    expect(await hookOf(again)).toEqual({ url: HOOK });
  });

  it('is read from the environment in a config file, and `stored` keeps the one held', async () => {
    const dir = dataDir();
    const first = await start(dir, { server: { alertWebhook: { url: 'env:HOOK_URL' } } }, { HOOK_URL: HOOK });
    expect(await hookOf(first)).toEqual({ url: HOOK });
    await stop(first);
    const second = await start(dir, { server: { alertWebhook: { url: 'stored' } } }, {});
    expect(await hookOf(second)).toEqual({ url: HOOK });
    expect(everyFile(dir)).not.toContain(TOKEN);
  });

  it('refuses env: through the admin API, and an environment value that is no URL', async () => {
    expect(() => parseConfig({ server: { alertWebhook: { url: 'env:HOOK_URL' } } }, 'import')).toThrow(
      /server\.alertWebhook\.url: "env:" references are read only from the config file/,
    );
    expect(() =>
      parseConfig({ server: { alertWebhook: { url: 'env:HOOK_URL' } } }, 'file', { HOOK_URL: 'not a url' }),
    ).toThrow(/server\.alertWebhook\.url: the environment variable does not hold an http/);
    expect(() => parseConfig({ server: { alertWebhook: { url: 'ftp://x' } } }, 'file', {})).toThrow(
      /must be an http:\/\/ or https:\/\/ URL, env:NAME, or stored/,
    );
  });

  it('saved as text by an earlier version, still works and is sealed at the next start', async () => {
    const dir = dataDir();
    const store = openStore(dir);
    store.settings.set('server', {
      maxBodyMb: 32,
      allowedHosts: [],
      corsOrigins: [],
      alertWebhook: { url: HOOK },
    });
    store.close();
    const gateway = await start(dir);
    expect(await hookOf(gateway)).toEqual({ url: HOOK });
    const db = new Database(join(dir, DATABASE_FILE), { readonly: true });
    try {
      const row = db.prepare("SELECT value FROM settings WHERE key = 'server'").get() as { value: string };
      expect(row.value).not.toContain(TOKEN);
      expect(row.value).toContain('sealedUrl');
    } finally {
      db.close();
    }
  });
});
