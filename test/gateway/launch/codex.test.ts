import { describe, expect, it } from 'vitest';
import {
  codexConfigPath,
  codexConfigToml,
  codexOverrides,
  tomlString,
} from '../../../gateway/launch/codex.ts';

const BASE_URL = 'http://127.0.0.1:4141/openai/r1/v1';

/** What a line of `key = "…"` holds: TOML's escapes used here are JSON's too. */
function valueOf(toml: string, key: string): unknown {
  const line = toml.split('\n').find((candidate) => candidate.startsWith(`${key} = `));
  return line === undefined ? undefined : JSON.parse(line.slice(key.length + 3));
}

describe('tomlString', () => {
  it('escapes what would end the string or the line, DEL included, and keeps the rest', () => {
    const hostile = 'a"b\\c\nd\re\tf\u0000g\u007fh\u2028é😀';
    const quoted = tomlString(hostile);
    expect(quoted).toBe('"a\\"b\\\\c\\nd\\re\\tf\\u0000g\\u007fh\u2028é😀"');
    expect(JSON.parse(quoted)).toBe(hostile);
    // eslint-disable-next-line no-control-regex -- no control character may be left raw
    expect(quoted).not.toMatch(/[\u0000-\u001f\u007f]/);
  });

  it('replaces a lone surrogate, which TOML cannot hold', () => {
    expect(tomlString('a\uD800b\uDC00')).toBe('"a\uFFFDb\uFFFD"');
  });
});

describe('codexConfigToml', () => {
  it('puts model_provider above the provider table, which names the key variable, never the key', () => {
    expect(codexConfigToml(BASE_URL)).toBe(
      [
        'model_provider = "switchboard"',
        '',
        '[model_providers.switchboard]',
        'name = "Switchboard"',
        `base_url = "${BASE_URL}"`,
        'env_key = "SWITCHBOARD_APP_KEY"',
        'wire_api = "responses"',
        '',
      ].join('\n'),
    );
  });

  it('keeps a hostile URL inside its string and a hostile comment on its line', () => {
    const url = 'http://x"]\n[evil]\nenv_key = "OTHER"\\/v1';
    const toml = codexConfigToml(url, ['for /home/a\n[evil]']);
    const lines = toml.split('\n');
    expect(lines.filter((line) => line.startsWith('['))).toEqual(['[model_providers.switchboard]']);
    expect(lines[0]).toBe('# for /home/a [evil]');
    expect(valueOf(toml, 'base_url')).toBe(url);
    expect(valueOf(toml, 'env_key')).toBe('SWITCHBOARD_APP_KEY');
  });
});

describe('codexOverrides', () => {
  it("gives the provider as two -c overrides, the table inline, in Codex's key=value form", () => {
    expect(codexOverrides(BASE_URL)).toEqual([
      '-c',
      'model_provider="switchboard"',
      '-c',
      `model_providers.switchboard={ name = "Switchboard", base_url = "${BASE_URL}", env_key = "SWITCHBOARD_APP_KEY", wire_api = "responses" }`,
    ]);
  });

  it('quotes a hostile URL so that it stays one value', () => {
    const url = 'http://x", env_key = "OTHER" }\n';
    const table = codexOverrides(url)[3]!;
    expect(table).toContain(`base_url = ${tomlString(url)}, env_key = "SWITCHBOARD_APP_KEY"`);
    expect(table).not.toContain('\n');
  });
});

describe('codexConfigPath', () => {
  it('follows CODEX_HOME, else ~/.codex', () => {
    expect(codexConfigPath({ CODEX_HOME: '/srv/codex' })).toBe('/srv/codex/config.toml');
    expect(codexConfigPath({ HOME: '/home/u' })).toMatch(/[/\\]\.codex[/\\]config\.toml$/);
  });
});
