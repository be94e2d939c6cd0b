import { CHANNELS, type DesktopConfig } from './channels.ts';

/** The parts of an `IpcMainEvent` the sender check reads and the answer writes. */
export interface DesktopConfigEvent {
  sender: unknown;
  senderFrame: { url: string; parent: unknown } | null;
  returnValue: unknown;
}

export interface IpcMainLike {
  on(channel: string, listener: (event: DesktopConfigEvent) => void): unknown;
  removeListener(channel: string, listener: (event: DesktopConfigEvent) => void): unknown;
}

/** The window allowed to ask, the origin its page must have, and what it gets. */
export interface ConfigTarget {
  webContents: unknown;
  origin: string;
  config: DesktopConfig;
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/**
 * Only our window's top frame, showing a page from the gateway's origin, may have the admin
 * token: not another window, not an iframe, not a page the window was somehow navigated to.
 */
export function isTrustedSender(
  event: Pick<DesktopConfigEvent, 'sender' | 'senderFrame'>,
  target: ConfigTarget,
): boolean {
  if (event.sender !== target.webContents) return false;
  const frame = event.senderFrame;
  if (frame === null || frame.parent !== null) return false;
  return originOf(frame.url) === target.origin;
}

/**
 * Answers the preload's synchronous request. `target` is read at every request because the
 * window and the gateway's port change (window closed and reopened, gateway paused and resumed).
 * Returns a function that removes the handler.
 */
export function handleDesktopConfig(ipcMain: IpcMainLike, target: () => ConfigTarget | null): () => void {
  const listener = (event: DesktopConfigEvent) => {
    const current = target();
    // A synchronous sender waits for returnValue: refuse with null rather than leave it hanging.
    event.returnValue = current !== null && isTrustedSender(event, current) ? { ...current.config } : null;
  };
  ipcMain.on(CHANNELS.desktopConfig, listener);
  return () => ipcMain.removeListener(CHANNELS.desktopConfig, listener);
}
