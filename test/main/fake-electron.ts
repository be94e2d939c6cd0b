// A stand-in for the parts of `electron` that main/ uses: the binary cannot run here, and
// importing the real package would try to download it. Each fake records what was done to it.
import { EventEmitter } from 'node:events';
import type { BrowserWindowConstructorOptions, MenuItemConstructorOptions } from 'electron';
import { vi } from 'vitest';

type PermissionRequestHandler = (
  webContents: unknown,
  permission: string,
  callback: (granted: boolean) => void,
  details: { requestingUrl: string },
) => void;
type PermissionCheckHandler = (webContents: unknown, permission: string, requestingOrigin: string) => boolean;
type HeadersListener = (
  details: { url: string; resourceType: string; responseHeaders?: Record<string, string[]> },
  callback: (response: { responseHeaders?: Record<string, string | string[]> }) => void,
) => void;

export class FakeSession {
  permissionRequestHandler: PermissionRequestHandler | null = null;
  permissionCheckHandler: PermissionCheckHandler | null = null;
  headersListener: HeadersListener | null = null;
  setPermissionRequestHandler(handler: PermissionRequestHandler) {
    this.permissionRequestHandler = handler;
  }
  setPermissionCheckHandler(handler: PermissionCheckHandler) {
    this.permissionCheckHandler = handler;
  }
  webRequest = {
    onHeadersReceived: (listener: HeadersListener) => {
      this.headersListener = listener;
    },
  };
}

export class FakeWebContents extends EventEmitter {
  windowOpenHandler: ((details: { url: string }) => { action: 'deny' }) | null = null;
  constructor(readonly session: FakeSession) {
    super();
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }) {
    this.windowOpenHandler = handler;
  }
  /** Emits a navigation the way Electron does; answers whether it was stopped. */
  navigate(event: 'will-navigate' | 'will-redirect', url: string): boolean {
    let prevented = false;
    this.emit(event, { url, preventDefault: () => (prevented = true) });
    return prevented;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static instances: FakeBrowserWindow[] = [];
  static session = new FakeSession();
  readonly webContents = new FakeWebContents(FakeBrowserWindow.session);
  readonly loaded: string[] = [];
  minimized = false;
  visible = false;
  destroyed = false;
  focusCount = 0;
  constructor(readonly options: BrowserWindowConstructorOptions) {
    super();
    FakeBrowserWindow.instances.push(this);
  }
  loadURL(url: string): Promise<void> {
    this.loaded.push(url);
    return Promise.resolve();
  }
  show() {
    this.visible = true;
  }
  focus() {
    this.focusCount++;
  }
  restore() {
    this.minimized = false;
  }
  isMinimized() {
    return this.minimized;
  }
  isDestroyed() {
    return this.destroyed;
  }
  close() {
    this.destroyed = true;
    this.emit('closed');
  }
}

export class FakeImage {
  readonly representations: Array<{ scaleFactor: number; buffer: Buffer }> = [];
  addRepresentation(options: { scaleFactor: number; buffer: Buffer }) {
    this.representations.push(options);
  }
}

export interface FakeMenu {
  template: MenuItemConstructorOptions[];
}

export class FakeTray extends EventEmitter {
  static instances: FakeTray[] = [];
  image: FakeImage;
  toolTip = '';
  menu: FakeMenu | null = null;
  destroyed = false;
  constructor(image: FakeImage) {
    super();
    this.image = image;
    FakeTray.instances.push(this);
  }
  setImage(image: FakeImage) {
    this.image = image;
  }
  setToolTip(toolTip: string) {
    this.toolTip = toolTip;
  }
  setContextMenu(menu: object | null) {
    this.menu = menu as FakeMenu | null;
  }
  destroy() {
    this.destroyed = true;
  }
  /** The menu item with this id, from the last menu set. */
  item(id: string): MenuItemConstructorOptions {
    const find = (items: MenuItemConstructorOptions[]): MenuItemConstructorOptions | undefined => {
      for (const item of items) {
        if (item.id === id) return item;
        if (Array.isArray(item.submenu)) {
          const inner = find(item.submenu);
          if (inner) return inner;
        }
      }
      return undefined;
    };
    const found = find(this.menu?.template ?? []);
    if (!found) throw new Error(`No tray menu item "${id}"`);
    return found;
  }
  /** Clicks a menu item as Electron would. */
  click(id: string) {
    const item = this.item(id);
    if (item.enabled === false) throw new Error(`Tray menu item "${id}" is disabled`);
    (item.click as () => void)();
  }
}

