// @vitest-environment node
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CHANNELS } from '../../main/channels.ts';
import { handleDesktopConfig, isTrustedSender } from '../../main/ipc.ts';
import { FakeIpcMain } from './fake-electron.ts';

const electron = vi.hoisted(() => ({
  contextBridge: { exposeInMainWorld: vi.fn() },
  ipcRenderer: { sendSync: vi.fn() },
}));
vi.mock('electron', () => electron);

const CONFIG = { baseUrl: 'http://127.0.0.1:4141', adminToken: 'admin-token-0123456789abcdef0123456789' };

async function loadPreload() {
  vi.resetModules();
  return import('../../main/preload.ts');
}

describe('the preload', () => {
  beforeEach(() => {
    electron.contextBridge.exposeInMainWorld.mockReset();
    electron.ipcRenderer.sendSync.mockReset();
  });

  it('exposes only window.switchboard = { baseUrl, adminToken }, asked for once', async () => {
    electron.ipcRenderer.sendSync.mockReturnValue({ ...CONFIG, secrets: 'x', dataDir: '/home/me' });
    await loadPreload();
    expect(electron.ipcRenderer.sendSync).toHaveBeenCalledTimes(1);
    expect(electron.ipcRenderer.sendSync).toHaveBeenCalledWith(CHANNELS.desktopConfig);
    expect(electron.contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1);
    const [name, value] = electron.contextBridge.exposeInMainWorld.mock.calls[0]!;
    expect(name).toBe('switchboard');
    expect(value).toEqual(CONFIG);
    expect(Object.keys(value as object).sort()).toEqual(['adminToken', 'baseUrl']);
  });

  it('exposes nothing when the main process refuses', async () => {
    electron.ipcRenderer.sendSync.mockReturnValue(null);
    const { exposeDesktopConfig } = await loadPreload();
    expect(electron.contextBridge.exposeInMainWorld).not.toHaveBeenCalled();
    electron.ipcRenderer.sendSync.mockReturnValue({ baseUrl: 1, adminToken: 'x' });
    expect(exposeDesktopConfig(electron.contextBridge, electron.ipcRenderer)).toBe(false);
    expect(electron.contextBridge.exposeInMainWorld).not.toHaveBeenCalled();
  });

  it('uses no other Electron or Node API (a sandboxed preload has none)', async () => {
    const source = await import('node:fs').then((fs) =>
      fs.readFileSync(new URL('../../main/preload.ts', import.meta.url), 'utf8'),
    );
    const imports = [...source.matchAll(/from '([^']+)'/g)].map((match) => match[1]);
    expect(new Set(imports)).toEqual(new Set(['electron', './channels.ts']));
  });
});

describe('the main side of the channel', () => {
  const ours = { id: 1 };
  const target = { webContents: ours, origin: 'http://127.0.0.1:4141', config: CONFIG };
  const top = (url: string) => ({ url, parent: null });

  it('answers our window’s top frame on the gateway’s origin', () => {
    const ipcMain = new FakeIpcMain();
    handleDesktopConfig(ipcMain, () => target);
    expect(ipcMain.sendSync(CHANNELS.desktopConfig, ours, top('http://127.0.0.1:4141/ui/'))).toEqual(CONFIG);
  });

  it.each([
    ['another window', { id: 2 }, top('http://127.0.0.1:4141/ui/')],
    ['an iframe', ours, { url: 'http://127.0.0.1:4141/ui/', parent: {} }],
    ['another origin', ours, top('https://evil.example/ui/')],
    ['the same host on another port', ours, top('http://127.0.0.1:4142/ui/')],
    ['localhost instead of 127.0.0.1', ours, top('http://localhost:4141/ui/')],
    ['a data: page', ours, top('data:text/html,hi')],
    ['a destroyed frame', ours, null],
  ])('refuses %s with null', (_what, sender, frame) => {
    const ipcMain = new FakeIpcMain();
    handleDesktopConfig(ipcMain, () => target);
    expect(ipcMain.sendSync(CHANNELS.desktopConfig, sender, frame)).toBeNull();
    expect(isTrustedSender({ sender, senderFrame: frame }, target)).toBe(false);
  });

  it('answers null when there is no window or gateway, and stops answering when removed', () => {
    const ipcMain = new FakeIpcMain();
    const remove = handleDesktopConfig(ipcMain, () => null);
    expect(ipcMain.sendSync(CHANNELS.desktopConfig, ours, top('http://127.0.0.1:4141/ui/'))).toBeNull();
    remove();
    expect(ipcMain.listenerCount(CHANNELS.desktopConfig)).toBe(0);
  });

  it('hands out a copy, so that nothing the caller does changes the config', () => {
    const ipcMain = new FakeIpcMain();
    handleDesktopConfig(ipcMain, () => target);
    const answer = ipcMain.sendSync(CHANNELS.desktopConfig, ours, top('http://127.0.0.1:4141/ui/'));
    expect(answer).not.toBe(CONFIG);
  });

  it('lists every channel in one place', () => {
    expect(Object.values(CHANNELS)).toEqual(['switchboard:desktop-config']);
  });
});
