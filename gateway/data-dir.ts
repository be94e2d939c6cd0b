import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
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

/**
 * `<data-dir>/runtime.json`: written by a running gateway, removed when it closes, so that
 * `switchboard login` can find it and prove (with `secret`) that it runs as the same user.
 */
export const RUNTIME_FILE = 'runtime.json';

export interface RuntimeInfo {
  /** The gateway's own URL, as printed in the ready line. */
  url: string;
  pid: number;
  /** Lets the holder ask for one-time login links; readable only by the user, like the file. */
  secret: string;
  startedAt: string;
}

/** Writes runtime.json readable only by the user, never half-written: a temporary file renamed over it. */
export function writeRuntimeFile(dataDir: string, info: RuntimeInfo): void {
  const path = join(dataDir, RUNTIME_FILE);
  const temporary = `${path}.${process.pid}.tmp`;
  rmSync(temporary, { force: true });
  writeFileSync(temporary, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  renameSync(temporary, path);
}

/** Thrown when runtime.json is there but not what a gateway writes. */
export class RuntimeFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeFileError';
  }
}

/** The running gateway's runtime.json; throws the fs error (ENOENT: none running) or RuntimeFileError. */
export function readRuntimeFile(dataDir: string): RuntimeInfo {
  const path = join(dataDir, RUNTIME_FILE);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    if (error instanceof SyntaxError) throw new RuntimeFileError(`${path} is damaged (not JSON).`);
    throw error;
  }
  const info = parsed as Partial<Record<keyof RuntimeInfo, unknown>> | null;
  if (
    typeof info !== 'object' ||
    info === null ||
    typeof info.url !== 'string' ||
    typeof info.secret !== 'string' ||
    typeof info.pid !== 'number' ||
    typeof info.startedAt !== 'string'
  )
    throw new RuntimeFileError(`${path} is damaged (it lacks the gateway's url or secret).`);
  return { url: info.url, pid: info.pid, secret: info.secret, startedAt: info.startedAt };
}

/**
 * Removes runtime.json if it is still this gateway's: another gateway started later on the same
 * data dir has written its own, which must stay.
 */
export function removeRuntimeFile(dataDir: string, secret: string): void {
  try {
    if (readRuntimeFile(dataDir).secret !== secret) return;
    unlinkSync(join(dataDir, RUNTIME_FILE));
  } catch {
    // Gone already, or not ours to judge: either way nothing is left to clean up.
  }
}

/**
 * A 32-byte key kept in `<dataDir>/NAME`, readable only by the user, created on first use. A
 * damaged file is replaced: what it protected (dashboard sessions) is only worth a new sign-in.
 */
export function readOrCreateKeyFile(dataDir: string, name: string): Buffer {
  const path = join(dataDir, name);
  if (existsSync(path)) {
    const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
    if (key.length === 32) {
      chmodSync(path, 0o600);
      return key;
    }
  }
  const key = randomBytes(32);
  const temporary = `${path}.${process.pid}.tmp`;
  rmSync(temporary, { force: true });
  writeFileSync(temporary, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  renameSync(temporary, path);
  return key;
}

/** Held by the gateway that runs on a data dir, so that a second one cannot replay its journal or sweep its reservations. */
export const LOCK_FILE = 'gateway.lock';

/** Whether a process with this pid is running (EPERM: it is, owned by another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, owned by someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the data dir for this gateway, or throws when another live process holds it (a lock left
 * by a process that died, `kill -9` included, is taken over). Returns the release function.
 */
export function lockDataDir(dataDir: string): () => void {
  const path = join(dataDir, LOCK_FILE);
  const token = `${process.pid} ${randomBytes(8).toString('hex')}`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, token, { mode: 0o600, flag: 'wx' });
      return () => {
        try {
          if (readFileSync(path, 'utf8') === token) unlinkSync(path);
        } catch {
          // Already gone.
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
        throw new DataDirLockedError(
          `Another Switchboard (pid ${holder}) is running on ${dataDir}; stop it first, or choose another --data-dir.`,
        );
      }
      rmSync(path, { force: true });
    }
  }
  throw new DataDirLockedError(`Could not take ${path}; is another Switchboard starting on ${dataDir}?`);
}

export class DataDirLockedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataDirLockedError';
  }
}
