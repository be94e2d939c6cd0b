// @vitest-environment node
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startGateway, StartupError, type GatewayOptions, type RunningGateway } from '../../gateway/index.ts';
import { fileKeyBox } from '../../gateway/secrets/file-key-box.ts';
import { runDesktopApp, type DesktopApp, type DesktopDeps } from '../../main/app-lifecycle.ts';
import { ADMIN_TOKEN_FILE } from '../../main/admin-token.ts';
import { CHANNELS } from '../../main/channels.ts';
import { trayIconPngs, type TrayIconState } from '../../main/tray-icons.ts';
import {
  createFakeElectron,
  FakeBrowserWindow,
  FakeNotification,
  FakeTray,
  type FakeElectron,
  type FakeImage,
} from './fake-electron.ts';

let dir: string;
let electron: FakeElectron;
let running: DesktopApp<FakeBrowserWindow, FakeImage>[] = [];
let logged: string[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-desktop-'));
  electron = createFakeElectron(join(dir, 'userData'));
  logged = [];
});

afterEach(async () => {
  for (const desktop of running) await desktop.quit();
  running = [];
  rmSync(dir, { recursive: true, force: true });
});

function deps(
  overrides: Partial<DesktopDeps<FakeBrowserWindow, FakeImage>> = {},
): DesktopDeps<FakeBrowserWindow, FakeImage> {
  return {
    electron,
    startGateway,
    isPortProblem: (error) => error instanceof StartupError,
    fileKeyBox,
    // Development: the executable, then the app folder, then our flags.
    argv: ['/usr/bin/electron', '/opt/switchboard-app', '--port', '0'],
    platform: 'linux',
    env: { XDG_CONFIG_HOME: join(dir, 'config') },
    execPath: '/usr/bin/electron',
    homeDir: dir,
    log: (_level, message) => logged.push(message),
    refreshMs: 3_600_000,
    ...overrides,
  };
}

async function launch(overrides: Partial<DesktopDeps<FakeBrowserWindow, FakeImage>> = {}) {
  const desktop = await runDesktopApp(deps(overrides));
  if (desktop === null) throw new Error('the app did not start');
  running.push(desktop);
  return desktop;
}

function tray(): FakeTray {
  const [first] = FakeTray.instances;
  if (!first) throw new Error('no tray');
  return first;
}

function url(desktop: DesktopApp<FakeBrowserWindow, FakeImage>): string {
  const gateway = desktop.control.gateway;
  if (gateway === null) throw new Error('the gateway is not running');
  return gateway.url;
}

function showsIcon(state: TrayIconState): boolean {
  return tray().image.representations[0]!.buffer.equals(trayIconPngs(state)[0]!.png);
}

async function reachable(base: string): Promise<boolean> {
  try {
    return (await fetch(`${base}/healthz`)).ok;
  } catch {
    return false;
  }
}

