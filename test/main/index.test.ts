// @vitest-environment node
// main/index.ts as Electron would run it, against a mocked `electron` and the real gateway.
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { CHANNELS } from '../../main/channels.ts';
import { FakeBrowserWindow, FakeTray, type FakeElectron } from './fake-electron.ts';

const mocked = vi.hoisted(() => ({ electron: undefined as FakeElectron | undefined, dir: '' }));

vi.mock('electron', async () => {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { createFakeElectron } = await import('./fake-electron.ts');
  mocked.dir = mkdtempSync(join(tmpdir(), 'switchboard-main-'));
  mocked.electron = createFakeElectron(join(mocked.dir, 'userData'), { appPath: '/opt/switchboard-app' });
  return mocked.electron;
});

const argv = process.argv;
const signalListeners = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };

afterAll(() => {
  process.argv = argv;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    for (const listener of process.listeners(signal))
      if (!signalListeners[signal].includes(listener)) process.off(signal, listener);
  }
  rmSync(mocked.dir, { recursive: true, force: true });
});

describe('main/index.ts', () => {
  it('wires Electron and the gateway together: tray, window, IPC, quit', async () => {
    // Any free port: this machine may be running a Switchboard on 4141.
    process.argv = [...argv, '--port', '0'];
    await import('../../main/index.ts');
    const electron = mocked.electron!;
    await vi.waitFor(
      () => expect(FakeTray.instances[0]?.item('status').label).toMatch(/^Running on 127\.0\.0\.1:\d+/),
      {
        timeout: 10_000,
      },
    );
    const tray = FakeTray.instances[0]!;
    const window = FakeBrowserWindow.instances[0]!;
    expect(window.options.webPreferences?.preload).toBe('/opt/switchboard-app/dist/main/preload.cjs');
    const dashboard = window.loaded[0]!;
    expect(dashboard).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/ui\/$/);
    const base = dashboard.slice(0, -'/ui/'.length);

    const config = electron.ipcMain.sendSync(CHANNELS.desktopConfig, window.webContents, {
      url: dashboard,
      parent: null,
    });
    expect(config).toEqual({ baseUrl: base, adminToken: expect.any(String) });
    const status = await fetch(`${base}/admin/api/status`, {
      headers: { authorization: `Bearer ${(config as { adminToken: string }).adminToken}` },
    });
    expect(await status.json()).toMatchObject({ status: 'ok', secrets: 'safe-storage' });

    tray.click('copy-base-url');
    expect(electron.clipboard.writeText).toHaveBeenCalledWith(`${base}/v1`);

    tray.click('quit');
    await vi.waitFor(() => expect(electron.app.exited).toBe(true));
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
    expect(electron.app.exit).not.toHaveBeenCalled();
  });
});
