import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SecretBox } from './types.ts';

const KEY_FILE = 'secret.key';
const VERSION = 'v1';

/** AES-256-GCM with a 32-byte key kept in `<dataDir>/secret.key`, readable only by the user (0600). */
export function fileKeyBox(dataDir: string): SecretBox {
  const path = join(dataDir, KEY_FILE);
  let key: Buffer;
  if (existsSync(path)) {
    key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error(`The key file ${path} is damaged: expected 32 bytes of base64.`);
  } else {
    key = randomBytes(32);
    // 'wx' fails if another process created the file in between, instead of overwriting its key.
    writeFileSync(path, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  }
  chmodSync(path, 0o600);

  return {
    kind: 'file-key',
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
    },
    open(sealed) {
      const [version, payload] = sealed.split(':', 2);
      if (version !== VERSION || payload === undefined) throw new Error('Unknown sealed secret format.');
      const raw = Buffer.from(payload, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}