describe('the desktop app with the real gateway', () => {
  it('starts the gateway in the data dir, shows it running in the tray and opens the dashboard', async () => {
    const desktop = await launch();
    const base = url(desktop);
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(desktop.dataDir).toBe(join(dir, 'userData'));
    expect(existsSync(join(dir, 'userData', ADMIN_TOKEN_FILE))).toBe(true);
    await desktop.refresh();
    expect(tray().item('status').label).toBe(`Running on 127.0.0.1:${new URL(base).port} · $0.00 today`);
    expect(tray().toolTip).toContain('Running on 127.0.0.1');
    expect(showsIcon('running')).toBe(true);

    const [window] = FakeBrowserWindow.instances;
    expect(window?.loaded).toEqual([`${base}/ui/`]);
    expect(window?.options.webPreferences?.preload).toBe('/opt/switchboard-app/dist/main/preload.cjs');

    const status = await fetch(`${base}/admin/api/status`, {
      headers: { authorization: `Bearer ${desktop.adminToken}` },
    });
    expect(((await status.json()) as { secrets: string }).secrets).toBe('safe-storage');
  });

  it('Copy base URL puts <url>/v1 on the clipboard', async () => {
    const desktop = await launch();
    tray().click('copy-base-url');
    expect(electron.clipboard.writeText).toHaveBeenCalledWith(`${url(desktop)}/v1`);
  });

  it('Copy key for ▸ makes a new key for the app, copies it, and says so', async () => {
    const desktop = await launch();
    const base = url(desktop);
    const admin = { authorization: `Bearer ${desktop.adminToken}`, 'content-type': 'application/json' };
    expect(tray().item('copy-key').submenu).toEqual([
      { label: 'No apps yet: create one in Switchboard', enabled: false },
    ]);
    const created = await fetch(`${base}/admin/api/apps`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ name: 'my-ide' }),
    });
    expect(created.status).toBe(201);
    await desktop.refresh();
    expect(tray().item('copy-key:my-ide').label).toBe('New key for my-ide');

    tray().click('copy-key:my-ide');
    await vi.waitFor(() => expect(electron.clipboard.writeText).toHaveBeenCalled());
    const key = electron.clipboard.writeText.mock.calls[0]![0] as string;
    expect(key).toMatch(/^sbk_/);
    const models = await fetch(`${base}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
    expect(models.status).toBe(200);
    const apps = (await (await fetch(`${base}/admin/api/apps`, { headers: admin })).json()) as {
      data: Array<{ keys: unknown[] }>;
    };
    expect(apps.data[0]?.keys).toHaveLength(2);
    expect(FakeNotification.instances.at(-1)?.options.title).toBe('New key for "my-ide" copied');
  });

  it('Pause closes the listener and Resume opens it again on the same port', async () => {
    const desktop = await launch();
    const base = url(desktop);
    const [window] = FakeBrowserWindow.instances;
    tray().click('pause');
    await vi.waitFor(() => expect(desktop.trayState.gateway.kind).toBe('paused'));
    expect(await reachable(base)).toBe(false);
    expect(showsIcon('paused')).toBe(true);
    expect(tray().item('status').label).toBe(`Paused · port ${new URL(base).port} closed`);
    expect(() => tray().click('copy-base-url')).toThrow(/disabled/);
    expect(window?.loaded.at(-1)).toMatch(/^data:text\/html/);

    tray().click('resume');
    await vi.waitFor(() => expect(desktop.trayState.gateway.kind).toBe('running'));
    expect(url(desktop)).toBe(base);
    expect(await reachable(base)).toBe(true);
    expect(showsIcon('running')).toBe(true);
    expect(window?.loaded.at(-1)).toBe(`${base}/ui/`);
  });

  it('Quit closes the gateway first, then quits', async () => {
    const order: string[] = [];
    const desktop = await launch({
      startGateway: async (options) => {
        const gateway = await startGateway(options);
        return {
          ...gateway,
          close: async () => {
            await gateway.close();
            order.push('gateway closed');
          },
        };
      },
    });
    const base = url(desktop);
    electron.app.on('before-quit', () => order.push('before-quit'));
    tray().click('quit');
    await vi.waitFor(() => expect(electron.app.exited).toBe(true));
    // Electron's quit (and its before-quit) comes only once the gateway has closed.
    expect(order).toEqual(['gateway closed', 'before-quit']);
    expect(electron.app.quit).toHaveBeenCalledTimes(1);
    expect(await reachable(base)).toBe(false);
    expect(tray().destroyed).toBe(true);
  });

  it('a quit from the OS (Cmd+Q, logout) also waits for the gateway', async () => {
    const desktop = await launch();
    const base = url(desktop);
    electron.app.quit();
    expect(electron.app.exited).toBe(false);
    await vi.waitFor(() => expect(electron.app.exited).toBe(true));
    expect(await reachable(base)).toBe(false);
    expect(desktop.control.gateway).toBeNull();
  });

  it('falls back to a free port when the wanted one is taken, and says so', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const desktop = await launch({
        argv: ['/usr/bin/electron', '/opt/switchboard-app', '--port', String(taken)],
      });
      const port = Number(new URL(url(desktop)).port);
      expect(port).not.toBe(taken);
      expect(tray().item('port-note').label).toBe(`Port ${taken} was in use, so ${port} is used instead`);
      expect(FakeNotification.instances.map((notification) => notification.options.title)).toContain(
        `Port ${taken} is in use`,
      );
      expect(logged.join('\n')).toContain(`Port ${taken} was in use`);
    } finally {
      blocker.close();
    }
  });

  it('keeps the admin token across restarts, sealed by the OS keychain', async () => {
    const first = await launch();
    const token = first.adminToken;
    await first.quit();
    running = [];
    const sealed = readFileSync(join(dir, 'userData', ADMIN_TOKEN_FILE), 'utf8');
    expect(sealed.startsWith('ss1:')).toBe(true);
    expect(sealed).not.toContain(token);
    electron = createFakeElectron(join(dir, 'userData'));
    const second = await launch();
    expect(second.adminToken).toBe(token);
  });

  it('tells the dashboard when the keychain is only basic_text', async () => {
    electron = createFakeElectron(join(dir, 'userData'), { backend: 'basic_text' });
    const desktop = await launch();
    const status = await fetch(`${url(desktop)}/admin/api/status`, {
      headers: { authorization: `Bearer ${desktop.adminToken}` },
    });
    expect(((await status.json()) as { secrets: string }).secrets).toBe('basic-text');
  });

  it('opens vendor keys that `switchboard serve` sealed in the same data dir', async () => {
    // A route saved headless, with its key sealed by the key file.
    const headless = await startGateway({
      dataDir: join(dir, 'userData'),
      port: 0,
      adminToken: 'a'.repeat(32),
    });
    const saved = await fetch(`${headless.url}/admin/api/routes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${'a'.repeat(32)}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        id: 'local',
        vendor: 'openai-compatible',
        baseUrl: 'http://127.0.0.1:9/v1',
        apiKey: 'sk-headless-0123456789',
      }),
    });
    expect(saved.status).toBe(201);
    await headless.close();

    const desktop = await launch();
    // Exporting the config opens every sealed key; it answers only if the v1: secret opened.
    const exported = await fetch(`${url(desktop)}/admin/api/config?format=json`, {
      headers: { authorization: `Bearer ${desktop.adminToken}` },
    });
    expect(exported.status).toBe(200);
    expect(desktop.secrets.open(fileKeyBox(join(dir, 'userData')).seal('sk-x'))).toBe('sk-x');
  });
});

