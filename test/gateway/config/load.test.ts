import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConfigError,
  ENV_REFUSED,
  formatPath,
  loadConfigFile,
  parseConfig,
} from '../../../gateway/config/load.ts';

/** The example of CONTRACT §2, as the YAML parser would give it. */
function exampleConfig(): Record<string, unknown> {
  return {
    routes: [
      {
        id: 'claude',
        vendor: 'anthropic',
        baseUrl: 'https://api.anthropic.com',
        apiKey: 'env:ANTHROPIC_API_KEY',
        models: ['claude-*'],
        defaultModel: 'claude-sonnet-4-6',
        budget: { usd: 20, period: 'month' },
        filters: ['no-secrets'],
      },
    ],
    apps: [
      {
        name: 'my-ide',
        key: 'sbk_test_0123456789abcdef0123',
        routes: ['claude'],
        budget: { usd: 5, period: 'day' },
        rateLimit: { rpm: 60, tpm: 200000 },
      },
    ],
    filters: [
      {
        name: 'no-secrets',
        kind: 'redact',
        patterns: ['builtin:api-keys', 'builtin:emails', '(?i)password\\s*=\\s*\\S+'],
      },
    ],
    prices: [{ model: 'my-local-model', inputPerMTok: 0, outputPerMTok: 0 }],
    server: { maxBodyMb: 32, allowedHosts: [], corsOrigins: [] },
  };
}

const ENV = { ANTHROPIC_API_KEY: 'sk-ant-test-value' };

/** The ConfigError message that `work` throws; fails the test when it throws nothing or something else. */
function configErrorOf(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected a ConfigError, but nothing was thrown');
}

