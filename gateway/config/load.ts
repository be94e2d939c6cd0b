import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { defaultBaseUrl, findPreset, PRESETS } from '../providers/presets.ts';
import { compileFilter } from '../filters/engine.ts';
import { DEFAULT_VENDOR, VENDOR_IDS, type VendorId } from '../domain.ts';
import { responsesSupport } from './responses-setting.ts';
import {
  alertWebhookSchema,
  configSchema,
  type AppConfig,
  type ConfigFile,
  type RouteConfig,
  type ServerConfig,
} from './schema.ts';

/** A problem with a config file: `message` names the file, the path inside it and what is allowed. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface ResolvedRoute extends Omit<RouteConfig, 'vendor' | 'baseUrl' | 'preset'> {
  vendor: VendorId;
  baseUrl: string;
  /** `apiKey: stored`: keep the vendor key this gateway already holds for the route. */
  keepStoredKey?: true;
}

export interface ResolvedApp extends AppConfig {
  /** `key: stored`: keep the key(s) an earlier config file gave this app. */
  keepStoredKey?: true;
}

export interface ResolvedConfig extends Omit<ConfigFile, 'routes' | 'apps' | 'server'> {
  routes: ResolvedRoute[];
  apps: ResolvedApp[];
  server: ServerConfig;
  /** The file said `alertWebhook: {url: stored}`: keep the webhook Switchboard holds (see withStoredWebhook). */
  keepStoredWebhook?: true;
}

/** The server section to apply: the file's, with the held webhook where the file said `stored`. */
export function withStoredWebhook(config: ResolvedConfig, held: ServerConfig | undefined): ServerConfig {
  if (!config.keepStoredWebhook) return config.server;
  return held?.alertWebhook ? { ...config.server, alertWebhook: held.alertWebhook } : config.server;
}

export interface ParseOptions {
  /**
   * Filters that exist outside this document (in the store), which its routes and apps may name:
   * a route written through the admin API refers to the filters as stored, whatever their kind.
   */
  knownFilters?: Iterable<string>;
  /** Routes that exist outside this document (in the store), which its routes may fall back to. */
  knownRoutes?: Iterable<string>;
}

type Environment = Record<string, string | undefined>;

/** Why an `env:` value is refused outside the config file given at start. */
export const ENV_REFUSED =
  '"env:" references are read only from the config file given at start; paste the key itself';

/**
 * What a config export writes in place of a key this gateway holds (keys are never exported), and
 * what import and `serve --config` read as "keep the key stored for this route (or app)". Not an
 * `env:`-style prefix: it names no source the importer could choose, only what is already there.
 */
export const STORED_KEY = 'stored';

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(top level)' : out;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
  }
  return issue.message;
}

/** Why a route of `vendor` may not say whether its server speaks the Responses API. */
function responsesRefused(vendor: VendorId, support: 'always' | 'never'): string {
  const settable = VENDOR_IDS.filter((id) => responsesSupport(id) === 'per-route').join(', ');
  const fact =
    support === 'always'
      ? `vendor ${vendor} always speaks the Responses API`
      : `vendor ${vendor} never speaks the Responses API (its Responses requests are translated)`;
  return `only for ${settable} routes, whose servers may or may not speak the Responses API; ${fact}`;
}

/** Reads, validates and resolves a config file. Throws ConfigError; never returns half a config. */
export function loadConfigFile(file: string, environment: Environment = process.env): ResolvedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : String(error);
    throw new ConfigError(`${file}: cannot read the config file (${reason}).`);
  }
  const isJson = extname(file).toLowerCase() === '.json';
  let raw: unknown;
  try {
    raw = isJson ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const detail = error instanceof YAMLParseError ? error.message.split('\n')[0] : (error as Error).message;
    throw new ConfigError(`${file}: not valid ${isJson ? 'JSON' : 'YAML'}: ${detail}`);
  }
  return parseConfig(raw ?? {}, file, environment);
}

/**
 * Validates an already parsed config (from a file or the admin API's import). `env:NAME` values
 * are read from `environment`, which only the config file given at start passes (through
 * loadConfigFile). Without one — the admin API — they are refused whether or not NAME is set:
 * whoever could import `apiKey: env:ANY_VARIABLE` with a base URL of their choosing would receive
 * that variable's value with the first proxied request. `stored` (STORED_KEY) is not resolved
 * here: it comes back as `keepStoredKey`, for applyConfig to check against the store.
 */
