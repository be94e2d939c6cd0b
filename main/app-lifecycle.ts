import { join } from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import type { GatewayOptions, RunningGateway, SecretBox } from '../gateway/index.ts';
import { adminClient, type AdminClient } from './admin-client.ts';
import { loadAdminToken } from './admin-token.ts';
import { parseDesktopArgs, type DesktopArgs } from './args.ts';
import { GatewayControl } from './gateway-control.ts';
import { handleDesktopConfig, type ConfigTarget, type IpcMainLike } from './ipc.ts';
import { loginItem, type LoginItem, type LoginItemApp } from './login-item.ts';
import {
  budgetAlertContent,
  notify,
  routeCoolingContent,
  type NotificationFactory,
} from './notifications.ts';
import { RouteCooldowns } from './route-cooldowns.ts';
import { safeStorageBox, type SafeStorageLike } from './safe-storage-box.ts';
import { claimSingleInstance } from './single-instance.ts';
import { trayImage, type ImageWithRepresentations, type NativeImageFactory } from './tray-icons.ts';
import {
  trayIconState,
  trayMenuTemplate,
  trayTooltip,
  type GatewayStatus,
  type TrayState,
} from './tray-menu.ts';
import {
  applicationMenuTemplate,
  createMainWindow,
  focusWindow,
  type WindowConstructor,
  type WindowLike,
  type WindowPolicy,
} from './window.ts';

export interface DesktopAppApi extends LoginItemApp {
  requestSingleInstanceLock(): boolean;
  whenReady(): Promise<unknown>;
  getPath(name: 'userData'): string;
  getAppPath(): string;
  readonly isPackaged: boolean;
  setAppUserModelId(id: string): void;
  on(event: 'second-instance', listener: () => void): unknown;
  on(event: 'window-all-closed', listener: () => void): unknown;
  on(event: 'activate', listener: () => void): unknown;
  on(event: 'before-quit', listener: (event: { preventDefault(): void }) => void): unknown;
  quit(): void;
}

export interface TrayLike<Image> {
  setImage(image: Image): void;
  setToolTip(toolTip: string): void;
  setContextMenu(menu: object | null): void;
  on(event: 'click', listener: () => void): unknown;
  destroy(): void;
}

/** The Electron modules the desktop app uses, passed in so that tests can hand it fakes. */
export interface ElectronApi<
  Window extends WindowLike = WindowLike,
  Image extends ImageWithRepresentations = ImageWithRepresentations,
> {
  app: DesktopAppApi;
  BrowserWindow: WindowConstructor<Window>;
  Tray: new (image: Image) => TrayLike<Image>;
  Menu: {
    buildFromTemplate(template: MenuItemConstructorOptions[]): object;
    setApplicationMenu(menu: object | null): void;
  };
  nativeImage: NativeImageFactory<Image>;
  nativeTheme: { readonly shouldUseDarkColors: boolean };
  Notification: NotificationFactory;
  clipboard: { writeText(text: string): void };
  shell: { openExternal(url: string): Promise<void> };
  ipcMain: IpcMainLike;
  safeStorage: SafeStorageLike;
}

type Logger = NonNullable<GatewayOptions['log']>;

export interface DesktopDeps<
  Window extends WindowLike = WindowLike,
  Image extends ImageWithRepresentations = ImageWithRepresentations,
> {
  electron: ElectronApi<Window, Image>;
  startGateway(options: GatewayOptions): Promise<RunningGateway>;
  /** Whether a failed start is the port's fault (taken, not allowed), so that another port may be tried. */
  isPortProblem(error: unknown): boolean;
  /** The headless mode's key-file box, to open secrets `switchboard serve` sealed in the same data dir. */
  fileKeyBox(dataDir: string): SecretBox;
  /**
   * The data folder when --data-dir names none: the one `switchboard serve` uses, so that both share
   * it on every platform (a packaged Linux app's userData would be ~/.config/Switchboard instead).
   */
  defaultDataDir?(): string;
  argv: readonly string[];
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  execPath: string;
  homeDir: string;
  log: Logger;
  /** SIGINT / SIGTERM: quit as gracefully as from the menu. */
  onSignal?(signal: 'SIGINT' | 'SIGTERM', handler: () => void): void;
  /** How often the tray's spend and app list are refreshed. */
  refreshMs?: number;
}

