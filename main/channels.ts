/**
 * Every IPC channel between the window and the main process, in one place so that a reviewer
 * sees the whole surface at once. The dashboard talks to the gateway over HTTP; IPC only hands
 * it the gateway's address and the admin token.
 */
export const CHANNELS = {
  /** Synchronous, from the preload: answers a {@link DesktopConfig}, or null to a sender we do not trust. */
  desktopConfig: 'switchboard:desktop-config',
} as const;

export type Channel = (typeof CHANNELS)[keyof typeof CHANNELS];

/** What the renderer gets as `window.switchboard`, and nothing more. */
export interface DesktopConfig {
  /** The gateway's origin, e.g. `http://127.0.0.1:4141`. */
  baseUrl: string;
  /** Opens the admin API (`Authorization: Bearer …`). */
  adminToken: string;
}

export function isDesktopConfig(value: unknown): value is DesktopConfig {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate['baseUrl'] === 'string' && typeof candidate['adminToken'] === 'string';
}
