import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Carrier, JsonObject } from '../formats/types.ts';

/*
 * Vendor state (signed thinking, thought signatures) handed to a client to bring back next turn,
 * as `sbc1.` + base64url(iv ‖ tag ‖ AES-256-GCM of its JSON). The key is the data dir's
 * `carrier.key`, so tokens outlive a restart; the associated data names the purpose, so no other
 * sealed text of the gateway opens as one. Opening never throws: a token altered, cut, made with
 * another key or by someone else is null, and the request goes on without it.
 */

const PREFIX = 'sbc1.';
const PURPOSE = Buffer.from('switchboard carried vendor state v1');
const IV_BYTES = 12;
const TAG_BYTES = 16;

export const CARRIER_KEY_FILE = 'carrier.key';

export function carrierWithKey(key: Buffer): Carrier {
  if (key.length !== 32) throw new Error('A carrier key is 32 bytes.');
  return {
    seal(state) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(PURPOSE);
      const body = Buffer.concat([cipher.update(JSON.stringify(state), 'utf8'), cipher.final()]);
      return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
    },
    open(token) {
      if (!token.startsWith(PREFIX)) return null;
      const raw = Buffer.from(token.slice(PREFIX.length), 'base64url');
      if (raw.length <= IV_BYTES + TAG_BYTES) return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES)).setAAD(PURPOSE);
        decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        const text = Buffer.concat([
          decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)),
          decipher.final(),
        ]).toString('utf8');
        const state: unknown = JSON.parse(text);
        return typeof state === 'object' && state !== null && !Array.isArray(state)
          ? (state as JsonObject)
          : null;
      } catch {
        return null;
      }
    },
    owns: (token) => token.startsWith(PREFIX),
  };
}
