// @vitest-environment node
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../gateway/config/load.ts';
import {
  startGateway,
  StartupError,
  type GatewayOptions,
  type RouteHealthEvent,
  type RunningGateway,
} from '../../gateway/index.ts';
import { fileKeyBox } from '../../gateway/secrets/file-key-box.ts';
import { runDesktopApp, type DesktopApp, type DesktopDeps } from '../../main/app-lifecycle.ts';
import { routeCoolingContent } from '../../main/notifications.ts';
import { drawTrayPixels, trayIconPngs, type TrayIconState } from '../../main/tray-icons.ts';
import {
  coolingLine,
  formatClock,
  trayIconState,
  trayMenuTemplate,
  trayTooltip,
  type TrayActions,
  type TrayState,
} from '../../main/tray-menu.ts';
import { sendJson, startFakeServer, type FakeServer } from '../support/fake-server.ts';
import {
  createFakeElectron,
  FakeBrowserWindow,
  FakeNotification,
  FakeTray,
  type FakeElectron,
  type FakeImage,
} from './fake-electron.ts';

const failure = { time: Date.now(), status: 529, code: 'overloaded_error', message: 'Overloaded' };

function coolingEvent(route: string, untilMs: number): RouteHealthEvent {
  return { route, state: 'cooling', until: untilMs, lastError: failure };
}

describe('the warning icon', () => {
  const at = (state: TrayIconState, x: number, y: number) => {
    const offset = (y * 32 + x) * 4;
    return [...drawTrayPixels(state, 32).subarray(offset, offset + 4)];
  };

  it('is an amber triangle with a dark "!", unlike the other three in shape', () => {
    // A triangle: the top corners are empty, the bottom ones filled (a disc leaves both empty).
    expect(at('warning', 3, 3)[3]).toBe(0);
    expect(at('warning', 28, 3)[3]).toBe(0);
    expect(at('warning', 4, 28)).toEqual([245, 158, 11, 255]);
    expect(at('warning', 27, 28)).toEqual([245, 158, 11, 255]);
    for (const other of ['running', 'paused', 'error'] as const) expect(at(other, 4, 28)[3]).toBe(0);
    // The mark: bar and dot in the middle columns, amber between them.
    expect(at('warning', 16, 14)).toEqual([28, 25, 23, 255]);
    expect(at('warning', 15, 26)).toEqual([28, 25, 23, 255]);
    expect(at('warning', 16, 23)).toEqual([245, 158, 11, 255]);
    const distinct = new Set(
      (['running', 'warning', 'paused', 'error'] as const).map((state) =>
        drawTrayPixels(state, 16).toString('hex'),
      ),
    );
    expect(distinct.size).toBe(4);
  });

  it('comes at 16 and 32 px like the others', () => {
    expect(trayIconPngs('warning').map((image) => image.scaleFactor)).toEqual([1, 2]);
  });
});

describe('the tray while a route cools down', () => {
  const until = Date.UTC(2025, 5, 9, 14, 32, 5);
  const running: TrayState = {
    gateway: { kind: 'running', url: 'http://127.0.0.1:4141', host: '127.0.0.1', port: 4141 },
    todayUsd: 1.234,
    apps: [],
    openAtLogin: false,
    cooling: [{ route: 'claude', until, lastError: failure }],
  };
  const actions: TrayActions = {
    openWindow: () => undefined,
    copyBaseUrl: () => undefined,
    copyNewKey: () => undefined,
    pause: () => undefined,
    resume: () => undefined,
    setOpenAtLogin: () => undefined,
    quit: () => undefined,
  };

  it('warns only while the gateway runs: paused and error win', () => {
    const cooling = running.cooling!;
    expect(trayIconState(running.gateway, cooling)).toBe('warning');
    expect(trayIconState(running.gateway, [])).toBe('running');
    expect(trayIconState({ kind: 'paused', port: 4141 }, cooling)).toBe('paused');
    expect(trayIconState({ kind: 'error', message: 'x' }, cooling)).toBe('error');
  });

  it('names the route and until when, in the tooltip and under the status line', () => {
    const line = `Route "claude" cooling down until ${formatClock(until)}`;
    expect(coolingLine(running.cooling![0]!)).toBe(line);
    expect(trayTooltip(running)).toBe(`Switchboard — Running on 127.0.0.1:4141 · $1.23 today\n${line}`);
    const items = trayMenuTemplate(running, actions);
    expect(items.slice(0, 3)).toEqual([
      { id: 'status', label: 'Running on 127.0.0.1:4141 · $1.23 today', enabled: false },
      { id: 'cooling:claude', label: line, enabled: false },
      { type: 'separator' },
    ]);
  });

  it('says nothing of cooling routes once the gateway is paused', () => {
    const paused: TrayState = { ...running, gateway: { kind: 'paused', port: 4141 } };
    expect(trayTooltip(paused)).toBe('Switchboard — Paused · port 4141 closed');
    expect(trayMenuTemplate(paused, actions).some((item) => item.id?.startsWith('cooling:'))).toBe(false);
  });

  it('notifies with the route, until when, and the error', () => {
    expect(routeCoolingContent(coolingEvent('claude', until))).toEqual({
      title: 'Route "claude" is cooling down',
      body: `It failed repeatedly: requests go to its fallbacks first until ${formatClock(until)}, then it is tried again. Last error: 529 Overloaded`,
    });
    const unreachable = routeCoolingContent({
      ...coolingEvent('local', until),
      lastError: { ...failure, status: null, message: 'x'.repeat(500) },
    });
    expect(unreachable.body).toContain('Last error: xxx');
    expect(unreachable.body.length).toBeLessThan(250);
  });
});

