import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SecretBox } from '../gateway/index.ts';

export const ADMIN_TOKEN_FILE = 'desktop-admin-token';

/**
 * The desktop app's admin token, the same at every start so that an open window, or a script
 * the user gave it to, keeps working across restarts. Kept sealed by the same box as the vendor
 * keys; when it cannot be opened (the keychain was reset), a new one replaces it.
 */
export function loadAdminToken(dataDir: string, box: SecretBox, log: (message: string) => void): string {
  const path = join(dataDir, ADMIN_TOKEN_FILE);
  if (existsSync(path)) {
    try {
      const token = box.open(readFileSync(path, 'utf8').trim());
      if (token.length >= 32) return token;
    } catch (error) {
      log(`The saved admin token could not be opened (${(error as Error).message}); making a new one.`);
    }
  }
  const token = randomBytes(24).toString('base64url');
  // Read before the gateway first opens (and creates) the data dir: same mode as the store gives it.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(path, `${box.seal(token)}\n`, { mode: 0o600 });
  // writeFileSync's mode applies only to a new file.
  chmodSync(path, 0o600);
  return token;
}