describe('parseConfig', () => {
  it('parses the example config of the contract, filters and prices included', () => {
    const config = parseConfig(exampleConfig(), 'switchboard.yaml', ENV);
    expect(config.routes).toEqual([
      {
        id: 'claude',
        vendor: 'anthropic',
        baseUrl: 'https://api.anthropic.com',
        apiKey: 'sk-ant-test-value',
        models: ['claude-*'],
        defaultModel: 'claude-sonnet-4-6',
        budget: { usd: 20, period: 'month' },
        filters: ['no-secrets'],
      },
    ]);
    expect(config.apps).toEqual([
      {
        name: 'my-ide',
        key: 'sbk_test_0123456789abcdef0123',
        routes: ['claude'],
        budget: { usd: 5, period: 'day' },
        rateLimit: { rpm: 60, tpm: 200000 },
        filters: [],
      },
    ]);
    expect(config.filters).toEqual([
      {
        name: 'no-secrets',
        kind: 'redact',
        patterns: ['builtin:api-keys', 'builtin:emails', '(?i)password\\s*=\\s*\\S+'],
      },
    ]);
    expect(config.prices).toEqual([{ model: 'my-local-model', inputPerMTok: 0, outputPerMTok: 0 }]);
    expect(config.server).toEqual({ maxBodyMb: 32, allowedHosts: [], corsOrigins: [] });
  });

  it('fills defaults for an empty config', () => {
    expect(parseConfig({}, 'empty.yaml', {})).toEqual({
      routes: [],
      apps: [],
      filters: [],
      prices: [],
      server: { maxBodyMb: 32, allowedHosts: [], corsOrigins: [] },
    });
  });

  it('names the source file, the path and the allowed values for an invalid vendor', () => {
    const raw = exampleConfig();
    (raw['routes'] as Record<string, unknown>[])[0]!['vendor'] = 'openia';
    const message = configErrorOf(() => parseConfig(raw, '/home/me/switchboard.yaml', ENV));
    expect(message.startsWith('/home/me/switchboard.yaml:')).toBe(true);
    expect(message).toContain('routes[0].vendor');
    for (const vendor of ['openai', 'anthropic', 'gemini', 'ollama', 'openai-compatible']) {
      expect(message).toContain(`"${vendor}"`);
    }
  });

  it('names an unknown field and where it is', () => {
    const raw = exampleConfig();
    (raw['routes'] as Record<string, unknown>[])[0]!['modles'] = ['x'];
    const message = configErrorOf(() => parseConfig(raw, 'cfg.yaml', ENV));
    expect(message).toContain('routes[0]: unknown field "modles"');
  });

  it('names an unknown top-level field', () => {
    const message = configErrorOf(() => parseConfig({ route: [] }, 'cfg.yaml', {}));
    expect(message).toContain('(top level): unknown field "route"');
  });

  it.each(['Claude', 'my_route', '', 'a'.repeat(65), 'café'])('rejects the route id %j', (id) => {
    const message = configErrorOf(() => parseConfig({ routes: [{ id, vendor: 'openai' }] }, 'cfg.yaml', {}));
    expect(message).toContain('routes[0].id');
    expect(message).toContain('a-z, 0-9 and -');
  });

  it('accepts a route id of 64 characters of a-z, 0-9 and -', () => {
    const id = 'a-9'.repeat(21) + 'z';
    expect(parseConfig({ routes: [{ id, vendor: 'openai' }] }, 'cfg.yaml', {}).routes[0]!.id).toBe(id);
  });

  it('rejects a duplicate route id at the second occurrence', () => {
    const raw = {
      routes: [
        { id: 'main', vendor: 'openai' },
        { id: 'main', vendor: 'anthropic' },
      ],
    };
    const message = configErrorOf(() => parseConfig(raw, 'cfg.yaml', {}));
    expect(message).toContain('routes[1].id: duplicate route id "main"');
    expect(message).not.toContain('routes[0].id');
  });

  it('rejects an app that names a route the file does not define', () => {
    const raw = exampleConfig();
    (raw['apps'] as Record<string, unknown>[])[0]!['routes'] = ['claud'];
    const message = configErrorOf(() => parseConfig(raw, 'cfg.yaml', ENV));
    expect(message).toContain('apps[0].routes[0]: no route with id "claud"');
  });

  it('rejects a route filter that is not defined', () => {
    const raw = exampleConfig();
    (raw['routes'] as Record<string, unknown>[])[0]!['filters'] = ['no-secrets', 'no-pii'];
    const message = configErrorOf(() => parseConfig(raw, 'cfg.yaml', ENV));
    expect(message).toContain('routes[0].filters[1]: no filter named "no-pii"');
    expect(message).not.toContain('filters[0]');
  });

  it('reports every problem at once', () => {
    const raw = {
      routes: [
        { id: 'a', vendor: 'openai', filters: ['nope'] },
        { id: 'a', vendor: 'openai' },
      ],
      apps: [{ name: 'x', routes: ['b'] }],
    };
    const message = configErrorOf(() => parseConfig(raw, 'cfg.yaml', {}));
    expect(message).toContain('routes[0].filters[0]');
    expect(message).toContain('routes[1].id');
    expect(message).toContain('apps[0].routes[0]');
  });

  it('resolves env:NAME from the environment object it is given', () => {
    const raw = {
      routes: [{ id: 'oa', vendor: 'openai', apiKey: 'env:MY_OPENAI_KEY' }],
      apps: [{ name: 'ide', key: 'env:IDE_KEY' }],
    };
    const config = parseConfig(raw, 'cfg.yaml', {
      MY_OPENAI_KEY: 'sk-from-the-env',
      IDE_KEY: 'sbk_from_env_0123456789',
    });
    expect(config.routes[0]!.apiKey).toBe('sk-from-the-env');
    expect(config.apps[0]!.key).toBe('sbk_from_env_0123456789');
  });

  it('refuses env: when given no environment (the admin API), even where the variable is set', () => {
    const name = 'SB_LOAD_TEST_SECRET';
    process.env[name] = 'sk-set-in-this-process-0000';
    try {
      const raw = {
        routes: [{ id: 'oa', vendor: 'openai', apiKey: `env:${name}` }],
        apps: [{ name: 'ide', key: `env:${name}` }],
      };
      const message = configErrorOf(() => parseConfig(raw, 'import'));
      expect(message).toContain(`routes[0].apiKey: ${ENV_REFUSED}`);
      expect(message).toContain(`apps[0].key: ${ENV_REFUSED}`);
      expect(message).not.toContain('sk-set-in-this-process-0000');
      // A literal key needs no environment.
      const literal = { routes: [{ id: 'oa', vendor: 'openai', apiKey: 'sk-literal' }] };
      expect(parseConfig(literal, 'import').routes[0]!.apiKey).toBe('sk-literal');
    } finally {
      delete process.env[name];
    }
  });

  it('keeps a literal apiKey as it is', () => {
    const raw = { routes: [{ id: 'oa', vendor: 'openai', apiKey: 'sk-literal' }] };
    expect(parseConfig(raw, 'cfg.yaml', {}).routes[0]!.apiKey).toBe('sk-literal');
  });

  it('names a missing environment variable and the path that uses it', () => {
    const message = configErrorOf(() => parseConfig(exampleConfig(), 'cfg.yaml', { OTHER: 'x' }));
    expect(message).toContain('routes[0].apiKey');
    expect(message).toContain('ANTHROPIC_API_KEY');
  });

  it('treats an empty environment variable as missing', () => {
    const message = configErrorOf(() => parseConfig(exampleConfig(), 'cfg.yaml', { ANTHROPIC_API_KEY: '' }));
    expect(message).toContain('routes[0].apiKey: the environment variable ANTHROPIC_API_KEY is not set');
  });

  it('never puts the value of a resolved secret into an error message', () => {
    const raw = exampleConfig();
    (raw['routes'] as Record<string, unknown>[])[0]!['vendor'] = 'nope';
    const message = configErrorOf(() => parseConfig(raw, 'cfg.yaml', ENV));
    expect(message).not.toContain('sk-ant-test-value');
  });

  it('rejects an app key shorter than 16 characters', () => {
    const message = configErrorOf(() => parseConfig({ apps: [{ name: 'a', key: 'short' }] }, 'cfg.yaml', {}));
    expect(message).toContain('apps[0].key');
  });

  it('takes vendor and baseUrl from the lm-studio preset', () => {
    const config = parseConfig({ routes: [{ id: 'local', preset: 'lm-studio' }] }, 'cfg.yaml', {});
    expect(config.routes[0]!.vendor).toBe('openai-compatible');
    expect(config.routes[0]!.baseUrl).toBe('http://127.0.0.1:1234/v1');
    expect(config.routes[0]).not.toHaveProperty('preset');
  });

  it('lets an explicit baseUrl win over the preset', () => {
    const raw = { routes: [{ id: 'local', preset: 'lm-studio', baseUrl: 'http://127.0.0.1:9999/v1' }] };
    expect(parseConfig(raw, 'cfg.yaml', {}).routes[0]!.baseUrl).toBe('http://127.0.0.1:9999/v1');
  });

  it('names the allowed presets for an unknown one', () => {
    const message = configErrorOf(() =>
      parseConfig({ routes: [{ id: 'x', preset: 'lmstudio' }] }, 'cfg.yaml', {}),
    );
    expect(message).toContain('routes[0].preset');
    expect(message).toContain('lm-studio');
  });

  it.each([
    ['ollama', 'http://127.0.0.1:11434/v1'],
    ['openai', 'https://api.openai.com/v1'],
    ['anthropic', 'https://api.anthropic.com'],
    ['gemini', 'https://generativelanguage.googleapis.com'],
  ])('gives vendor %s the default baseUrl %s', (vendor, baseUrl) => {
    const config = parseConfig({ routes: [{ id: 'r', vendor }] }, 'cfg.yaml', {});
    expect(config.routes[0]!.baseUrl).toBe(baseUrl);
  });

  it('requires a baseUrl for openai-compatible', () => {
    const message = configErrorOf(() =>
      parseConfig({ routes: [{ id: 'vllm', vendor: 'openai-compatible' }] }, 'cfg.yaml', {}),
    );
    expect(message).toContain('routes[0].baseUrl');
    expect(message).toContain('openai-compatible');
  });

  it('requires a vendor or a preset', () => {
    const message = configErrorOf(() => parseConfig({ routes: [{ id: 'x' }] }, 'cfg.yaml', {}));
    expect(message).toContain('routes[0].vendor');
  });

  it('strips trailing slashes from baseUrl', () => {
    const raw = {
      routes: [
        { id: 'a', vendor: 'openai-compatible', baseUrl: 'http://127.0.0.1:8000/v1/' },
        { id: 'b', vendor: 'openai-compatible', baseUrl: 'https://example.test/api/v1//' },
      ],
    };
    const config = parseConfig(raw, 'cfg.yaml', {});
    expect(config.routes.map((route) => route.baseUrl)).toEqual([
      'http://127.0.0.1:8000/v1',
      'https://example.test/api/v1',
    ]);
  });

  it('rejects a baseUrl that is not http(s)', () => {
    const message = configErrorOf(() =>
      parseConfig({ routes: [{ id: 'a', vendor: 'openai', baseUrl: 'file:///etc/passwd' }] }, 'cfg.yaml', {}),
    );
    expect(message).toContain('routes[0].baseUrl');
  });

  it('rejects duplicate app names, filter names and prices', () => {
    const raw = {
      apps: [{ name: 'a' }, { name: 'a' }],
      filters: [
        { name: 'f', kind: 'block' },
        { name: 'f', kind: 'redact' },
      ],
      prices: [
        { model: 'm', inputPerMTok: 1, outputPerMTok: 1 },
        { model: 'm', inputPerMTok: 2, outputPerMTok: 2 },
      ],
    };
    const message = configErrorOf(() => parseConfig(raw, 'cfg.yaml', {}));
    expect(message).toContain('apps[1].name');
    expect(message).toContain('filters[1].name');
    expect(message).toContain('prices[1].model');
  });
});

