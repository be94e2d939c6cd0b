import { ROUTE_ID_PATTERN } from '../config/schema.ts';
import { SESSION_HEADER } from '../pipeline/agent-session.ts';
import { CODEX_KEY_VARIABLE } from './codex.ts';

/** The tools `switchboard env` and `run` know; `openai` is any tool that reads OpenAI's two variables. */
export const LAUNCH_TOOLS = ['claude', 'gemini', 'codex', 'openai'] as const;
export type LaunchTool = (typeof LAUNCH_TOOLS)[number];

export function isLaunchTool(name: string): name is LaunchTool {
  return (LAUNCH_TOOLS as readonly string[]).includes(name);
}

/** What `run` starts unless given --command; the generic form has no program of its own. */
export const TOOL_COMMANDS: Record<LaunchTool, string | undefined> = {
  claude: 'claude',
  gemini: 'gemini',
  codex: 'codex',
  openai: undefined,
};

/** The settings Gemini CLI must have to use an API key, and so GOOGLE_GEMINI_BASE_URL. */
export const GEMINI_AUTH_SETTING = '"security": { "auth": { "selectedType": "gemini-api-key" } }';

export interface LaunchTarget {
  /** The gateway's origin as reached from this machine, e.g. http://127.0.0.1:4141. */
  origin: string;
  key: string;
  /** One route; without it, the app-wide endpoints, where the model picks the route. */
  routeId: string | undefined;
}

export interface LaunchPlan {
  /** Variables to set, in the order they are printed. */
  set: ReadonlyArray<readonly [name: string, value: string]>;
  /** Variables to remove: the tool would prefer them to the ones set. */
  unset: readonly string[];
  /** What the user should know, printed as comments. */
  notes: readonly string[];
}

/**
 * Why `tool` cannot be pointed at the gateway with this route, or undefined when it can. Checked
 * before anything else, so that the answer does not depend on a key or a running gateway.
 */
export function routeRefusal(tool: LaunchTool, routeId: string | undefined): string | undefined {
  if (routeId !== undefined && !ROUTE_ID_PATTERN.test(routeId))
    return `--route must be a route id (1–64 characters of a-z, 0-9 and -), not "${routeId}".`;
  if (tool === 'gemini' && routeId === undefined)
    return "Gemini CLI's requests name no route: give one with --route ID (see the dashboard's Routes page).";
  return undefined;
}

/** The OpenAI-style base URL (the SDKs and Codex append their paths): one route's, or the app-wide one. */
export function openaiBaseUrl(origin: string, routeId: string | undefined): string {
  return routeId ? `${origin}/openai/${routeId}/v1` : `${origin}/v1`;
}

/**
 * The environment that points `tool` at the gateway with an app key; call routeRefusal first. For
 * Codex only the key: its base URL is a provider in config.toml (codex.ts).
 */
export function launchPlan(tool: LaunchTool, target: LaunchTarget): LaunchPlan {
  const { origin, key, routeId } = target;
  switch (tool) {
    case 'claude':
      return {
        // The root serves every route the app may use, chosen by the model name.
        set: [
          ['ANTHROPIC_BASE_URL', routeId ? `${origin}/anthropic/${routeId}` : origin],
          ['ANTHROPIC_API_KEY', key],
        ],
        // Claude Code would send it too, as a bearer token: the gateway would get the user's own token.
        unset: ['ANTHROPIC_AUTH_TOKEN'],
        notes: routeId
          ? [`Claude Code's models go to route "${routeId}"; on another vendor, pick one with --model.`]
          : ["The model picks the route: --model ROUTE/MODEL, or a model one of the app's routes allows."],
      };
    case 'gemini':
      return {
        set: [
          ['GOOGLE_GEMINI_BASE_URL', `${origin}/gemini/${routeId}`],
          ['GEMINI_API_KEY', key],
          // Preselects the API key in Gemini CLI's sign-in dialog; -p runs need the setting below.
          ['GEMINI_DEFAULT_AUTH_TYPE', 'gemini-api-key'],
        ],
        unset: [],
        notes: [`Gemini CLI uses these only with ${GEMINI_AUTH_SETTING} in ~/.gemini/settings.json.`],
      };
    case 'codex':
      return {
        set: [[CODEX_KEY_VARIABLE, key]],
        unset: [],
        notes: routeId
          ? [
              `Codex asks for its own default model: on route "${routeId}" of another vendor, pick one with --model (or model = "…" in config.toml).`,
            ]
          : ["The model picks the route: --model ROUTE/MODEL, or a model one of the app's routes allows."],
      };
    case 'openai':
      return {
        set: [
          ['OPENAI_BASE_URL', openaiBaseUrl(origin, routeId)],
          ['OPENAI_API_KEY', key],
        ],
        unset: [],
        notes: routeId
          ? []
          : ["The model picks the route: ROUTE/MODEL, or a model one of the app's routes allows."],
      };
  }
}

/**
 * Gemini CLI sends no session id with an API key, so `run` gives each run its own: a header the
 * gateway groups rows by, added to any the user already has Gemini CLI send.
 */
export function withGeminiSession(
  plan: LaunchPlan,
  currentHeaders: string | undefined,
  session: string,
): LaunchPlan {
  const header = `${SESSION_HEADER}: ${session}`;
  const headers = currentHeaders && currentHeaders.trim() !== '' ? `${currentHeaders}, ${header}` : header;
  return { ...plan, set: [...plan.set, ['GEMINI_CLI_CUSTOM_HEADERS', headers]] };
}

/** The current environment with the plan applied: what `run` starts the tool with. */
export function applyPlan(environment: NodeJS.ProcessEnv, plan: LaunchPlan): NodeJS.ProcessEnv {
  const result: NodeJS.ProcessEnv = { ...environment };
  for (const name of plan.unset) delete result[name];
  for (const [name, value] of plan.set) result[name] = value;
  return result;
}
