import type Router from '@koa/router';
import type { Catalog } from '../catalog.ts';
import { appFromConfig, appToConfig } from '../config/records.ts';
import { appSchema } from '../config/schema.ts';
import { GatewayError } from '../errors.ts';
import type { GatewayState } from '../http/context.ts';
import { displayPrefix, generateAppKey, hashKey } from '../keys.ts';
import type { Store } from '../store/index.ts';
import { readAdminJson } from './body.ts';
import { invalidBody, notFound } from './errors.ts';
import { param } from './params.ts';
import { appView, keyView } from './views.ts';

export interface AppsAdminDeps {
  store: Store;
  catalog: Catalog;
  now: () => number;
}

const KEY_REFUSED = 'key: the admin API generates keys; leave it out.';

/** Apps and their keys: a new key is shown once, then only its prefix; revoking one ends it. */
export function addAppsRoutes(router: Router<GatewayState>, deps: AppsAdminDeps): void {
  const { store, catalog } = deps;

  const stored = (name: string) => store.apps.get(name) ?? notFound(`App "${name}"`);

  const validate = (raw: unknown) => {
    const result = appSchema.safeParse(raw);
    if (!result.success) invalidBody(result.error, (path) => path.join('.') || 'body');
    for (const id of result.data.routes ?? []) {
      if (!catalog.routes.has(id))
        throw new GatewayError(400, 'invalid_request', `routes: no route with id "${id}".`);
    }
    // Any filter as stored may be named: each was checked when it was written.
    const filters = new Set(store.filters.list().map((filter) => filter.name));
    for (const name of result.data.filters) {
      if (!filters.has(name))
        throw new GatewayError(400, 'invalid_request', `filters: no filter named "${name}".`);
    }
    return result.data;
  };

  const issueKey = (appId: number) => {
    const key = generateAppKey();
    const id = store.apps.addKey(appId, hashKey(key), displayPrefix(key), 'admin', deps.now());
    return { id, key };
  };

  router.get('/apps', (ctx) => {
    ctx.body = { data: store.apps.list().map((app) => appView(app, store.apps.keysOf(app.id))) };
  });

  router.post('/apps', async (ctx) => {
    const app = validate(await readAdminJson(ctx));
    if (app.key !== undefined) throw new GatewayError(400, 'invalid_request', KEY_REFUSED);
    if (store.apps.get(app.name)) {
      throw new GatewayError(409, 'conflict', `App "${app.name}" already exists.`, {
        type: 'invalid_request_error',
      });
    }
    const created = store.transaction(() => {
      const appId = store.apps.insert(appFromConfig(app, 'admin'), deps.now());
      return { appId, key: issueKey(appId) };
    });
    catalog.refresh();
    ctx.status = 201;
    const record = stored(app.name);
    // The only time the key is ever shown.
    ctx.body = { ...appView(record, store.apps.keysOf(created.appId)), key: created.key.key };
  });

  router.patch('/apps/:name', async (ctx) => {
    const existing = stored(param(ctx, 'name'));
    const patch = await readAdminJson(ctx);
    // Never stored from here (as in POST): refused rather than ignored, `env:` values included.
    if (patch['key'] !== undefined) throw new GatewayError(400, 'invalid_request', KEY_REFUSED);
    // Given no keys, the entry names none: an app's keys are issued and revoked on their own.
    const merged: Record<string, unknown> = { ...appToConfig(existing, []), ...patch };
    // `null` clears an optional field.
    for (const [name, value] of Object.entries(merged)) if (value === null) delete merged[name];
    const app = validate(merged);
    if (app.name !== existing.name)
      throw new GatewayError(400, 'invalid_request', 'An app cannot be renamed.');
    store.apps.update(appFromConfig(app, existing.source), deps.now());
    catalog.refresh();
    ctx.body = appView(stored(app.name), store.apps.keysOf(existing.id));
  });

  router.delete('/apps/:name', (ctx) => {
    const name = param(ctx, 'name');
    if (!store.apps.remove(name)) notFound(`App "${name}"`);
    catalog.refresh();
    ctx.status = 204;
  });

  router.post('/apps/:name/keys', (ctx) => {
    const app = stored(param(ctx, 'name'));
    const issued = issueKey(app.id);
    catalog.refresh();
    ctx.status = 201;
    const record =
      store.apps.keysOf(app.id).find((key) => key.id === issued.id) ?? notFound(`Key ${issued.id}`);
    ctx.body = { ...keyView(record), key: issued.key };
  });

  router.delete('/apps/:name/keys/:id', (ctx) => {
    const app = stored(param(ctx, 'name'));
    const id = param(ctx, 'id');
    if (!store.apps.revokeKey(app.id, Number(id), deps.now())) notFound(`Active key ${id}`);
    catalog.refresh();
    ctx.status = 204;
  });
}