describe('parseConfig: model maps', () => {
  it('reads a route’s and an app’s modelMap from YAML, in the order written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-model-map-'));
    try {
      const file = join(dir, 'agents.yaml');
      writeFileSync(
        file,
        [
          'routes:',
          '  - id: local',
          '    vendor: ollama',
          '    modelMap: { "gemini-*flash*": "qwen3", "gemini-*": "llama3.3" }',
          'apps:',
          '  - name: claude-code',
          '    modelMap:',
          '      "claude-*haiku*": local/llama3.2',
          '      "claude-*": gpt/gpt-5',
          '',
        ].join('\n'),
      );
      const config = loadConfigFile(file, {});
      expect(Object.entries(config.routes[0]!.modelMap!)).toEqual([
        ['gemini-*flash*', 'qwen3'],
        ['gemini-*', 'llama3.3'],
      ]);
      expect(Object.entries(config.apps[0]!.modelMap!)).toEqual([
        ['claude-*haiku*', 'local/llama3.2'],
        ['claude-*', 'gpt/gpt-5'],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names an empty pattern, an empty or non-string model, and too many patterns, with their paths', () => {
    const route = (modelMap: unknown) => ({ routes: [{ id: 'local', vendor: 'ollama', modelMap }] });
    expect(configErrorOf(() => parseConfig(route({ '': 'qwen3' }), 'f.yaml'))).toBe(
      'f.yaml: invalid config:\n  routes[0].modelMap: a pattern cannot be empty',
    );
    expect(configErrorOf(() => parseConfig(route({ 'gpt-*': ' ' }), 'f.yaml'))).toBe(
      'f.yaml: invalid config:\n  routes[0].modelMap.gpt-*: a model cannot be empty',
    );
    expect(configErrorOf(() => parseConfig(route({ 'gpt-*': 5 }), 'f.yaml'))).toContain(
      'routes[0].modelMap.gpt-*: Invalid input: expected string, received number',
    );
    expect(configErrorOf(() => parseConfig(route(['gpt-*']), 'f.yaml'))).toContain('routes[0].modelMap:');
    const many = Object.fromEntries(Array.from({ length: 257 }, (_, index) => [`m${index}`, 'x']));
    expect(configErrorOf(() => parseConfig({ apps: [{ name: 'a', modelMap: many }] }, 'f.yaml'))).toBe(
      'f.yaml: invalid config:\n  apps[0].modelMap: at most 256 patterns',
    );
  });
});

