import type { MenuItemConstructorOptions } from 'electron';
import type { CoolingRoute } from './route-cooldowns.ts';
import type { TrayIconState } from './tray-icons.ts';

/** What the gateway is doing, as the tray shows it. */
export type GatewayStatus =
  | { kind: 'starting' }
  | {
      kind: 'running';
      url: string;
      host: string;
      port: number;
      /** The port asked for, when it was taken and another was used instead. */
      wantedPort?: number | undefined;
    }
  | { kind: 'pausing' | 'paused' | 'resuming'; port: number }
  | { kind: 'error'; message: string };

export interface TrayState {
  gateway: GatewayStatus;
  /** Spend so far today (UTC), or null until the first answer from the admin API. */
  todayUsd: number | null;
  /** App names, for "Copy key for ▸". */
  apps: readonly string[];
  openAtLogin: boolean;
  /** Routes the running gateway skips while they cool down; none when absent. */
  cooling?: readonly CoolingRoute[];
}

export interface TrayActions {
  openWindow(): void;
  copyBaseUrl(): void;
  /** Creates a new key for the app and copies it: stored keys are hashed and cannot be shown again. */
  copyNewKey(app: string): void;
  pause(): void;
  resume(): void;
  setOpenAtLogin(enabled: boolean): void;
  quit(): void;
}

/** Money with two decimals, and more below a cent, so that $0.004 does not read as free. */
export function formatUsd(usd: number): string {
  if (usd > 0 && usd < 0.01) return `$${usd.toLocaleString('en-US', { maximumSignificantDigits: 2 })}`;
  return `$${usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** Paused and error win over a warning: they say more about why requests fail. */
export function trayIconState(status: GatewayStatus, cooling: readonly CoolingRoute[] = []): TrayIconState {
  if (status.kind === 'running') return cooling.length > 0 ? 'warning' : 'running';
  if (status.kind === 'error') return 'error';
  return 'paused';
}

/** A time today, as the user's clock shows it. */
export function formatClock(ms: number): string {
  return new Date(ms).toLocaleTimeString();
}

/** The cooling routes the tray names: only while the gateway runs (a stopped one has no routes). */
function shownCooling(state: TrayState): readonly CoolingRoute[] {
  return state.gateway.kind === 'running' ? (state.cooling ?? []) : [];
}

/** "Route "claude" cooling down until 14:32:05". */
export function coolingLine(cooling: CoolingRoute): string {
  return `Route "${cooling.route}" cooling down until ${formatClock(cooling.until)}`;
}

/** One line, true at a glance: "Running on 127.0.0.1:4141 · $1.23 today". */
export function statusLine(state: TrayState): string {
  const status = state.gateway;
  switch (status.kind) {
    case 'starting':
      return 'Starting…';
    case 'running': {
      const where = `Running on ${status.host}:${status.port}`;
      return state.todayUsd === null ? where : `${where} · ${formatUsd(state.todayUsd)} today`;
    }
    case 'pausing':
      return 'Pausing…';
    case 'paused':
      return `Paused · port ${status.port} closed`;
    case 'resuming':
      return 'Resuming…';
    case 'error': {
      const first = status.message.split('\n')[0] ?? '';
      return `Stopped: ${first.length > 80 ? `${first.slice(0, 79)}…` : first}`;
    }
  }
}

export function trayTooltip(state: TrayState): string {
  return [`Switchboard — ${statusLine(state)}`, ...shownCooling(state).map(coolingLine)].join('\n');
}

/** The tray menu, as data: Electron builds it with `Menu.buildFromTemplate`, tests read it. */
export function trayMenuTemplate(state: TrayState, actions: TrayActions): MenuItemConstructorOptions[] {
  const status = state.gateway;
  const running = status.kind === 'running';
  const items: MenuItemConstructorOptions[] = [{ id: 'status', label: statusLine(state), enabled: false }];
  if (status.kind === 'running' && status.wantedPort !== undefined) {
    items.push({
      id: 'port-note',
      label: `Port ${status.wantedPort} was in use, so ${status.port} is used instead`,
      enabled: false,
    });
  }
  for (const cooling of shownCooling(state))
    items.push({ id: `cooling:${cooling.route}`, label: coolingLine(cooling), enabled: false });
  items.push(
    { type: 'separator' },
    { id: 'open', label: 'Open Switchboard', click: () => actions.openWindow() },
    { id: 'copy-base-url', label: 'Copy base URL', enabled: running, click: () => actions.copyBaseUrl() },
    {
      id: 'copy-key',
      label: 'Copy key for',
      enabled: running,
      submenu:
        state.apps.length === 0
          ? [{ label: 'No apps yet: create one in Switchboard', enabled: false }]
          : state.apps.map((app) => ({
              id: `copy-key:${app}`,
              // Keys are stored hashed: the only key we can copy is one made now, and the label says so.
              label: `New key for ${app}`,
              click: () => actions.copyNewKey(app),
            })),
    },
    { type: 'separator' },
  );
  if (status.kind === 'error') {
    items.push({ id: 'resume', label: 'Try starting again', click: () => actions.resume() });
  } else if (status.kind === 'paused' || status.kind === 'resuming') {
    items.push({
      id: 'resume',
      label: 'Resume gateway',
      enabled: status.kind === 'paused',
      click: () => actions.resume(),
    });
  } else {
    items.push({ id: 'pause', label: 'Pause gateway', enabled: running, click: () => actions.pause() });
  }
  items.push(
    {
      id: 'open-at-login',
      label: 'Start at login',
      type: 'checkbox',
      checked: state.openAtLogin,
      click: () => actions.setOpenAtLogin(!state.openAtLogin),
    },
    { type: 'separator' },
    { id: 'quit', label: 'Quit Switchboard', accelerator: 'CommandOrControl+Q', click: () => actions.quit() },
  );
  return items;
}