describe('the window and its IPC', () => {
  it('hands the URL and token to our window only', async () => {
    const desktop = await launch();
    const base = url(desktop);
    const [window] = FakeBrowserWindow.instances;
    const ask = (sender: unknown, frame: { url: string; parent: unknown } | null) =>
      electron.ipcMain.sendSync(CHANNELS.desktopConfig, sender, frame);

    expect(ask(window!.webContents, { url: `${base}/ui/`, parent: null })).toEqual({
      baseUrl: base,
      adminToken: desktop.adminToken,
    });
    expect(ask({}, { url: `${base}/ui/`, parent: null })).toBeNull();
    expect(ask(window!.webContents, { url: `${base}/ui/`, parent: {} })).toBeNull();
    expect(ask(window!.webContents, { url: 'https://evil.example/ui/', parent: null })).toBeNull();
    expect(ask(window!.webContents, null)).toBeNull();

    await desktop.control.pause();
    expect(ask(window!.webContents, { url: `${base}/ui/`, parent: null })).toBeNull();
  });

  it('a second launch brings the window back; a closed window is made again', async () => {
    await launch();
    const [window] = FakeBrowserWindow.instances;
    window!.minimized = true;
    electron.app.emit('second-instance');
    expect(window!.minimized).toBe(false);
    expect(window!.focusCount).toBe(1);

    window!.close();
    electron.app.emit('second-instance');
    expect(FakeBrowserWindow.instances).toHaveLength(2);
    tray().click('open');
    expect(FakeBrowserWindow.instances).toHaveLength(2);
    expect(FakeBrowserWindow.instances[1]!.focusCount).toBe(1);
  });

  it('does nothing but quit when another instance holds the lock', async () => {
    electron.app.hasLock = false;
    const start = vi.fn(startGateway);
    expect(await runDesktopApp(deps({ startGateway: start }))).toBeNull();
    expect(electron.app.quit).toHaveBeenCalled();
    expect(electron.app.whenReady).not.toHaveBeenCalled();
    expect(start).not.toHaveBeenCalled();
    expect(FakeTray.instances).toHaveLength(0);
  });

  it('started at login (--hidden), it stays in the tray', async () => {
    await launch({ argv: ['/usr/bin/electron', '/opt/switchboard-app', '--port', '0', '--hidden'] });
    expect(FakeTray.instances).toHaveLength(1);
    expect(FakeBrowserWindow.instances).toHaveLength(0);
  });

  it('Start at login writes an autostart entry on Linux that starts it hidden', async () => {
    await launch();
    expect(tray().item('open-at-login').checked).toBe(false);
    tray().click('open-at-login');
    const entry = readFileSync(join(dir, 'config', 'autostart', 'switchboard.desktop'), 'utf8');
    expect(entry).toContain('Exec=/usr/bin/electron /opt/switchboard-app --hidden');
    expect(tray().item('open-at-login').checked).toBe(true);
    tray().click('open-at-login');
    expect(existsSync(join(dir, 'config', 'autostart', 'switchboard.desktop'))).toBe(false);
  });

  it('Start at login uses Electron login items on macOS', async () => {
    await launch({ platform: 'darwin' });
    tray().click('open-at-login');
    expect(electron.app.setLoginItemSettings).toHaveBeenCalledWith({ openAtLogin: true });
    expect(tray().item('open-at-login').checked).toBe(true);
  });
});