/**
 * better-sqlite3 is a native module, built for one ABI: the one in node_modules is built for
 * Node (serve, the tests), and Electron refuses it. Say what to run instead of Node's message.
 */
export function describeStartError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/NODE_MODULE_VERSION|was compiled against a different Node\.js version/.test(message)) {
    return 'better-sqlite3 is built for Node, not for Electron. Run `npx electron-builder install-app-deps` to build it for Electron (and `npm rebuild better-sqlite3` before using `npm run serve` or `npm test` again).';
  }
  return message;
}

const STATUS_PAGE_STYLE =
  'font-family:system-ui,sans-serif;max-width:34rem;margin:5rem auto;padding:0 1rem;line-height:1.5;color-scheme:light dark';

/** What the window shows while the gateway is not running: where the dashboard would be, and what to do. */
export function statusPageUrl(status: GatewayStatus): string {
  const escape = (text: string) => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
  const [title, text] =
    status.kind === 'error'
      ? [
          'Switchboard could not start',
          `${escape(status.message)} Choose “Try starting again” in the tray menu.`,
        ]
      : status.kind === 'paused' || status.kind === 'pausing'
        ? [
            'The gateway is paused',
            'Its port is closed: tools get no answer until you choose “Resume gateway” in the tray menu.',
          ]
        : ['Switchboard is starting…', 'The dashboard opens as soon as the gateway is listening.'];
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Switchboard</title></head><body style="${STATUS_PAGE_STYLE}"><h1>${title}</h1><p>${text}</p></body></html>`;
  return `data:text/html;charset=utf-8,${encodeURIComponent(html)}`;
}

/**
 * The desktop app: the gateway in this process, a tray that shows and controls it, and a
 * window on its dashboard. Made once the app is ready; `start` brings it up.
 */
export class DesktopApp<
  Window extends WindowLike = WindowLike,
  Image extends ImageWithRepresentations = ImageWithRepresentations,
> {
  readonly dataDir: string;
  readonly adminToken: string;
  readonly secrets: SecretBox;
  readonly control: GatewayControl<RunningGateway>;
  private readonly electron: ElectronApi<Window, Image>;
  private readonly loginItem: LoginItem;
  private tray: TrayLike<Image> | null = null;
  private window: Window | null = null;
  private client: AdminClient | null = null;
  private state: TrayState;
  private timer: ReturnType<typeof setInterval> | undefined;
  private quitting: Promise<void> | undefined;
  private mayQuit = false;
  private readonly policy: WindowPolicy;
  private readonly cooldowns = new RouteCooldowns({
    onChange: () => {
      this.state.cooling = this.cooldowns.routes;
      this.renderTray();
    },
  });

  constructor(
    private readonly deps: DesktopDeps<Window, Image>,
    private readonly args: DesktopArgs,
  ) {
    this.electron = deps.electron;
    const { app } = deps.electron;
    this.dataDir = args.dataDir ?? deps.defaultDataDir?.() ?? app.getPath('userData');
    this.secrets = safeStorageBox(deps.electron.safeStorage, {
      platform: deps.platform,
      fileKeyBox: () => deps.fileKeyBox(this.dataDir),
    });
    this.adminToken = loadAdminToken(this.dataDir, this.secrets, (message) => deps.log('warn', message));
    this.loginItem = loginItem(app, {
      platform: deps.platform,
      command: app.isPackaged ? [deps.env['APPIMAGE'] ?? deps.execPath] : [deps.execPath, app.getAppPath()],
      configHome: deps.env['XDG_CONFIG_HOME'] || join(deps.homeDir, '.config'),
    });
    this.state = { gateway: { kind: 'starting' }, todayUsd: null, apps: [], openAtLogin: false, cooling: [] };
    this.policy = {
      origin: () => {
        const gateway = this.control.gateway;
        return gateway === null ? null : new URL(gateway.url).origin;
      },
      openExternal: (url) => {
        deps.electron.shell.openExternal(url).catch((error: unknown) => {
          deps.log('warn', `Could not open ${url}: ${String(error)}`);
        });
      },
    };
    this.control = new GatewayControl<RunningGateway>({
      preferredPort: args.port,
      start: (port) =>
        deps.startGateway({
          dataDir: this.dataDir,
          host: '127.0.0.1',
          port,
          adminToken: this.adminToken,
          secrets: this.secrets,
          log: deps.log,
          // In a packaged app the dashboard is inside app.asar, not next to the gateway's sources.
          dashboardDir: join(app.getAppPath(), 'renderer', 'dist'),
          onBudgetAlert: (alert) => {
            notify(deps.electron.Notification, budgetAlertContent(alert), () => this.showWindow());
            void this.refresh();
          },
          onRouteHealth: (event) => {
            if (this.cooldowns.apply(event))
              notify(deps.electron.Notification, routeCoolingContent(event), () => this.showWindow());
          },
        }),
      isPortProblem: deps.isPortProblem,
      describeError: describeStartError,
      log: (message) => deps.log('info', message),
      onChange: (status) => this.gatewayChanged(status),
    });
  }

  /** The state the tray shows (for tests and logs). */
  get trayState(): Readonly<TrayState> {
    return this.state;
  }

  get mainWindow(): Window | null {
    return this.window;
  }

  async start(): Promise<void> {
    const { app, Menu, Tray, nativeImage } = this.electron;
    // Windows shows notifications only for an app with an id, the one the installer registers.
    if (this.deps.platform === 'win32') app.setAppUserModelId('dev.switchboard.app');
    const menu = applicationMenuTemplate(this.deps.platform);
    Menu.setApplicationMenu(menu === null ? null : Menu.buildFromTemplate(menu));
    this.state.openAtLogin = this.loginItem.isEnabled();
    this.tray = new Tray(trayImage(nativeImage, 'paused'));
    // Windows users expect a left click on the tray icon to open the app; elsewhere a click opens the menu.
    this.tray.on('click', () => {
      if (this.deps.platform === 'win32') this.showWindow();
    });
    this.renderTray();
    handleDesktopConfig(this.electron.ipcMain, () => this.configTarget());
    app.on('before-quit', (event) => {
      if (this.mayQuit) return;
      event.preventDefault();
      void this.quit();
    });
    app.on('activate', () => this.showWindow());
    this.deps.onSignal?.('SIGINT', () => void this.quit());
    this.deps.onSignal?.('SIGTERM', () => void this.quit());
    await this.control.start();
    this.timer = setInterval(() => void this.refresh(), this.deps.refreshMs ?? 30_000);
    if (!this.args.hidden && !this.loginItem.launchedAtLogin(this.deps.argv)) this.showWindow();
  }

  /** Opens the window, or brings it to the front. */
  showWindow(): void {
    if (this.window !== null && !this.window.isDestroyed()) {
      focusWindow(this.window);
      return;
    }
    const window = createMainWindow(this.electron.BrowserWindow, {
      preloadPath: join(this.electron.app.getAppPath(), 'dist', 'main', 'preload.cjs'),
      dark: this.electron.nativeTheme.shouldUseDarkColors,
      policy: this.policy,
    });
    window.on('closed', () => {
      if (this.window === window) this.window = null;
    });
    this.window = window;
    this.loadWindow();
  }

  /** Stops everything gracefully (in-flight requests get their grace period), then lets the app exit. */
  quit(): Promise<void> {
    this.quitting ??= (async () => {
      clearInterval(this.timer);
      this.cooldowns.clear();
      try {
        await this.control.close();
      } catch (error) {
        this.deps.log('error', `Error while shutting down: ${String(error)}`);
      }
      this.tray?.destroy();
      this.tray = null;
      this.mayQuit = true;
      this.electron.app.quit();
    })();
    return this.quitting;
  }

  /** Reads today's spend and the app names for the tray. Failures leave the last values. */
  async refresh(): Promise<void> {
    const client = this.client;
    if (client === null) return;
    const [spend, apps] = await Promise.allSettled([client.todayUsd(), client.appNames()]);
    if (client !== this.client) return;
    if (spend.status === 'fulfilled') this.state.todayUsd = spend.value;
    if (apps.status === 'fulfilled') this.state.apps = apps.value;
    this.renderTray();
  }

  private configTarget(): ConfigTarget | null {
    const gateway = this.control.gateway;
    if (this.window === null || this.window.isDestroyed() || gateway === null) return null;
    return {
      webContents: this.window.webContents,
      origin: new URL(gateway.url).origin,
      config: { baseUrl: gateway.url, adminToken: this.adminToken },
    };
  }

  private loadWindow(): void {
    const window = this.window;
    if (window === null || window.isDestroyed()) return;
    const gateway = this.control.gateway;
    const url = gateway === null ? statusPageUrl(this.state.gateway) : `${gateway.url}/ui/`;
    window.loadURL(url).catch((error: unknown) => {
      this.deps.log('warn', `The window could not load ${url}: ${String(error)}`);
    });
  }

  private gatewayChanged(status: GatewayStatus): void {
    const previous = this.state.gateway;
    this.state.gateway = status;
    const gateway = this.control.gateway;
    this.client = gateway === null ? null : adminClient(gateway.url, this.adminToken);
    if (gateway === null) this.state.todayUsd = null;
    // A gateway that stops forgets its routes' health; the next one starts with all of them healthy.
    if (status.kind !== 'running') {
      this.cooldowns.clear();
      this.state.cooling = [];
    }
    this.renderTray();
    const settled = status.kind === 'running' || status.kind === 'paused' || status.kind === 'error';
    if (settled && status.kind !== previous.kind) this.loadWindow();
    if (status.kind === 'running') {
      this.deps.log('info', `Switchboard running on ${status.url}`);
      if (status.wantedPort !== undefined) {
        notify(this.electron.Notification, {
          title: `Port ${status.wantedPort} is in use`,
          body: `Switchboard is running on ${status.url} instead. Tools set up for port ${status.wantedPort} need the new URL.`,
        });
      }
      void this.refresh();
    } else if (status.kind === 'error') {
      notify(this.electron.Notification, { title: 'Switchboard could not start', body: status.message }, () =>
        this.showWindow(),
      );
    }
  }

  private renderTray(): void {
    const tray = this.tray;
    if (tray === null) return;
    const { Menu, nativeImage } = this.electron;
    tray.setImage(trayImage(nativeImage, trayIconState(this.state.gateway, this.state.cooling)));
    tray.setToolTip(trayTooltip(this.state));
    tray.setContextMenu(Menu.buildFromTemplate(trayMenuTemplate(this.state, this.actions)));
  }

  private readonly actions = {
    openWindow: () => this.showWindow(),
    copyBaseUrl: () => {
      const gateway = this.control.gateway;
      if (gateway !== null) this.electron.clipboard.writeText(`${gateway.url}/v1`);
    },
    copyNewKey: (app: string) => void this.copyNewKey(app),
    pause: () => void this.control.pause(),
    resume: () => void this.control.resume(),
    setOpenAtLogin: (enabled: boolean) => {
      try {
        this.loginItem.setEnabled(enabled);
      } catch (error) {
        this.deps.log('warn', `Could not change "Start at login": ${String(error)}`);
      }
      this.state.openAtLogin = this.loginItem.isEnabled();
      this.renderTray();
    },
    quit: () => void this.quit(),
  };

  private async copyNewKey(app: string): Promise<void> {
    const { clipboard, Notification } = this.electron;
    try {
      if (this.client === null) throw new Error('The gateway is not running.');
      clipboard.writeText(await this.client.newKey(app));
      notify(Notification, {
        title: `New key for "${app}" copied`,
        body: 'Paste it now: Switchboard keeps only a hash and cannot show it again. Older keys keep working.',
      });
    } catch (error) {
      notify(Notification, {
        title: `No new key for "${app}"`,
        body: error instanceof Error ? error.message : String(error),
      });
    }
  }
}

/**
 * The whole app: one instance per user, nothing until Electron is ready, then the gateway,
 * tray and window. Resolves to null in a second instance, which hands over to the first and quits.
 */
export async function runDesktopApp<Window extends WindowLike, Image extends ImageWithRepresentations>(
  deps: DesktopDeps<Window, Image>,
): Promise<DesktopApp<Window, Image> | null> {
  const { app } = deps.electron;
  let desktop: DesktopApp<Window, Image> | null = null;
  let showWhenReady = false;
  const claimed = claimSingleInstance(app, () => {
    if (desktop === null) showWhenReady = true;
    else desktop.showWindow();
  });
  if (!claimed) return null;
  // A tray app keeps running with no window open.
  app.on('window-all-closed', () => undefined);
  await app.whenReady();
  // The first argument is the executable; Electron in development also passes the app folder.
  desktop = new DesktopApp(deps, parseDesktopArgs(deps.argv.slice(1)));
  await desktop.start();
  if (showWhenReady) desktop.showWindow();
  return desktop;
}
