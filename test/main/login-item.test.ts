// @vitest-environment node
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseDesktopArgs } from '../../main/args.ts';
import { loginItem } from '../../main/login-item.ts';
import { FakeApp } from './fake-electron.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-login-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('start at login', () => {
  it('Linux: an XDG autostart entry, quoted, that starts hidden', () => {
    const item = loginItem(new FakeApp(dir), {
      platform: 'linux',
      command: ['/home/me/Apps/Switchboard 0.1.AppImage'],
      configHome: dir,
    });
    expect(item.isEnabled()).toBe(false);
    item.setEnabled(true);
    const entry = readFileSync(join(dir, 'autostart', 'switchboard.desktop'), 'utf8');
    expect(entry).toContain('[Desktop Entry]\nType=Application\nName=Switchboard\n');
    expect(entry).toContain('Exec="/home/me/Apps/Switchboard 0.1.AppImage" --hidden\n');
    expect(item.isEnabled()).toBe(true);
    expect(item.launchedAtLogin(['/x', '--hidden'])).toBe(true);
    expect(item.launchedAtLogin(['/x'])).toBe(false);
    item.setEnabled(false);
    expect(existsSync(join(dir, 'autostart', 'switchboard.desktop'))).toBe(false);
    expect(item.isEnabled()).toBe(false);
  });

  it('Windows: a login item with --hidden, read back with the same arguments', () => {
    const app = new FakeApp(dir);
    const item = loginItem(app, { platform: 'win32', command: ['C:\\Switchboard.exe'], configHome: dir });
    item.setEnabled(true);
    expect(app.setLoginItemSettings).toHaveBeenCalledWith({ openAtLogin: true, args: ['--hidden'] });
    expect(item.isEnabled()).toBe(true);
    expect(app.getLoginItemSettings).toHaveBeenCalledWith({ args: ['--hidden'] });
  });

  it('macOS: a login item; a start from it is known by wasOpenedAtLogin', () => {
    const app = new FakeApp(dir);
    const item = loginItem(app, {
      platform: 'darwin',
      command: ['/Applications/Switchboard.app'],
      configHome: dir,
    });
    item.setEnabled(true);
    expect(app.setLoginItemSettings).toHaveBeenCalledWith({ openAtLogin: true });
    expect(item.launchedAtLogin([])).toBe(false);
    app.wasOpenedAtLogin = true;
    expect(item.launchedAtLogin([])).toBe(true);
  });
});

describe('desktop flags', () => {
  it('reads --port, --data-dir and --hidden among Chromium switches and the app folder', () => {
    expect(
      parseDesktopArgs([
        '/opt/app',
        '--enable-logging',
        '--port',
        '0',
        '--data-dir=/tmp/x',
        '--hidden',
        '-psn_0_1234',
      ]),
    ).toEqual({ dataDir: '/tmp/x', port: 0, hidden: true });
  });

  it('defaults to port 4141 and the userData folder', () => {
    expect(parseDesktopArgs([])).toEqual({ dataDir: undefined, port: 4141, hidden: false });
    expect(parseDesktopArgs(['--port', 'nope']).port).toBe(4141);
    expect(parseDesktopArgs(['--port', '70000']).port).toBe(4141);
  });
});
