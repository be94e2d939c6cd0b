// The Electron main process. Bundled by main/build.mjs into dist/main/index.js (package.json "main").
import { homedir } from 'node:os';
import {
  app,
  BrowserWindow,
  clipboard,
  ipcMain,
  Menu,
  nativeImage,
  nativeTheme,
  Notification,
  safeStorage,
  shell,
  Tray,
} from 'electron';
import type { NativeImage } from 'electron';
import { defaultDataDir, fileKeyBox, StartupError, startGateway } from '../gateway/index.ts';
import { runDesktopApp } from './app-lifecycle.ts';

const log = (level: 'info' | 'warn' | 'error', message: string) =>
  (level === 'info' ? process.stdout : process.stderr).write(`${message}\n`);

runDesktopApp<BrowserWindow, NativeImage>({
  electron: {
    app,
    BrowserWindow,
    Tray,
    Menu,
    nativeImage,
    nativeTheme,
    Notification,
    clipboard,
    shell,
    ipcMain,
    safeStorage,
  },
  startGateway,
  isPortProblem: (error) => error instanceof StartupError,
  fileKeyBox,
  defaultDataDir,
  argv: process.argv,
  platform: process.platform,
  env: process.env,
  execPath: process.execPath,
  homeDir: homedir(),
  log,
  onSignal: (signal, handler) => process.on(signal, handler),
}).catch((error: unknown) => {
  log(
    'error',
    `Switchboard could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  app.exit(1);
});
