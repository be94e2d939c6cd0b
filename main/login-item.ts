import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Passed by the login item: start in the tray without opening the window. */
export const HIDDEN_FLAG = '--hidden';

export interface LoginItemApp {
  getLoginItemSettings(options?: { args?: string[] }): { openAtLogin: boolean; wasOpenedAtLogin?: boolean };
  setLoginItemSettings(settings: { openAtLogin: boolean; args?: string[] }): void;
}

export interface LoginItemOptions {
  platform: NodeJS.Platform;
  /** The command that starts this app: the executable (AppImage path when there is one), plus the app folder in development. */
  command: readonly string[];
  /** `$XDG_CONFIG_HOME` or `~/.config`, for the Linux autostart entry. */
  configHome: string;
}

export interface LoginItem {
  isEnabled(): boolean;
  setEnabled(enabled: boolean): void;
  /** Whether this start came from the login item, so the window stays closed. */
  launchedAtLogin(argv: readonly string[]): boolean;
}

/** Quoting for the Exec key of a desktop entry (freedesktop Desktop Entry Specification). */
function desktopExecArgument(argument: string): string {
  return /^[\w@%+=:,./-]+$/.test(argument) ? argument : `"${argument.replace(/(["`$\\])/g, '\\$1')}"`;
}

/**
 * "Start at login": Electron's login items on macOS and Windows; on Linux, where Electron has
 * none, an XDG autostart entry, which GNOME, KDE, Xfce and most others honour.
 */
export function loginItem(app: LoginItemApp, options: LoginItemOptions): LoginItem {
  if (options.platform === 'linux') {
    const file = join(options.configHome, 'autostart', 'switchboard.desktop');
    return {
      isEnabled: () => existsSync(file) && !/^Hidden=true$/m.test(readFileSync(file, 'utf8')),
      setEnabled(enabled) {
        if (!enabled) {
          rmSync(file, { force: true });
          return;
        }
        mkdirSync(join(options.configHome, 'autostart'), { recursive: true });
        const exec = [...options.command, HIDDEN_FLAG].map(desktopExecArgument).join(' ');
        writeFileSync(
          file,
          [
            '[Desktop Entry]',
            'Type=Application',
            'Name=Switchboard',
            'Comment=Local LLM gateway',
            `Exec=${exec}`,
            'Terminal=false',
            'X-GNOME-Autostart-enabled=true',
            '',
          ].join('\n'),
        );
      },
      launchedAtLogin: (argv) => argv.includes(HIDDEN_FLAG),
    };
  }
  // Windows keys the login item by its arguments: ask with the same ones it was set with.
  const args = options.platform === 'win32' ? [HIDDEN_FLAG] : undefined;
  return {
    isEnabled: () => app.getLoginItemSettings(args ? { args } : undefined).openAtLogin,
    setEnabled: (enabled) => app.setLoginItemSettings({ openAtLogin: enabled, ...(args ? { args } : {}) }),
    launchedAtLogin: (argv) =>
      argv.includes(HIDDEN_FLAG) || app.getLoginItemSettings().wasOpenedAtLogin === true,
  };
}
