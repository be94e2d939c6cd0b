import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileKeyBox } from '../../../gateway/secrets/file-key-box.ts';

const SECRET = 'sk-proj-very-secret-vendor-key-1234567890';

describe('fileKeyBox', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-box-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates secret.key readable only by the user (0600) holding 32 bytes of base64', () => {
    const box = fileKeyBox(dir);
    expect(box.kind).toBe('file-key');
    const path = join(dir, 'secret.key');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(path, 'utf8').trim(), 'base64')).toHaveLength(32);
  });

  it('tightens the mode of an existing key file to 0600', () => {
    fileKeyBox(dir);
    const path = join(dir, 'secret.key');
    const key = readFileSync(path, 'utf8');
    rmSync(path);
    writeFileSync(path, key, { mode: 0o644 });
    fileKeyBox(dir);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('gives back what it sealed', () => {
    const box = fileKeyBox(dir);
    for (const text of [SECRET, '', 'ünïcødé ✓ 🔑', 'x'.repeat(10_000)]) {
      expect(box.open(box.seal(text))).toBe(text);
    }
  });

  it('seals the same text differently each time and never shows the plaintext', () => {
    const box = fileKeyBox(dir);
    const sealed = Array.from({ length: 20 }, () => box.seal(SECRET));
    expect(new Set(sealed).size).toBe(20);
    for (const text of sealed) {
      expect(text.startsWith('v1:')).toBe(true);
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('very-secret');
      expect(Buffer.from(text.slice(3), 'base64').toString('latin1')).not.toContain('very-secret');
    }
  });

  it('opens, with a second box on the same dir, what the first sealed', () => {
    const sealed = fileKeyBox(dir).seal(SECRET);
    expect(fileKeyBox(dir).open(sealed)).toBe(SECRET);
  });

  it('cannot open what a box on another dir sealed', () => {
    const otherDir = mkdtempSync(join(tmpdir(), 'switchboard-box-other-'));
    try {
      const sealed = fileKeyBox(otherDir).seal(SECRET);
      expect(() => fileKeyBox(dir).open(sealed)).toThrow();
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it('throws on tampered ciphertext, auth tag or iv', () => {
    const box = fileKeyBox(dir);
    const sealed = box.seal(SECRET);
    const raw = Buffer.from(sealed.slice(3), 'base64');
    for (const position of [0, 12, 28, raw.length - 1]) {
      const tampered = Buffer.from(raw);
      tampered[position] = tampered[position]! ^ 0x01;
      expect(() => box.open(`v1:${tampered.toString('base64')}`)).toThrow();
    }
  });

  it('throws on an unknown format', () => {
    const box = fileKeyBox(dir);
    const sealed = box.seal(SECRET);
    expect(() => box.open(sealed.replace(/^v1:/, 'v2:'))).toThrow('Unknown sealed secret format');
    expect(() => box.open('not sealed at all')).toThrow('Unknown sealed secret format');
  });

  it('refuses a damaged key file', () => {
    writeFileSync(join(dir, 'secret.key'), Buffer.alloc(16).toString('base64'), { mode: 0o600 });
    expect(() => fileKeyBox(dir)).toThrow('damaged');
  });
});
