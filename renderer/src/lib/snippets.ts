import type { Route, VendorId } from '../api/types.ts';

export interface SnippetTarget {
  /** The gateway's origin, e.g. http://127.0.0.1:4141. */
  origin: string;
  key: string;
  /** The route the snippets point at; without one, the app-wide /v1 endpoint with "route/model" names. */
  route: Pick<Route, 'id' | 'vendor' | 'models' | 'defaultModel'> | undefined;
  /** An Anthropic route for Claude Code, which speaks the Messages API through /proxy. */
  anthropicRoute: string | undefined;
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

/** Ready-to-paste set-up for the common SDKs and tools, with the key and URL filled in. */
export function buildSnippets(target: SnippetTarget): Snippet[] {
  const { origin, key, route, anthropicRoute } = target;
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
    anthropicRoute
      ? {
          id: 'claude-code',
          label: 'Claude Code',
          intro: `Claude Code speaks Anthropic's own API; it goes through the "${anthropicRoute}" route as is:`,
          language: 'shell',
          code: `export ANTHROPIC_BASE_URL=${sh(`${origin}/proxy/${anthropicRoute}`)}
export ANTHROPIC_AUTH_TOKEN=${sh(key)}
claude
`,
        }
      : {
          id: 'claude-code',
          label: 'Claude Code',
          intro: "Claude Code speaks Anthropic's own API, so it needs an Anthropic route.",
          language: 'shell',
          code: null,
          missing: 'Add a route with the Anthropic preset first; its set-up then appears here.',
        },
    {
      id: 'codex',
      label: 'Codex',
      intro: 'Add to ~/.codex/config.toml, and set the key in the environment Codex starts from:',
      language: 'toml',
      code: `model = ${str(model)}
model_provider = "switchboard"

[model_providers.switchboard]
name = "Switchboard"
base_url = ${str(baseUrl)}
env_key = "SWITCHBOARD_API_KEY"
wire_api = "chat"

# in your shell:
# export SWITCHBOARD_API_KEY=${sh(key)}
`,
    },
  ];
}