describe('parseConfig: whether a route’s server speaks the Responses API', () => {
  it('takes `responses` on openai-compatible and ollama routes, lm-studio’s preset included', () => {
    const raw = {
      routes: [
        { id: 'vllm', vendor: 'openai-compatible', baseUrl: 'http://127.0.0.1:8000/v1', responses: true },
        { id: 'studio', preset: 'lm-studio', responses: true },
        { id: 'local', vendor: 'ollama', responses: false },
        { id: 'plain', vendor: 'ollama' },
      ],
    };
    expect(parseConfig(raw, 'cfg.yaml', {}).routes.map((route) => route.responses)).toEqual([
      true,
      true,
      false,
      undefined,
    ]);
  });

  it('refuses it on other vendors, saying which take it and why this one does not', () => {
    const message = configErrorOf(() =>
      parseConfig(
        {
          routes: [
            { id: 'oa', vendor: 'openai', responses: true },
            { id: 'claude', vendor: 'anthropic', responses: false },
            { id: 'gem', vendor: 'gemini', responses: true },
          ],
        },
        'cfg.yaml',
        {},
      ),
    );
    expect(message).toBe(
      [
        'cfg.yaml: invalid config:',
        '  routes[0].responses: only for ollama, openai-compatible routes, whose servers may or may not speak the Responses API; vendor openai always speaks the Responses API',
        '  routes[1].responses: only for ollama, openai-compatible routes, whose servers may or may not speak the Responses API; vendor anthropic never speaks the Responses API (its Responses requests are translated)',
        '  routes[2].responses: only for ollama, openai-compatible routes, whose servers may or may not speak the Responses API; vendor gemini never speaks the Responses API (its Responses requests are translated)',
      ].join('\n'),
    );
  });

  it('refuses a value that is not a boolean', () => {
    const message = configErrorOf(() =>
      parseConfig({ routes: [{ id: 'local', vendor: 'ollama', responses: 'yes' }] }, 'cfg.yaml', {}),
    );
    expect(message).toContain('routes[0].responses');
  });
});

