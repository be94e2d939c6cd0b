import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const APP_KEY_PREFIX = 'sbk_';

/** 32 base62 characters from rejection-sampled random bytes, so every character is equally likely. */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 62 * 4: bytes at or above it would bias the first characters.
      if (byte < 248) out += BASE62[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

export function generateAppKey(): string {
  return APP_KEY_PREFIX + randomBase62(32);
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** What the dashboard shows of a key after creation: enough to recognise it, too little to use it. */
export function displayPrefix(key: string): string {
  return key.slice(0, APP_KEY_PREFIX.length + 4) + '…';
}

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
