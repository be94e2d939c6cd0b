import { homedir } from 'node:os';
import { join } from 'node:path';

/** The OS app-data folder: ~/.config/switchboard on Linux, as each platform expects elsewhere. */
export function defaultDataDir(
  environment: NodeJS.ProcessEnv = process.env,
  platform = process.platform,
): string {
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Switchboard');
  if (platform === 'win32')
    return join(environment['APPDATA'] ?? join(homedir(), 'AppData', 'Roaming'), 'Switchboard');
  return join(environment['XDG_CONFIG_HOME'] || join(homedir(), '.config'), 'switchboard');
}
