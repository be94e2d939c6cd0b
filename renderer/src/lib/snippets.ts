import type { Route, VendorId } from '../api/types.ts';

export interface SnippetTarget {
  /** The gateway's origin, e.g. http://127.0.0.1:4141. */
  origin: string;
  key: string;
  /** The route the snippets point at; without one, the app-wide /v1 endpoint with "route/model" names. */
  route: Pick<Route, 'id' | 'vendor' | 'models' | 'defaultModel'> | undefined;
}

export interface Snippet {
  id: string;
  label: string;
  /** What to do with the code, in one sentence. */
  intro: string;
  code: string | null;
  /** Why there is no code, when there is none. */
  missing?: string;
  language: 'python' | 'javascript' | 'shell' | 'yaml' | 'toml' | 'text';
}

const EXAMPLE_MODEL: Record<VendorId, string> = {
  openai: 'gpt-4.1-mini',
  anthropic: 'claude-sonnet-4-5',
  gemini: 'gemini-2.5-flash',
  ollama: 'llama3.2',
  'openai-compatible': 'your-model',
};

/** A model the route will accept: its default, else the first exact name on its allow-list, else a typical one. */
export function exampleModel(route: SnippetTarget['route']): string {
  if (!route) return 'gpt-4.1-mini';
  return (
    route.defaultModel ?? route.models.find((model) => !/[*?[]/.test(model)) ?? EXAMPLE_MODEL[route.vendor]
  );
}

/** The OpenAI-compatible base URL for a route: the SDKs append /chat/completions to it. */
export function baseUrlFor(origin: string, routeId: string | undefined): string {
  return routeId ? `${origin}/openai/${routeId}/v1` : `${origin}/v1`;
}

const str = (value: string) => JSON.stringify(value);
const sh = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/**
 * A TOML basic string, as gateway/launch/codex.ts writes one: JSON's escapes are TOML's, but TOML
 * also wants DEL escaped and has no place for a lone surrogate.
 */
const toml = (value: string) =>
  str(
    value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'),
  ).replace(/\u007f/g, '\\u007f');

/** The same environment in one command, from the Switchboard folder (`switchboard run`, gateway/launch/). */
function runLine(tool: string, key: string, routeId: string | undefined, args = ''): string {
  return `SWITCHBOARD_APP_KEY=${sh(key)} npx switchboard run ${tool}${routeId ? ` --route ${routeId}` : ''}${args}`;
}

/**
 * Codex reads a provider from ~/.codex/config.toml, the key from the variable its env_key names
 * (`switchboard env codex` prints the same block; `run codex` gives it on the command line).
 */
function codex(baseUrl: string, key: string, route: SnippetTarget['route'], model: string): Snippet {
  return {
    id: 'codex',
    label: 'Codex',
    intro:
      'Add to ~/.codex/config.toml (model and model_provider above its first [table]), and set the key in the environment Codex starts from:',
    language: 'toml',
    code: `model = ${toml(model)}
model_provider = "switchboard"

[model_providers.switchboard]
name = "Switchboard"
base_url = ${toml(baseUrl)}
env_key = "SWITCHBOARD_APP_KEY"
wire_api = "responses"

# in your shell (the key stays out of the file):
# export SWITCHBOARD_APP_KEY=${sh(key)}

# or the same in one command that writes no file, from the Switchboard folder:
# ${runLine('codex', key, route?.id, ` -- --model ${sh(model)}`)}
`,
  };
}

/** Claude Code through one route (/anthropic/{route}), or at the root, where the model names the route. */
function claudeCode(origin: string, key: string, route: SnippetTarget['route']): Snippet {
  // Both forms unset ANTHROPIC_AUTH_TOKEN: Claude Code would send a token set there too.
  const base = {
    id: 'claude-code',
    label: 'Claude Code',
    language: 'shell',
  } as const;
  if (!route)
    return {
      ...base,
      intro: "Claude Code, at the gateway's root: the model names the route.",
      code: `unset ANTHROPIC_AUTH_TOKEN
export ANTHROPIC_BASE_URL=${sh(origin)}
export ANTHROPIC_API_KEY=${sh(key)}
claude --model ${sh('route-id/model')}

# or the same in one command, from the Switchboard folder:
# ${runLine('claude', key, undefined)}
`,
    };
  // Claude Code asks for Claude models: a route of another vendor needs one of its own (or a model map).
  const model = route.vendor === 'anthropic' ? undefined : exampleModel(route);
  return {
    ...base,
    intro: `Claude Code, through the "${route.id}" route (Switchboard translates for other vendors):`,
    code: `unset ANTHROPIC_AUTH_TOKEN
export ANTHROPIC_BASE_URL=${sh(`${origin}/anthropic/${route.id}`)}
export ANTHROPIC_API_KEY=${sh(key)}
claude${model ? ` --model ${sh(model)}` : ''}

# or every route of the app, at the root, the model naming the route:
# export ANTHROPIC_BASE_URL=${sh(origin)}
# claude --model ${sh(`${route.id}/${model ?? exampleModel(route)}`)}

# or the same in one command, from the Switchboard folder:
# ${runLine('claude', key, route.id)}
`,
  };
}

/** Gemini CLI names no route in its requests: it needs one in its base URL. */
function geminiCli(origin: string, key: string, route: SnippetTarget['route']): Snippet {
  const intro =
    'Gemini CLI uses the key only with "security": { "auth": { "selectedType": "gemini-api-key" } } in ~/.gemini/settings.json. Then:';
  if (!route)
    return {
      id: 'gemini-cli',
      label: 'Gemini CLI',
      intro,
      language: 'shell',
      code: null,
      missing: 'Gemini CLI goes through one route: add a route first; its set-up then appears here.',
    };
  const model = route.vendor !== 'gemini' ? ` --model ${sh(exampleModel(route))}` : '';
  return {
    id: 'gemini-cli',
    label: 'Gemini CLI',
    intro,
    language: 'shell',
    code: `export GOOGLE_GEMINI_BASE_URL=${sh(`${origin}/gemini/${route.id}`)}
export GEMINI_API_KEY=${sh(key)}
export GEMINI_DEFAULT_AUTH_TYPE=gemini-api-key
gemini${model}

# or the same in one command, from the Switchboard folder:
# ${runLine('gemini', key, route.id)}
`,
  };
}

/** Ready-to-paste set-up for the common SDKs and tools, with the key and URL filled in. */
export function buildSnippets(target: SnippetTarget): Snippet[] {
  const { origin, key, route } = target;
  const baseUrl = baseUrlFor(origin, route?.id);
  const model = route ? exampleModel(route) : 'route-id/model';
  const body = JSON.stringify({ model, messages: [{ role: 'user', content: 'Hello!' }] });
  return [
    {
      id: 'python',
      label: 'Python',
      intro: 'The official OpenAI SDK for Python (pip install openai):',
      language: 'python',
      code: `from openai import OpenAI

client = OpenAI(
    base_url=${str(baseUrl)},
    api_key=${str(key)},
)
reply = client.chat.completions.create(
    model=${str(model)},
    messages=[{"role": "user", "content": "Hello!"}],
)
print(reply.choices[0].message.content)
`,
    },
    {
      id: 'node',
      label: 'Node',
      intro: 'The official OpenAI SDK for JavaScript and TypeScript (npm install openai):',
      language: 'javascript',
      code: `import OpenAI from 'openai';

const client = new OpenAI({
  baseURL: ${str(baseUrl)},
  apiKey: ${str(key)},
});
const reply = await client.chat.completions.create({
  model: ${str(model)},
  messages: [{ role: 'user', content: 'Hello!' }],
});
console.log(reply.choices[0].message.content);
`,
    },
    {
      id: 'curl',
      label: 'curl',
      intro: 'One request from a terminal:',
      language: 'shell',
      code: `curl ${baseUrl}/chat/completions \\
  -H ${sh(`Authorization: Bearer ${key}`)} \\
  -H 'Content-Type: application/json' \\
  -d ${sh(body)}
`,
    },
    {
      id: 'env',
      label: 'Environment',
      intro: 'The OpenAI SDKs, and most tools built on them, read these two variables:',
      language: 'shell',
      code: `export OPENAI_BASE_URL=${sh(baseUrl)}
export OPENAI_API_KEY=${sh(key)}
`,
    },
    {
      id: 'cursor',
      label: 'Cursor',
      intro:
        'In Cursor: Settings → Models → API Keys. Cursor sends requests from its own servers, so a 127.0.0.1 address works only through a tunnel.',
      language: 'text',
      code: `OpenAI API Key:            ${key}
Override OpenAI Base URL:  ${baseUrl}
Model name to add:         ${model}
`,
    },
    {
      id: 'continue',
      label: 'Continue',
      intro: 'Add to ~/.continue/config.yaml:',
      language: 'yaml',
      code: `models:
  - name: Switchboard${route ? ` (${route.id})` : ''}
    provider: openai
    model: ${model}
    apiBase: ${baseUrl}
    apiKey: ${key}
`,
    },
    claudeCode(origin, key, route),
    geminiCli(origin, key, route),
    codex(baseUrl, key, route, model),
  ];
}
