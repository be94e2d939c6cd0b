// @vitest-environment node
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fileKeyBox } from '../../gateway/secrets/file-key-box.ts';
import { ADMIN_TOKEN_FILE, loadAdminToken } from '../../main/admin-token.ts';
import { safeStorageBox } from '../../main/safe-storage-box.ts';
import { fakeSafeStorage } from './fake-electron.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-secrets-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the safeStorage box', () => {
  it('seals with the OS keychain and opens what it sealed', () => {
    const safeStorage = fakeSafeStorage();
    const legacy = vi.fn(() => fileKeyBox(dir));
    const box = safeStorageBox(safeStorage, { platform: 'darwin', fileKeyBox: legacy });
    const sealed = box.seal('sk-vendor-0123456789');
    expect(sealed.startsWith('ss1:')).toBe(true);
    expect(sealed).not.toContain('sk-vendor');
    expect(safeStorage.encryptString).toHaveBeenCalledWith('sk-vendor-0123456789');
    expect(box.open(sealed)).toBe('sk-vendor-0123456789');
    expect(box.kind).toBe('safe-storage');
    // The key file is not even made while nothing needs it.
    expect(legacy).not.toHaveBeenCalled();
  });

  it('opens secrets the headless gateway sealed with its key file (v1:)', () => {
    const sealedHeadless = fileKeyBox(dir).seal('sk-from-serve');
    expect(sealedHeadless.startsWith('v1:')).toBe(true);
    const legacy = vi.fn(() => fileKeyBox(dir));
    const box = safeStorageBox(fakeSafeStorage(), { platform: 'linux', fileKeyBox: legacy });
    expect(box.open(sealedHeadless)).toBe('sk-from-serve');
    expect(box.open(fileKeyBox(dir).seal('another'))).toBe('another');
    expect(legacy).toHaveBeenCalledTimes(1);
    // New secrets go to the keychain, not the key file.
    expect(box.seal('new').startsWith('ss1:')).toBe(true);
  });

  it('is kind basic-text on Linux without a keyring, so the dashboard can warn', () => {
    const box = safeStorageBox(fakeSafeStorage('basic_text'), {
      platform: 'linux',
      fileKeyBox: () => fileKeyBox(dir),
    });
    expect(box.kind).toBe('basic-text');
    expect(box.open(box.seal('still works'))).toBe('still works');
    for (const backend of ['gnome_libsecret', 'kwallet5', 'kwallet6'])
      expect(
        safeStorageBox(fakeSafeStorage(backend), { platform: 'linux', fileKeyBox: () => fileKeyBox(dir) })
          .kind,
      ).toBe('safe-storage');
  });

  it('asks for the backend only on Linux (Electron has it nowhere else)', () => {
    const safeStorage = fakeSafeStorage('basic_text');
    expect(safeStorageBox(safeStorage, { platform: 'win32', fileKeyBox: () => fileKeyBox(dir) }).kind).toBe(
      'safe-storage',
    );
    expect(safeStorage.getSelectedStorageBackend).not.toHaveBeenCalled();
  });

  it('falls back to the key file when the OS offers no encryption at all', () => {
    const box = safeStorageBox(fakeSafeStorage('unknown', false), {
      platform: 'darwin',
      fileKeyBox: () => fileKeyBox(dir),
    });
    expect(box.kind).toBe('file-key');
    expect(box.seal('x').startsWith('v1:')).toBe(true);
  });

  it('refuses what it does not know', () => {
    const box = safeStorageBox(fakeSafeStorage(), { platform: 'darwin', fileKeyBox: () => fileKeyBox(dir) });
    expect(() => box.open('plaintext')).toThrow('Unknown sealed secret format.');
    expect(() => box.open('ss1:bm90IG91cnM=')).toThrow(/decrypting/);
  });
});

describe('the admin token', () => {
  const box = () =>
    safeStorageBox(fakeSafeStorage(), { platform: 'darwin', fileKeyBox: () => fileKeyBox(dir) });

  it('is made once, kept sealed (0600), and the same at the next start', () => {
    const first = loadAdminToken(join(dir, 'data'), box(), () => undefined);
    expect(first.length).toBeGreaterThanOrEqual(32);
    const file = join(dir, 'data', ADMIN_TOKEN_FILE);
    expect(readFileSync(file, 'utf8')).not.toContain(first);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadAdminToken(join(dir, 'data'), box(), () => undefined)).toBe(first);
  });

  it('is replaced, and says so, when the keychain cannot open it any more', () => {
    const first = loadAdminToken(dir, box(), () => undefined);
    writeFileSync(join(dir, ADMIN_TOKEN_FILE), 'ss1:Z2FyYmFnZQ==\n');
    const log = vi.fn();
    const second = loadAdminToken(dir, box(), log);
    expect(second).not.toBe(first);
    expect(log).toHaveBeenCalledWith(expect.stringContaining('making a new one'));
    expect(loadAdminToken(dir, box(), () => undefined)).toBe(second);
  });
});