export class FakeNotification extends EventEmitter {
  static instances: FakeNotification[] = [];
  static supported = true;
  static isSupported() {
    return FakeNotification.supported;
  }
  shown = false;
  constructor(readonly options: { title: string; body: string }) {
    super();
    FakeNotification.instances.push(this);
  }
  show() {
    this.shown = true;
  }
}

/** Electron's `safeStorage` with a reversible stand-in for the OS keychain. */
export function fakeSafeStorage(backend = 'gnome_libsecret', available = true) {
  const MARK = Buffer.from('KEYCHAIN');
  return {
    isEncryptionAvailable: vi.fn(() => available),
    encryptString: vi.fn((plainText: string) =>
      Buffer.concat([MARK, Buffer.from(plainText, 'utf8').map((byte) => byte ^ 0x5a)]),
    ),
    decryptString: vi.fn((encrypted: Buffer) => {
      if (!encrypted.subarray(0, MARK.length).equals(MARK))
        throw new Error('Error while decrypting the ciphertext');
      return Buffer.from(encrypted.subarray(MARK.length).map((byte) => byte ^ 0x5a)).toString('utf8');
    }),
    getSelectedStorageBackend: vi.fn(() => backend),
  };
}

export interface BeforeQuitEvent {
  defaultPrevented: boolean;
  preventDefault(): void;
}

export class FakeApp extends EventEmitter {
  hasLock = true;
  openAtLogin = false;
  wasOpenedAtLogin = false;
  exited = false;
  isPackaged = false;
  constructor(
    readonly userData: string,
    readonly appPath = '/opt/switchboard-app',
  ) {
    super();
  }
  requestSingleInstanceLock = vi.fn(() => this.hasLock);
  whenReady = vi.fn(() => Promise.resolve());
  getPath = vi.fn((_name: 'userData') => this.userData);
  getAppPath = vi.fn(() => this.appPath);
  setAppUserModelId = vi.fn();
  getLoginItemSettings = vi.fn((_options?: { args?: string[] }) => ({
    openAtLogin: this.openAtLogin,
    wasOpenedAtLogin: this.wasOpenedAtLogin,
  }));
  setLoginItemSettings = vi.fn((settings: { openAtLogin: boolean; args?: string[] }) => {
    this.openAtLogin = settings.openAtLogin;
  });
  /** Like Electron: 'before-quit' first, and the app exits only if no listener prevented it. */
  quit = vi.fn(() => {
    const event: BeforeQuitEvent = {
      defaultPrevented: false,
      preventDefault() {
        this.defaultPrevented = true;
      },
    };
    this.emit('before-quit', event);
    if (!event.defaultPrevented) this.exited = true;
  });
  exit = vi.fn();
}

export class FakeIpcMain extends EventEmitter {
  /** What a preload's `ipcRenderer.sendSync` would get back from this sender and frame. */
  sendSync(channel: string, sender: unknown, frame: { url: string; parent: unknown } | null): unknown {
    const event = { sender, senderFrame: frame, returnValue: undefined as unknown };
    this.emit(channel, event);
    return event.returnValue;
  }
}

export function createFakeElectron(userData: string, options: { appPath?: string; backend?: string } = {}) {
  FakeBrowserWindow.instances = [];
  FakeBrowserWindow.session = new FakeSession();
  FakeTray.instances = [];
  FakeNotification.instances = [];
  FakeNotification.supported = true;
  return {
    app: new FakeApp(userData, options.appPath),
    BrowserWindow: FakeBrowserWindow,
    Tray: FakeTray,
    Menu: {
      buildFromTemplate: vi.fn((template: MenuItemConstructorOptions[]): FakeMenu => ({ template })),
      setApplicationMenu: vi.fn(),
    },
    nativeImage: { createEmpty: () => new FakeImage() },
    nativeTheme: { shouldUseDarkColors: false },
    Notification: FakeNotification,
    clipboard: { writeText: vi.fn() },
    shell: { openExternal: vi.fn(() => Promise.resolve()) },
    ipcMain: new FakeIpcMain(),
    safeStorage: fakeSafeStorage(options.backend),
    contextBridge: { exposeInMainWorld: vi.fn() },
    ipcRenderer: { sendSync: vi.fn() },
  };
}

export type FakeElectron = ReturnType<typeof createFakeElectron>;
