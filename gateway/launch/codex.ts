import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Codex's set-up (what Codex 0.171 reads: test/agents/CODEX_WIRE.md): a model provider in its
 * config.toml that speaks the Responses API to the gateway, with the key in an environment variable.
 */

/** The provider's id in `model_providers`, and so the value of `model_provider`. */
export const CODEX_PROVIDER = 'switchboard';

/** The variable the provider's `env_key` names: the one `env` and `run` read the key from too. */
export const CODEX_KEY_VARIABLE = 'SWITCHBOARD_APP_KEY';

const ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\t': '\\t',
  '\n': '\\n',
  '\f': '\\f',
  '\r': '\\r',
};

/** A surrogate without its pair: TOML holds only Unicode scalar values. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * A TOML basic string. TOML wants every control character escaped, DEL included (JSON.stringify
 * leaves it raw), so that nothing in a value can end the string or the line early.
 */
export function tomlString(value: string): string {
  const escaped = value.replace(LONE_SURROGATE, '\uFFFD').replace(
    // eslint-disable-next-line no-control-regex -- control characters are what TOML wants escaped
    /["\\\u0000-\u001f\u007f]/g,
    (character) => ESCAPES[character] ?? `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `"${escaped}"`;
}

/** The provider's keys, in the order config.toml lists them; the values as TOML. */
function providerFields(baseUrl: string): Array<[string, string]> {
  return [
    ['name', tomlString('Switchboard')],
    // Codex appends /responses.
    ['base_url', tomlString(baseUrl)],
    // The name of the variable, never the key: the file holds no secret.
    ['env_key', tomlString(CODEX_KEY_VARIABLE)],
    // The only value current Codex accepts ("chat" is refused).
    ['wire_api', tomlString('responses')],
  ];
}

/**
 * What to put in config.toml, after `comments` (one line each): `model_provider` first, since a
 * root key cannot follow a [table].
 */
export function codexConfigToml(baseUrl: string, comments: readonly string[] = []): string {
  return [
    // A line break in a comment (a path, say) cannot end it early.
    ...comments.map((comment) => `# ${comment.replace(/[\r\n]+/g, ' ')}`),
    `model_provider = ${tomlString(CODEX_PROVIDER)}`,
    '',
    `[model_providers.${CODEX_PROVIDER}]`,
    ...providerFields(baseUrl).map(([name, value]) => `${name} = ${value}`),
    '',
  ].join('\n');
}

/**
 * The same provider as Codex's `-c key=value` overrides, which go before any subcommand and win
 * over the user's files without writing to them. Codex merges the table into one of the same name
 * in the user's config.toml: these four keys are replaced, any others the user put there still apply.
 */
export function codexOverrides(baseUrl: string): string[] {
  const table = providerFields(baseUrl)
    .map(([name, value]) => `${name} = ${value}`)
    .join(', ');
  return [
    '-c',
    `model_provider=${tomlString(CODEX_PROVIDER)}`,
    '-c',
    `model_providers.${CODEX_PROVIDER}={ ${table} }`,
  ];
}

/** The config.toml Codex reads: `$CODEX_HOME/config.toml`, else `~/.codex/config.toml`. */
export function codexConfigPath(environment: NodeJS.ProcessEnv): string {
  return join(environment['CODEX_HOME'] || join(homedir(), '.codex'), 'config.toml');
}
