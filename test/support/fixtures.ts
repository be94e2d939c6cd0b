import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The shared recordings (../shared/fixtures beside this repository). */
export const FIXTURES_DIR = fileURLToPath(new URL('../../../shared/fixtures/', import.meta.url));

export function fixtureJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, path), 'utf8')) as Record<string, unknown>;
}

/** A `.chunks.txt` recording: one JSON payload per line, empty lines skipped. */
export function fixtureChunks(path: string): string[] {
  return readFileSync(join(FIXTURES_DIR, path), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
}
