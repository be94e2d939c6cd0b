import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Gemini fixtures written for these tests (test/fixtures/gemini/README.md says what each shows). */
const DIR = fileURLToPath(new URL('../../../fixtures/gemini/', import.meta.url));

export function geminiFixtureText(name: string): string {
  return readFileSync(`${DIR}${name}`, 'utf8');
}

export function geminiFixtureJson(name: string): Record<string, unknown> {
  return JSON.parse(geminiFixtureText(name)) as Record<string, unknown>;
}

export function geminiFixtureChunks(name: string): string[] {
  return geminiFixtureText(name)
    .split('\n')
    .filter((line) => line.trim() !== '');
}
