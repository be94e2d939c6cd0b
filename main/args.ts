import { parseArgs } from 'node:util';
import { HIDDEN_FLAG } from './login-item.ts';

export interface DesktopArgs {
  /** Where the database and keys live; default: Electron's userData folder. */
  dataDir: string | undefined;
  /** The port to try first; default 4141. */
  port: number;
  /** Start in the tray only (the login item passes this). */
  hidden: boolean;
}

export const DEFAULT_PORT = 4141;

/**
 * `npm start -- --port 0 --data-dir /tmp/x` passes the same flags as `serve` to the desktop app,
 * for development. Chromium's own switches (and macOS's -psn_…) may be mixed in: unknown flags
 * are ignored rather than refused.
 */
export function parseDesktopArgs(argv: readonly string[]): DesktopArgs {
  const { values } = parseArgs({
    args: [...argv],
    strict: false,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      hidden: { type: 'boolean' },
    },
  });
  const port = typeof values.port === 'string' ? Number(values.port) : DEFAULT_PORT;
  return {
    dataDir: typeof values['data-dir'] === 'string' ? values['data-dir'] : undefined,
    port: Number.isInteger(port) && port >= 0 && port <= 65535 ? port : DEFAULT_PORT,
    hidden: values.hidden === true || argv.includes(HIDDEN_FLAG),
  };
}