describe('formatPath', () => {
  it('writes indexes in brackets and names with dots', () => {
    expect(formatPath(['routes', 0, 'vendor'])).toBe('routes[0].vendor');
    expect(formatPath(['apps', 2, 'routes', 1])).toBe('apps[2].routes[1]');
    expect(formatPath(['server', 'maxBodyMb'])).toBe('server.maxBodyMb');
  });

  it('calls the empty path the top level', () => {
    expect(formatPath([])).toBe('(top level)');
  });
});

describe('loadConfigFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-load-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the process environment for the config file given at start', () => {
    const name = 'SB_LOAD_TEST_FILE_KEY';
    const file = join(dir, 'env.yaml');
    writeFileSync(file, `routes:\n  - { id: oa, vendor: openai, apiKey: "env:${name}" }\n`);
    process.env[name] = 'sk-file-env-value';
    try {
      expect(loadConfigFile(file).routes[0]!.apiKey).toBe('sk-file-env-value');
    } finally {
      delete process.env[name];
    }
  });

  it('reads and resolves a YAML file', () => {
    const file = join(dir, 'switchboard.yaml');
    writeFileSync(
      file,
      [
        'routes:',
        '  - id: local',
        '    vendor: ollama',
        '    models: ["llama*"]',
        'apps:',
        '  - name: cli',
        '    routes: [local]',
        '',
      ].join('\n'),
    );
    const config = loadConfigFile(file, {});
    expect(config.routes).toEqual([
      {
        id: 'local',
        vendor: 'ollama',
        baseUrl: 'http://127.0.0.1:11434/v1',
        models: ['llama*'],
        filters: [],
      },
    ]);
    expect(config.apps).toEqual([{ name: 'cli', routes: ['local'], key: undefined, filters: [] }]);
  });

  it('treats an empty YAML file as an empty config', () => {
    const file = join(dir, 'empty.yaml');
    writeFileSync(file, '');
    expect(loadConfigFile(file, {}).routes).toEqual([]);
  });

  it('names a missing file', () => {
    const file = join(dir, 'missing.yaml');
    const message = configErrorOf(() => loadConfigFile(file, {}));
    expect(message).toContain(file);
    expect(message).toContain('file not found');
  });

  it('names the file of invalid YAML', () => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'routes:\n  - id: "unterminated\n    vendor: openai\n');
    const message = configErrorOf(() => loadConfigFile(file, {}));
    expect(message.startsWith(`${file}: not valid YAML`)).toBe(true);
  });

  it('reads a .json file as JSON', () => {
    const file = join(dir, 'switchboard.json');
    writeFileSync(
      file,
      JSON.stringify({ routes: [{ id: 'oa', vendor: 'openai', apiKey: 'env:OA_KEY', models: ['gpt-*'] }] }),
    );
    const config = loadConfigFile(file, { OA_KEY: 'sk-json-env' });
    expect(config.routes[0]).toEqual({
      id: 'oa',
      vendor: 'openai',
      baseUrl: 'https://api.openai.com/v1',
      apiKey: 'sk-json-env',
      models: ['gpt-*'],
      filters: [],
    });
  });

  it('names the file of invalid JSON', () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{"routes": [');
    const message = configErrorOf(() => loadConfigFile(file, {}));
    expect(message.startsWith(`${file}: not valid JSON`)).toBe(true);
  });

  it('names the file and the path of a schema problem', () => {
    const file = join(dir, 'bad-vendor.yaml');
    writeFileSync(file, 'routes:\n  - id: x\n    vendor: mistral\n');
    const message = configErrorOf(() => loadConfigFile(file, {}));
    expect(message.startsWith(`${file}: invalid config`)).toBe(true);
    expect(message).toContain('routes[0].vendor');
  });
});