export function parseConfig(
  raw: unknown,
  source: string,
  environment?: Environment,
  options: ParseOptions = {},
): ResolvedConfig {
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${formatPath(issue.path)}: ${describeIssue(issue)}`);
    throw new ConfigError(`${source}: invalid config:\n${lines.join('\n')}`);
  }
  const config = result.data;
  const problems: string[] = [];
  const problem = (path: string, message: string) => problems.push(`  ${path}: ${message}`);

  const resolveSecret = (value: string | undefined, path: string): string | undefined => {
    if (value === undefined || !value.startsWith('env:')) return value;
    if (environment === undefined) {
      problem(path, ENV_REFUSED);
      return undefined;
    }
    const name = value.slice(4);
    const found = environment[name];
    if (found === undefined || found === '') {
      problem(path, `the environment variable ${name} is not set`);
      return undefined;
    }
    return found;
  };

  const routeIds = new Set<string>();
  // Fallbacks may name a route later in the file, or (one route written by the admin API) a stored one.
  const allRouteIds = new Set([...config.routes.map((route) => route.id), ...(options.knownRoutes ?? [])]);
  const filterNames = new Set([
    ...config.filters.map((filter) => filter.name),
    ...(options.knownFilters ?? []),
  ]);
  const routes: ResolvedRoute[] = config.routes.map((route, index) => {
    const path = `routes[${index}]`;
    if (routeIds.has(route.id)) problem(`${path}.id`, `duplicate route id "${route.id}"`);
    routeIds.add(route.id);
    const preset = route.preset === undefined ? undefined : findPreset(route.preset);
    if (route.preset !== undefined && preset === undefined) {
      problem(`${path}.preset`, `unknown preset; allowed: ${PRESETS.map((item) => item.id).join(', ')}`);
    }
    const vendor = route.vendor ?? preset?.vendor;
    if (vendor === undefined) problem(`${path}.vendor`, 'required (or give a preset)');
    const baseUrl =
      route.baseUrl ??
      (preset?.vendor === vendor ? preset?.baseUrl : undefined) ??
      (vendor && defaultBaseUrl(vendor));
    if (vendor !== undefined && baseUrl === undefined) {
      problem(
        `${path}.baseUrl`,
        `required for vendor ${vendor} (the server's URL, e.g. http://127.0.0.1:8000/v1)`,
      );
    }
    route.filters.forEach((name, filterIndex) => {
      if (!filterNames.has(name))
        problem(`${path}.filters[${filterIndex}]`, `no filter named "${name}" in filters`);
    });
    route.fallbacks?.forEach((id, fallbackIndex) => {
      const at = `${path}.fallbacks[${fallbackIndex}]`;
      if (id === route.id) problem(at, 'a route cannot fall back to itself');
      else if (route.fallbacks?.indexOf(id) !== fallbackIndex) problem(at, `"${id}" is listed twice`);
      else if (!allRouteIds.has(id)) problem(at, `no route with id "${id}"`);
    });
    if (route.responses !== undefined && vendor !== undefined) {
      const support = responsesSupport(vendor);
      if (support !== 'per-route') problem(`${path}.responses`, responsesRefused(vendor, support));
    }
    const { preset: _preset, ...rest } = route;
    const keepStored = route.apiKey === STORED_KEY;
    return {
      ...rest,
      vendor: vendor ?? DEFAULT_VENDOR,
      baseUrl: (baseUrl ?? '').replace(/\/+$/, ''),
      apiKey: keepStored ? undefined : resolveSecret(route.apiKey, `${path}.apiKey`),
      ...(keepStored ? { keepStoredKey: true as const } : {}),
    };
  });

  const appNames = new Set<string>();
  const apps = config.apps.map((app, index): ResolvedApp => {
    const path = `apps[${index}]`;
    if (appNames.has(app.name)) problem(`${path}.name`, `duplicate app name "${app.name}"`);
    appNames.add(app.name);
    app.routes?.forEach((id, routeIndex) => {
      if (!routeIds.has(id)) problem(`${path}.routes[${routeIndex}]`, `no route with id "${id}" in routes`);
    });
    app.filters.forEach((name, filterIndex) => {
      if (!filterNames.has(name))
        problem(`${path}.filters[${filterIndex}]`, `no filter named "${name}" in filters`);
    });
    if (app.key === STORED_KEY) return { ...app, key: undefined, keepStoredKey: true };
    const key = resolveSecret(app.key, `${path}.key`);
    if (key !== undefined && key.length < 16)
      problem(`${path}.key`, 'an app key needs at least 16 characters');
    return { ...app, key };
  });

  const seenFilters = new Set<string>();
  config.filters.forEach((filter, index) => {
    if (seenFilters.has(filter.name))
      problem(`filters[${index}].name`, `duplicate filter name "${filter.name}"`);
    seenFilters.add(filter.name);
    const { name, kind, ...spec } = filter;
    try {
      compileFilter(name, kind, spec);
    } catch (error) {
      // compileFilter's messages start with the field they are about: "patterns: …".
      const message = (error as Error).message;
      const colon = message.indexOf(': ');
      problem(`filters[${index}].${message.slice(0, colon)}`, message.slice(colon + 2));
    }
  });
  const seenPrices = new Set<string>();
  config.prices.forEach((price, index) => {
    if (seenPrices.has(price.model))
      problem(`prices[${index}].model`, `duplicate price for "${price.model}"`);
    seenPrices.add(price.model);
  });

  const { alertWebhook, ...serverRest } = config.server;
  const hookUrl =
    alertWebhook === undefined || alertWebhook.url === STORED_KEY
      ? undefined
      : resolveSecret(alertWebhook.url, 'server.alertWebhook.url');
  if (hookUrl !== undefined && !alertWebhookSchema.shape.url.safeParse(hookUrl).success)
    problem('server.alertWebhook.url', 'the environment variable does not hold an http:// or https:// URL');
  const server: ServerConfig = {
    ...serverRest,
    ...(hookUrl === undefined ? {} : { alertWebhook: { url: hookUrl } }),
  };
  if (problems.length > 0) throw new ConfigError(`${source}: invalid config:\n${problems.join('\n')}`);
  return {
    ...config,
    routes,
    apps,
    server,
    ...(alertWebhook?.url === STORED_KEY ? { keepStoredWebhook: true as const } : {}),
  };
}
