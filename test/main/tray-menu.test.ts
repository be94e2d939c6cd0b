// @vitest-environment node
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import {
  formatUsd,
  statusLine,
  trayIconState,
  trayMenuTemplate,
  type TrayActions,
  type TrayState,
} from '../../main/tray-menu.ts';

const running: TrayState = {
  gateway: { kind: 'running', url: 'http://127.0.0.1:4141', host: '127.0.0.1', port: 4141 },
  todayUsd: 1.234,
  apps: ['my-ide', 'agent'],
  openAtLogin: false,
};

function actions() {
  return {
    openWindow: vi.fn<() => void>(),
    copyBaseUrl: vi.fn<() => void>(),
    copyNewKey: vi.fn<(app: string) => void>(),
    pause: vi.fn<() => void>(),
    resume: vi.fn<() => void>(),
    setOpenAtLogin: vi.fn<(enabled: boolean) => void>(),
    quit: vi.fn<() => void>(),
  } satisfies TrayActions;
}

function byId(items: MenuItemConstructorOptions[], id: string): MenuItemConstructorOptions {
  for (const item of items) {
    if (item.id === id) return item;
    if (Array.isArray(item.submenu)) {
      const found = item.submenu.find((inner: MenuItemConstructorOptions) => inner.id === id);
      if (found) return found;
    }
  }
  throw new Error(`no item ${id}`);
}

function click(item: MenuItemConstructorOptions) {
  (item.click as () => void)();
}

describe('the tray menu', () => {
  it('is short: status, open, copy URL, copy key, pause, start at login, quit', () => {
    const items = trayMenuTemplate(running, actions());
    expect(items.map((item) => (item.type === 'separator' ? '—' : item.label))).toEqual([
      'Running on 127.0.0.1:4141 · $1.23 today',
      '—',
      'Open Switchboard',
      'Copy base URL',
      'Copy key for',
      '—',
      'Pause gateway',
      'Start at login',
      '—',
      'Quit Switchboard',
    ]);
    expect(byId(items, 'status').enabled).toBe(false);
    expect(byId(items, 'quit').accelerator).toBe('CommandOrControl+Q');
  });

  it('each item calls its action', () => {
    const spies = actions();
    const items = trayMenuTemplate(running, spies);
    click(byId(items, 'open'));
    click(byId(items, 'copy-base-url'));
    click(byId(items, 'copy-key:agent'));
    click(byId(items, 'pause'));
    click(byId(items, 'open-at-login'));
    click(byId(items, 'quit'));
    expect(spies.openWindow).toHaveBeenCalledOnce();
    expect(spies.copyBaseUrl).toHaveBeenCalledOnce();
    expect(spies.copyNewKey).toHaveBeenCalledWith('agent');
    expect(spies.pause).toHaveBeenCalledOnce();
    expect(spies.setOpenAtLogin).toHaveBeenCalledWith(true);
    expect(spies.quit).toHaveBeenCalledOnce();
    expect(spies.resume).not.toHaveBeenCalled();
  });

  it('says that "Copy key for" makes a new key, one item per app', () => {
    const submenu = byId(trayMenuTemplate(running, actions()), 'copy-key')
      .submenu as MenuItemConstructorOptions[];
    expect(submenu.map((item) => item.label)).toEqual(['New key for my-ide', 'New key for agent']);
  });

  it('tells a new user there are no apps yet', () => {
    const submenu = byId(trayMenuTemplate({ ...running, apps: [] }, actions()), 'copy-key')
      .submenu as MenuItemConstructorOptions[];
    expect(submenu).toEqual([{ label: 'No apps yet: create one in Switchboard', enabled: false }]);
  });

  it('paused: Resume instead of Pause, nothing to copy', () => {
    const spies = actions();
    const items = trayMenuTemplate({ ...running, gateway: { kind: 'paused', port: 4141 } }, spies);
    expect(byId(items, 'status').label).toBe('Paused · port 4141 closed');
    expect(items.some((item) => item.id === 'pause')).toBe(false);
    expect(byId(items, 'copy-base-url').enabled).toBe(false);
    expect(byId(items, 'copy-key').enabled).toBe(false);
    click(byId(items, 'resume'));
    expect(spies.resume).toHaveBeenCalledOnce();
  });

  it('mentions a port fallback under the status line', () => {
    const items = trayMenuTemplate(
      {
        ...running,
        gateway: {
          kind: 'running',
          url: 'http://127.0.0.1:50123',
          host: '127.0.0.1',
          port: 50123,
          wantedPort: 4141,
        },
      },
      actions(),
    );
    expect(byId(items, 'port-note')).toMatchObject({
      label: 'Port 4141 was in use, so 50123 is used instead',
      enabled: false,
    });
  });

  it('shows "Start at login" as a checkbox that toggles', () => {
    const spies = actions();
    const item = byId(trayMenuTemplate({ ...running, openAtLogin: true }, spies), 'open-at-login');
    expect(item).toMatchObject({ type: 'checkbox', checked: true });
    click(item);
    expect(spies.setOpenAtLogin).toHaveBeenCalledWith(false);
  });
});

describe('the status line', () => {
  it.each<[TrayState['gateway'], number | null, string]>([
    [running.gateway, 1.234, 'Running on 127.0.0.1:4141 · $1.23 today'],
    [running.gateway, 0, 'Running on 127.0.0.1:4141 · $0.00 today'],
    [running.gateway, null, 'Running on 127.0.0.1:4141'],
    [{ kind: 'starting' }, null, 'Starting…'],
    [{ kind: 'pausing', port: 4141 }, null, 'Pausing…'],
    [{ kind: 'resuming', port: 4141 }, null, 'Resuming…'],
    [{ kind: 'error', message: 'database is locked\nmore' }, null, 'Stopped: database is locked'],
  ])('%o, $%s → %s', (gateway, todayUsd, expected) => {
    expect(statusLine({ ...running, gateway, todayUsd })).toBe(expected);
  });

  it('cuts a long error to fit a menu', () => {
    const line = statusLine({ ...running, gateway: { kind: 'error', message: 'x'.repeat(200) } });
    expect(line.length).toBeLessThanOrEqual(90);
    expect(line.endsWith('…')).toBe(true);
  });

  it('formats money with two decimals, and more below a cent', () => {
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(1234.5)).toBe('$1,234.50');
    expect(formatUsd(0.004)).toBe('$0.004');
    expect(formatUsd(0.000123)).toBe('$0.00012');
  });

  it('maps gateway states to the three icons', () => {
    expect(trayIconState(running.gateway)).toBe('running');
    expect(trayIconState({ kind: 'paused', port: 1 })).toBe('paused');
    expect(trayIconState({ kind: 'starting' })).toBe('paused');
    expect(trayIconState({ kind: 'error', message: 'x' })).toBe('error');
  });
});
