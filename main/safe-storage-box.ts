import type { SecretBox } from '../gateway/index.ts';

/** The parts of Electron's `safeStorage` this box uses. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only; elsewhere Electron does not define it. */
  getSelectedStorageBackend?(): string;
}

/** Secrets sealed by the OS keychain carry this prefix; the headless file-key box writes `v1:`. */
const PREFIX = 'ss1:';
const FILE_KEY_PREFIX = 'v1:';

export interface SafeStorageBoxOptions {
  platform: NodeJS.Platform;
  /**
   * The headless mode's box for the same data dir. Made only when a `v1:` secret must be
   * opened (keys saved by `switchboard serve` before the desktop app first ran), or when the OS
   * offers no encryption at all.
   */
  fileKeyBox: () => SecretBox;
}

/**
 * Vendor keys sealed with Electron `safeStorage` (Keychain on macOS, DPAPI on Windows, the
 * Secret Service or KWallet on Linux); secrets sealed by the file-key box still open.
 *
 * On Linux with no keyring, Chromium falls back to `basic_text`, a key compiled into every
 * build: we still seal with it, but report kind `basic-text` so the dashboard can say that the
 * keys are not really protected.
 */
export function safeStorageBox(safeStorage: SafeStorageLike, options: SafeStorageBoxOptions): SecretBox {
  if (!safeStorage.isEncryptionAvailable()) return options.fileKeyBox();
  let fileKey: SecretBox | undefined;
  const legacy = () => (fileKey ??= options.fileKeyBox());
  const basicText =
    options.platform === 'linux' && safeStorage.getSelectedStorageBackend?.() === 'basic_text';
  return {
    kind: basicText ? 'basic-text' : 'safe-storage',
    seal(plaintext) {
      return PREFIX + safeStorage.encryptString(plaintext).toString('base64');
    },
    open(sealed) {
      if (sealed.startsWith(PREFIX))
        return safeStorage.decryptString(Buffer.from(sealed.slice(PREFIX.length), 'base64'));
      if (sealed.startsWith(FILE_KEY_PREFIX)) return legacy().open(sealed);
      throw new Error('Unknown sealed secret format.');
    },
  };
}
