import type { BrowserWindowConstructorOptions, MenuItemConstructorOptions } from 'electron';

/**
 * For documents from the gateway that come without a policy of their own. The dashboard's
 * pages carry the gateway's (same sources); this covers error pages and anything added later.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Permissions the dashboard may have: writing to the clipboard (copy buttons). Nothing else. */
const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

export interface NavigationEvent {
  url: string;
  preventDefault(): void;
}

export interface WebContentsLike {
  on(event: 'will-navigate', listener: (event: NavigationEvent) => void): unknown;
  on(event: 'will-redirect', listener: (event: NavigationEvent) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export interface SessionLike {
  setPermissionRequestHandler(
    handler: (
      webContents: unknown,
      permission: string,
      callback: (granted: boolean) => void,
      details: { requestingUrl: string },
    ) => void,
  ): void;
  setPermissionCheckHandler(
    handler: (webContents: unknown, permission: string, requestingOrigin: string) => boolean,
  ): void;
  webRequest: {
    onHeadersReceived(
      listener: (
        details: { url: string; resourceType: string; responseHeaders?: Record<string, string[]> },
        callback: (response: { responseHeaders?: Record<string, string | string[]> }) => void,
      ) => void,
    ): void;
  };
}

export interface WindowLike {
  webContents: WebContentsLike & { session: SessionLike };
  loadURL(url: string): Promise<void>;
  once(event: 'ready-to-show', listener: () => void): unknown;
  on(event: 'closed', listener: () => void): unknown;
  show(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
  isDestroyed(): boolean;
}

export type WindowConstructor<Window extends WindowLike> = new (
  options: BrowserWindowConstructorOptions,
) => Window;

export interface WindowPolicy {
  /** The gateway's origin now (it changes when a resume has to take another port), or null while stopped. */
  origin(): string | null;
  openExternal(url: string): void;
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** A page of the dashboard: the gateway's origin, under /ui. */
export function isDashboardUrl(url: string, origin: string | null): boolean {
  const parsed = parse(url);
  return origin !== null && parsed !== null && parsed.origin === origin && parsed.pathname.startsWith('/ui');
}

/** A web page somewhere else, for the user's browser. Never file:, javascript:, or custom schemes. */
export function isExternalWebUrl(url: string, origin: string | null): boolean {
  const parsed = parse(url);
  return (
    parsed !== null &&
    (parsed.protocol === 'https:' || parsed.protocol === 'http:') &&
    parsed.origin !== origin
  );
}

export function windowOptions(preloadPath: string, dark: boolean): BrowserWindowConstructorOptions {
  return {
    title: 'Switchboard',
    width: 1200,
    height: 800,
    minWidth: 760,
    minHeight: 520,
    // Shown once painted, over the theme's background, so that it does not flash white in dark mode.
    show: false,
    backgroundColor: dark ? '#111318' : '#ffffff',
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  };
}

/**
 * The window may show the dashboard and nothing else: any navigation away is stopped (a web
 * link goes to the browser instead), and no page may open a window of its own.
 */
export function hardenWebContents(contents: WebContentsLike, policy: WindowPolicy): void {
  const guard = (event: NavigationEvent) => {
    if (isDashboardUrl(event.url, policy.origin())) return;
    event.preventDefault();
    if (isExternalWebUrl(event.url, policy.origin())) policy.openExternal(event.url);
  };
  contents.on('will-navigate', guard);
  contents.on('will-redirect', guard);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalWebUrl(url, policy.origin())) policy.openExternal(url);
    return { action: 'deny' };
  });
}

/** Permissions denied but for the clipboard, and a Content-Security-Policy on every gateway document. */
export function hardenSession(session: SessionLike, policy: Pick<WindowPolicy, 'origin'>): void {
  const ours = (url: string) => {
    const origin = policy.origin();
    return origin !== null && parse(url)?.origin === origin;
  };
  session.setPermissionRequestHandler((_contents, permission, callback, details) =>
    callback(ALLOWED_PERMISSIONS.has(permission) && ours(details.requestingUrl)),
  );
  session.setPermissionCheckHandler(
    (_contents, permission, requestingOrigin) =>
      ALLOWED_PERMISSIONS.has(permission) && ours(requestingOrigin),
  );
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers = details.responseHeaders ?? {};
    const isDocument = details.resourceType === 'mainFrame' || details.resourceType === 'subFrame';
    const hasPolicy = Object.keys(headers).some((name) => name.toLowerCase() === 'content-security-policy');
    if (!isDocument || hasPolicy || !ours(details.url)) {
      callback({ responseHeaders: headers });
      return;
    }
    callback({ responseHeaders: { ...headers, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
}

export interface MainWindowOptions {
  preloadPath: string;
  dark: boolean;
  policy: WindowPolicy;
}

const hardenedSessions = new WeakSet<SessionLike>();

/** Makes the dashboard window (hidden until painted); the caller loads the URL. */
export function createMainWindow<Window extends WindowLike>(
  BrowserWindow: WindowConstructor<Window>,
  options: MainWindowOptions,
): Window {
  const window = new BrowserWindow(windowOptions(options.preloadPath, options.dark));
  const session = window.webContents.session;
  // Handlers belong to the session, which outlives the window: install them once.
  if (!hardenedSessions.has(session)) {
    hardenSession(session, options.policy);
    hardenedSessions.add(session);
  }
  hardenWebContents(window.webContents, options.policy);
  window.once('ready-to-show', () => window.show());
  return window;
}

/** Brings the window to the front, also from a minimised state (a second launch, a tray click). */
export function focusWindow(window: Pick<WindowLike, 'isMinimized' | 'restore' | 'show' | 'focus'>): void {
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}

/**
 * macOS needs an application menu for Cmd+C / Cmd+V to work in text fields; elsewhere the
 * window has none (the tray menu is the app's menu).
 */
export function applicationMenuTemplate(platform: NodeJS.Platform): MenuItemConstructorOptions[] | null {
  if (platform !== 'darwin') return null;
  return [{ role: 'appMenu' }, { role: 'editMenu' }, { role: 'viewMenu' }, { role: 'windowMenu' }];
}