describe('with a stand-in gateway', () => {
  function fakeGateway(options: GatewayOptions): RunningGateway {
    // Port 9 (discard) refuses connections: the tray's admin calls fail quietly.
    return {
      url: 'http://127.0.0.1:9',
      port: 9,
      host: '127.0.0.1',
      adminToken: options.adminToken ?? '',
      loginUrl: () => 'http://127.0.0.1:9/ui/login?token=x',
      newKeys: [],
      close: () => Promise.resolve(),
    };
  }

  it('turns budget alerts into desktop notifications that open the window', async () => {
    let onBudgetAlert: GatewayOptions['onBudgetAlert'];
    await launch({
      argv: ['/usr/bin/electron', '/opt/switchboard-app', '--hidden'],
      startGateway: (options) => {
        onBudgetAlert = options.onBudgetAlert;
        return Promise.resolve(fakeGateway(options));
      },
    });
    onBudgetAlert?.({
      scope: 'app',
      name: 'my-ide',
      periodStart: Date.UTC(2025, 0, 1),
      threshold: 80,
      spentUsd: 4.01,
      limitUsd: 5,
      createdAt: Date.now(),
    });
    const notification = FakeNotification.instances.at(-1);
    expect(notification?.options).toEqual({
      title: 'App "my-ide" passed 80% of its budget',
      body: '$4.01 of $5.00 spent.',
    });
    expect(notification?.shown).toBe(true);
    expect(FakeBrowserWindow.instances).toHaveLength(0);
    notification?.emit('click');
    expect(FakeBrowserWindow.instances).toHaveLength(1);
  });

  it('shows a failed start in the tray and can try again', async () => {
    const start = vi
      .fn<(options: GatewayOptions) => Promise<RunningGateway>>()
      .mockRejectedValueOnce(new Error('database is locked'))
      .mockImplementation((options) => Promise.resolve(fakeGateway(options)));
    const desktop = await launch({ startGateway: start });
    expect(desktop.trayState.gateway).toEqual({ kind: 'error', message: 'database is locked' });
    expect(showsIcon('error')).toBe(true);
    expect(tray().item('status').label).toBe('Stopped: database is locked');
    expect(tray().item('resume').label).toBe('Try starting again');
    expect(FakeNotification.instances[0]?.options.title).toBe('Switchboard could not start');
    // The window explains instead of showing a connection error.
    expect(FakeBrowserWindow.instances[0]?.loaded[0]).toMatch(/^data:text\/html/);
    expect(decodeURIComponent(FakeBrowserWindow.instances[0]!.loaded[0]!)).toContain('database is locked');

    tray().click('resume');
    await vi.waitFor(() => expect(desktop.trayState.gateway.kind).toBe('running'));
    expect(start).toHaveBeenCalledTimes(2);
    expect(start.mock.calls[1]![0].port).toBe(0);
    expect(FakeBrowserWindow.instances[0]?.loaded.at(-1)).toBe('http://127.0.0.1:9/ui/');
  });

  it('explains a better-sqlite3 built for Node instead of showing the ABI error', async () => {
    const desktop = await launch({
      startGateway: () =>
        Promise.reject(
          new Error(
            "The module 'better_sqlite3.node' was compiled against a different Node.js version using NODE_MODULE_VERSION 115.",
          ),
        ),
    });
    expect(desktop.trayState.gateway).toMatchObject({
      kind: 'error',
      message: expect.stringContaining('npx electron-builder install-app-deps'),
    });
  });

  it('passes the gateway what the desktop owns: data dir, loopback, token, keychain box, dashboard', async () => {
    const start = vi.fn((options: GatewayOptions) => Promise.resolve(fakeGateway(options)));
    const desktop = await launch({ startGateway: start });
    const options = start.mock.calls[0]![0];
    expect(options).toMatchObject({
      dataDir: join(dir, 'userData'),
      host: '127.0.0.1',
      port: 0,
      adminToken: desktop.adminToken,
      dashboardDir: '/opt/switchboard-app/renderer/dist',
    });
    expect(options.secrets?.kind).toBe('safe-storage');
  });
});
