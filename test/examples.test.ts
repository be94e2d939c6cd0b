import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../gateway/config/load.ts';

const EXAMPLES = fileURLToPath(new URL('../examples/', import.meta.url));
const environment = { ANTHROPIC_API_KEY: 'test-a', GEMINI_API_KEY: 'test-g', OPENAI_API_KEY: 'test-o' };

describe('the example configs the README points to', () => {
  for (const file of readdirSync(EXAMPLES).filter((name) => name.endsWith('.yaml'))) {
    it(`${file} is valid`, () => {
      const config = loadConfigFile(join(EXAMPLES, file), environment);
      expect(config.routes.length).toBeGreaterThan(0);
      expect(config.apps.length).toBeGreaterThan(0);
    });
  }

  it('ollama.yaml routes to a local Ollama', () => {
    const config = loadConfigFile(join(EXAMPLES, 'ollama.yaml'), {});
    expect(config.routes[0]).toMatchObject({ vendor: 'ollama', baseUrl: 'http://127.0.0.1:11434/v1' });
  });
});