describe('parseConfig: fallbacks and retries', () => {
  it('takes fallbacks naming other routes, later ones in the file included, and retries 0–5', () => {
    const raw = {
      routes: [
        { id: 'claude', vendor: 'anthropic', fallbacks: ['gpt', 'local'], retries: 0 },
        { id: 'gpt', vendor: 'openai', retries: 5 },
        { id: 'local', vendor: 'ollama' },
      ],
      server: {
        retry: { retries: 1, maxDelayMs: 2000, deadlineMs: 30000 },
        cooldown: { failures: 5, seconds: 10 },
      },
    };
    const config = parseConfig(raw, 'cfg.yaml', {});
    expect(config.routes.map((route) => [route.fallbacks, route.retries])).toEqual([
      [['gpt', 'local'], 0],
      [undefined, 5],
      [undefined, undefined],
    ]);
    expect(config.server.retry).toEqual({ retries: 1, maxDelayMs: 2000, deadlineMs: 30000 });
  });

  it('refuses a fallback to itself, one listed twice, an unknown one, and retries out of range', () => {
    const message = configErrorOf(() =>
      parseConfig(
        {
          routes: [
            { id: 'claude', vendor: 'anthropic', fallbacks: ['claude', 'gpt', 'gpt', 'nope'] },
            { id: 'gpt', vendor: 'openai' },
          ],
        },
        'cfg.yaml',
        {},
      ),
    );
    expect(message).toBe(
      [
        'cfg.yaml: invalid config:',
        '  routes[0].fallbacks[0]: a route cannot fall back to itself',
        '  routes[0].fallbacks[2]: "gpt" is listed twice',
        '  routes[0].fallbacks[3]: no route with id "nope"',
      ].join('\n'),
    );
    expect(
      configErrorOf(() => parseConfig({ routes: [{ id: 'a', vendor: 'openai', retries: 6 }] }, 'f.yaml')),
    ).toContain('routes[0].retries');
  });
});
