// Runs in the sandboxed preload (bundled to CommonJS): only `contextBridge` and `ipcRenderer` exist here.
import { contextBridge, ipcRenderer } from 'electron';
import type { ContextBridge, IpcRenderer } from 'electron';
import { CHANNELS, isDesktopConfig } from './channels.ts';

/**
 * Asks the main process for the gateway URL and admin token and exposes exactly those two
 * strings as `window.switchboard`. Whatever else the answer holds is dropped here, so a future
 * change in main cannot widen what the page sees by accident.
 */
export function exposeDesktopConfig(
  bridge: Pick<ContextBridge, 'exposeInMainWorld'>,
  renderer: Pick<IpcRenderer, 'sendSync'>,
): boolean {
  // Synchronous so that `window.switchboard` exists before the dashboard's first script runs.
  const answer: unknown = renderer.sendSync(CHANNELS.desktopConfig);
  if (!isDesktopConfig(answer)) return false;
  bridge.exposeInMainWorld('switchboard', { baseUrl: answer.baseUrl, adminToken: answer.adminToken });
  return true;
}

exposeDesktopConfig(contextBridge, ipcRenderer);
