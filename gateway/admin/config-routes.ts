import type Router from '@koa/router';
import { Document, parse as parseYaml } from 'yaml';
import type { Catalog } from '../catalog.ts';
import { applyConfig, KeysWouldBeDropped } from '../config/apply.ts';
import { exportConfig } from '../config/export.ts';
import { parseConfig, withStoredWebhook } from '../config/load.ts';
import type { ServerConfig } from '../config/schema.ts';
import { GatewayError } from '../errors.ts';
import { MAX_JSON_DEPTH, readBody } from '../http/body.ts';
import type { GatewayState } from '../http/context.ts';
import type { SecretBox } from '../secrets/types.ts';
import type { Store } from '../store/index.ts';
import { ADMIN_BODY_LIMIT } from './body.ts';
import { configInvalid } from './errors.ts';

export interface ConfigAdminDeps {
  store: Store;
  catalog: Catalog;
  secrets: SecretBox;
  server: () => ServerConfig;
  setServer: (server: ServerConfig) => void;
  now: () => number;
}

const EXPORT_HEADER = [
  ' Switchboard config, exported. Keys are never exported: `apiKey: stored` (a route) and',
  ' `key: stored` (an app) stand for the key this gateway holds, which importing this file or',
  ' `serve --config` on the same data dir keeps. To use it elsewhere, put the key (or env:NAME',
  ' in a file for --config) in their place.',
].join('\n');

/**
 * Whether a config text nests `[`/`{` deeper than MAX_JSON_DEPTH, counted with no regard to
 * quoting (brackets inside strings count too, so this is an upper bound; only hundreds of
 * unbalanced ones in a string could trip it). The YAML parser recurses on flow collections: a
 * thousand levels overflow its stack, and a million (2 MB) hold the event loop for seconds before
 * it gives up. (In a bare Node process, a second such overflow has even aborted Node with a fatal
 * out-of-memory error in V8's RegExp compiler.)
 */
function nestsTooDeep(text: string): boolean {
  let depth = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 0x5b || code === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) return true;
    } else if ((code === 0x5d || code === 0x7d) && depth > 0) depth--;
  }
  return false;
}

/** Config export and import, in the config-file format. */
export function addConfigRoutes(router: Router<GatewayState>, deps: ConfigAdminDeps): void {
  const { store, catalog, secrets } = deps;

  /** YAML, or JSON with `?format=json`; see exportConfig for what stands in for the keys. */
  router.get('/config', (ctx) => {
    const config = exportConfig(store, deps.server());
    if (ctx.query['format'] === 'json') ctx.body = config;
    else {
      const document = new Document(config);
      document.commentBefore = EXPORT_HEADER;
      ctx.type = 'application/yaml';
      ctx.body = document.toString();
    }
  });

  /**
   * Applies a config file (YAML or JSON) as `serve --config` does: all or nothing. What exists keeps
   * its source (a dashboard-made route stays one). An entry without a key where a key is stored would
   * remove that key: answered 409 with the routes and apps concerned, nothing applied, unless the
   * request says `?dropKeys=true`.
   */
  router.post('/config', async (ctx) => {
    const text = (await readBody(ctx.req, ADMIN_BODY_LIMIT)).toString('utf8');
    if (nestsTooDeep(text)) {
      throw new GatewayError(
        400,
        'invalid_request',
        `The config is nested deeper than ${MAX_JSON_DEPTH} levels of [ and {.`,
      );
    }
    let raw: unknown;
    try {
      raw = parseYaml(text);
    } catch (error) {
      throw new GatewayError(
        400,
        'invalid_request',
        `Not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`,
      );
    }
    let config;
    try {
      // No environment: `env:` values are refused (see parseConfig).
      config = parseConfig(raw ?? {}, 'import');
    } catch (error) {
      configInvalid(error);
    }
    let result;
    try {
      result = applyConfig(store, secrets, config, deps.now(), 'import', {
        keepSources: true,
        dropKeys: ctx.query['dropKeys'] === 'true',
      });
    } catch (error) {
      if (error instanceof KeysWouldBeDropped) {
        ctx.status = 409;
        ctx.body = {
          error: {
            message: error.message,
            type: 'invalid_request_error',
            param: null,
            code: 'keys_would_be_dropped',
          },
          droppedKeys: { routes: error.routes, apps: error.apps },
        };
        return;
      }
      configInvalid(error);
    }
    catalog.refresh();
    deps.setServer(withStoredWebhook(config, deps.server()));
    ctx.body = { changes: result.changes, newKeys: result.newKeys };
  });
}