let dir: string;
let electron: FakeElectron;
let running: DesktopApp<FakeBrowserWindow, FakeImage>[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-tray-warning-'));
  electron = createFakeElectron(join(dir, 'userData'));
});

afterEach(async () => {
  for (const desktop of running) await desktop.quit();
  running = [];
  rmSync(dir, { recursive: true, force: true });
});

function deps(
  overrides: Partial<DesktopDeps<FakeBrowserWindow, FakeImage>>,
): DesktopDeps<FakeBrowserWindow, FakeImage> {
  return {
    electron,
    startGateway,
    isPortProblem: (error) => error instanceof StartupError,
    fileKeyBox,
    argv: ['/usr/bin/electron', '/opt/switchboard-app', '--port', '0', '--hidden'],
    platform: 'linux',
    env: { XDG_CONFIG_HOME: join(dir, 'config') },
    execPath: '/usr/bin/electron',
    homeDir: dir,
    log: () => undefined,
    refreshMs: 3_600_000,
    ...overrides,
  };
}

async function launch(overrides: Partial<DesktopDeps<FakeBrowserWindow, FakeImage>>) {
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

function showsIcon(state: TrayIconState): boolean {
  return tray().image.representations[0]!.buffer.equals(trayIconPngs(state)[0]!.png);
}

const coolingNotifications = () =>
  FakeNotification.instances.filter((notification) => notification.options.title.includes('cooling down'));

describe('the desktop app with a stand-in gateway', () => {
  let onRouteHealth: GatewayOptions['onRouteHealth'];

  function standIn(options: GatewayOptions): Promise<RunningGateway> {
    onRouteHealth = options.onRouteHealth;
    // Port 9 (discard) refuses connections: the tray's admin calls fail quietly.
    return Promise.resolve({
      url: 'http://127.0.0.1:9',
      port: 9,
      host: '127.0.0.1',
      adminToken: options.adminToken ?? '',
      loginUrl: () => 'http://127.0.0.1:9/ui/login?token=x',
      newKeys: [],
      close: () => Promise.resolve(),
    });
  }

  it('turns the tray to a warning while a route cools down, and back on its healthy event', async () => {
    const desktop = await launch({ startGateway: standIn });
    expect(showsIcon('running')).toBe(true);
    const until = Date.now() + 60_000;
    onRouteHealth?.(coolingEvent('claude', until));
    expect(showsIcon('warning')).toBe(true);
    expect(tray().item('cooling:claude').label).toBe(
      `Route "claude" cooling down until ${formatClock(until)}`,
    );
    expect(tray().toolTip).toContain(`Route "claude" cooling down until ${formatClock(until)}`);
    expect(desktop.trayState.cooling).toEqual([{ route: 'claude', until, lastError: failure }]);

    const [notification, ...more] = coolingNotifications();
    expect(more).toEqual([]);
    expect(notification?.options).toEqual(routeCoolingContent(coolingEvent('claude', until)));
    expect(notification?.shown).toBe(true);
    notification?.emit('click');
    expect(FakeBrowserWindow.instances).toHaveLength(1);

    onRouteHealth?.({ route: 'claude', state: 'healthy', until: null, lastError: failure });
    expect(showsIcon('running')).toBe(true);
    expect(() => tray().item('cooling:claude')).toThrow();
    expect(tray().toolTip).not.toContain('cooling');
  });

  it('drops the warning when the cooldown ends, though no healthy event came', async () => {
    await launch({ startGateway: standIn });
    onRouteHealth?.(coolingEvent('claude', Date.now() + 200));
    expect(showsIcon('warning')).toBe(true);
    await vi.waitFor(() => expect(showsIcon('running')).toBe(true), { timeout: 2000 });
  });

  it('shows paused over the warning, and a resumed gateway starts with no route cooling', async () => {
    const desktop = await launch({ startGateway: standIn });
    onRouteHealth?.(coolingEvent('claude', Date.now() + 60_000));
    tray().click('pause');
    await vi.waitFor(() => expect(desktop.trayState.gateway.kind).toBe('paused'));
    expect(showsIcon('paused')).toBe(true);
    expect(tray().toolTip).not.toContain('cooling');
    tray().click('resume');
    await vi.waitFor(() => expect(desktop.trayState.gateway.kind).toBe('running'));
    expect(showsIcon('running')).toBe(true);
    expect(desktop.trayState.cooling).toEqual([]);
  });
});

describe('the desktop app with the real gateway', () => {
  let upstream: FakeServer;

  afterEach(async () => {
    await upstream.close();
  });

  it('warns in the tray when a route fails often enough to cool down', async () => {
    upstream = await startFakeServer((_request, response) =>
      sendJson(response, 503, { error: { message: 'Service unavailable', type: 'server_error' } }),
    );
    const appKey = 'sbk_test_0123456789abcdef0123';
    const desktop = await launch({
      startGateway: (options) =>
        startGateway({
          ...options,
          config: parseConfig(
            {
              routes: [
                {
                  id: 'flaky',
                  vendor: 'openai',
                  baseUrl: `${upstream.origin}/v1`,
                  apiKey: 'sk-test',
                  retries: 0,
                },
              ],
              apps: [{ name: 'tester', key: appKey }],
              server: { cooldown: { failures: 2, seconds: 60 } },
            },
            'test-config',
          ),
        }),
    });
    const gateway = desktop.control.gateway!;
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${appKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'flaky/gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(response.status).toBe(503);
    }
    await vi.waitFor(() => expect(showsIcon('warning')).toBe(true));
    expect(tray().item('cooling:flaky').label).toMatch(/^Route "flaky" cooling down until /);
    expect(coolingNotifications().map((notification) => notification.options.title)).toEqual([
      'Route "flaky" is cooling down',
    ]);
  });
});
