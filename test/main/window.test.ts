// @vitest-environment node
import { describe, expect, it, vi } from 'vitest';
import {
  applicationMenuTemplate,
  CONTENT_SECURITY_POLICY,
  createMainWindow,
  isDashboardUrl,
  isExternalWebUrl,
  windowOptions,
  type WindowPolicy,
} from '../../main/window.ts';
import { createFakeElectron, FakeBrowserWindow } from './fake-electron.ts';

const ORIGIN = 'http://127.0.0.1:4141';

function setUp(origin: string | null = ORIGIN) {
  const electron = createFakeElectron('/tmp/unused');
  const policy = {
    origin: () => origin,
    openExternal: vi.fn<(url: string) => void>(),
  } satisfies WindowPolicy;
  const window = createMainWindow(electron.BrowserWindow, {
    preloadPath: '/app/dist/main/preload.cjs',
    dark: false,
    policy,
  });
  return { window, policy };
}

describe('the window', () => {
  it('is hardened: isolated, sandboxed, no Node, web security, our preload', () => {
    const { window } = setUp();
    expect(window.options.webPreferences).toMatchObject({
      preload: '/app/dist/main/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('shows itself once painted, on the theme background', () => {
    const { window } = setUp();
    expect(window.options.show).toBe(false);
    expect(windowOptions('/p', true).backgroundColor).toBe('#111318');
    window.emit('ready-to-show');
    expect(window.visible).toBe(true);
  });

  it('stays on the dashboard: other navigation is stopped, web links go to the browser', () => {
    const { window, policy } = setUp();
    expect(window.webContents.navigate('will-navigate', `${ORIGIN}/ui/routes`)).toBe(false);
    expect(window.webContents.navigate('will-navigate', 'https://platform.openai.com/api-keys')).toBe(true);
    expect(policy.openExternal).toHaveBeenCalledWith('https://platform.openai.com/api-keys');
    // The gateway's own API is not a page to show, nor something for the browser.
    expect(window.webContents.navigate('will-navigate', `${ORIGIN}/admin/api/usage.csv`)).toBe(true);
    expect(window.webContents.navigate('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(window.webContents.navigate('will-redirect', 'http://127.0.0.1:9999/ui/')).toBe(true);
    expect(policy.openExternal).toHaveBeenCalledTimes(2);
    expect(policy.openExternal).toHaveBeenLastCalledWith('http://127.0.0.1:9999/ui/');
  });

  it('opens no windows: web links go to the browser, everything else is dropped', () => {
    const { window, policy } = setUp();
    const open = window.webContents.windowOpenHandler!;
    expect(open({ url: 'https://docs.anthropic.com/' })).toEqual({ action: 'deny' });
    expect(policy.openExternal).toHaveBeenCalledWith('https://docs.anthropic.com/');
    expect(open({ url: `${ORIGIN}/ui/` })).toEqual({ action: 'deny' });
    expect(open({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(open({ url: 'smb://server/share' })).toEqual({ action: 'deny' });
    expect(policy.openExternal).toHaveBeenCalledTimes(1);
  });

  it('refuses <webview>', () => {
    const { window } = setUp();
    const preventDefault = vi.fn();
    window.webContents.emit('will-attach-webview', { preventDefault });
    expect(preventDefault).toHaveBeenCalled();
  });

  it('grants only clipboard writes, and only to the dashboard', () => {
    setUp();
    const session = FakeBrowserWindow.session;
    const ask = (permission: string, requestingUrl: string) => {
      const callback = vi.fn();
      session.permissionRequestHandler!(null, permission, callback, { requestingUrl });
      return callback.mock.calls[0]![0] as boolean;
    };
    expect(ask('clipboard-sanitized-write', `${ORIGIN}/ui/`)).toBe(true);
    expect(ask('clipboard-sanitized-write', 'https://evil.example/')).toBe(false);
    for (const permission of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read'])
      expect(ask(permission, `${ORIGIN}/ui/`)).toBe(false);
    expect(session.permissionCheckHandler!(null, 'clipboard-sanitized-write', ORIGIN)).toBe(true);
    expect(session.permissionCheckHandler!(null, 'media', ORIGIN)).toBe(false);
  });

  it('adds a Content-Security-Policy to gateway documents that have none, and keeps the gateway’s own', () => {
    setUp();
    const listener = FakeBrowserWindow.session.headersListener!;
    const run = (details: {
      url: string;
      resourceType: string;
      responseHeaders?: Record<string, string[]>;
    }) => {
      const callback = vi.fn();
      listener(details, callback);
      return (callback.mock.calls[0]![0] as { responseHeaders: Record<string, string[]> }).responseHeaders;
    };
    expect(run({ url: `${ORIGIN}/ui/x`, resourceType: 'mainFrame', responseHeaders: {} })).toEqual({
      'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
    });
    const own = { 'content-security-policy': ["default-src 'self'"] };
    expect(run({ url: `${ORIGIN}/ui/`, resourceType: 'mainFrame', responseHeaders: own })).toEqual(own);
    expect(run({ url: `${ORIGIN}/admin/api/status`, resourceType: 'xhr', responseHeaders: {} })).toEqual({});
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval');
  });

  it('installs the session handlers once for all windows', () => {
    const electron = createFakeElectron('/tmp/unused');
    const policy = { origin: () => ORIGIN, openExternal: vi.fn() };
    createMainWindow(electron.BrowserWindow, { preloadPath: '/p', dark: false, policy });
    const first = FakeBrowserWindow.session.permissionRequestHandler;
    createMainWindow(electron.BrowserWindow, { preloadPath: '/p', dark: false, policy });
    expect(FakeBrowserWindow.session.permissionRequestHandler).toBe(first);
  });

  it('when the gateway is stopped, nothing counts as the dashboard', () => {
    const { window } = setUp(null);
    expect(window.webContents.navigate('will-navigate', `${ORIGIN}/ui/`)).toBe(true);
  });
});

describe('URL rules', () => {
  it('knows the dashboard and the web apart', () => {
    expect(isDashboardUrl(`${ORIGIN}/ui/apps`, ORIGIN)).toBe(true);
    expect(isDashboardUrl('http://localhost:4141/ui/', ORIGIN)).toBe(false);
    expect(isDashboardUrl('not a url', ORIGIN)).toBe(false);
    expect(isExternalWebUrl('https://openrouter.ai/keys', ORIGIN)).toBe(true);
    expect(isExternalWebUrl(`${ORIGIN}/ui/`, ORIGIN)).toBe(false);
    expect(isExternalWebUrl('mailto:someone@example.com', ORIGIN)).toBe(false);
  });

  it('gives macOS an Edit menu (for Cmd+C/V) and the other platforms none', () => {
    expect(applicationMenuTemplate('darwin')?.map((item) => item.role)).toContain('editMenu');
    expect(applicationMenuTemplate('linux')).toBeNull();
    expect(applicationMenuTemplate('win32')).toBeNull();
  });
});
