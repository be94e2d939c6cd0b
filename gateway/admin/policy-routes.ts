import { DEFAULT_VENDOR } from '../domain.ts';
import type Router from '@koa/router';
import type { IncomingMessage } from 'node:http';
import { loadQuickJs, type ScriptSandbox } from '../filters/script-sandbox.ts';
import type { Catalog } from '../catalog.ts';
import { GatewayError } from '../errors.ts';
import {
  applyModelFilters,
  applyRequestFilters,
  compileFilter,
  type CompiledFilter,
} from '../filters/engine.ts';
import { BUILTIN_SETS } from '../filters/patterns.ts';
import { filterToConfig } from '../config/records.ts';
import type { JsonObject } from '../domain.ts';
import { formatFor, type FormatId } from '../formats/index.ts';
import { readJsonObject } from '../http/body.ts';
import type { GatewayState } from '../http/context.ts';
import { budgetRules, type BudgetGuard } from '../policy/budgets.ts';
import type { Store } from '../store/index.ts';
import { notFound } from './errors.ts';
import { param } from './params.ts';

export interface PolicyAdminDeps {
  store: Store;
  catalog: Catalog;
  budgets: BudgetGuard;
  sandbox: () => ScriptSandbox | null;
  now: () => number;
  flushRecords: () => void;
}

const BODY_LIMIT = 1024 * 1024;
const FILTER_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * The filter tester's `format`, as the admin API has always named it, and the wire format it
 * stands for: the one place where these names meet.
 */
const TEST_FORMATS = new Map<string, FormatId>([
  ['openai', 'openai-chat'],
  ['anthropic', 'anthropic-messages'],
  ['gemini', 'gemini-generate'],
]);

const readJson = (ctx: { req: IncomingMessage }) => readJsonObject(ctx.req, BODY_LIMIT);

function compileOrRefuse(raw: JsonObject): {
  name: string;
  kind: string;
  spec: Record<string, unknown>;
  compiled: CompiledFilter;
} {
  const { name, kind, ...spec } = raw;
  if (typeof name !== 'string' || !FILTER_NAME.test(name)) {
    throw new GatewayError(400, 'invalid_request', 'name: 1–64 characters of letters, digits, _ . and -', {
      param: 'name',
    });
  }
  if (typeof kind !== 'string')
    throw new GatewayError(400, 'invalid_request', 'kind: required', { param: 'kind' });
  try {
    return { name, kind, spec, compiled: compileFilter(name, kind, spec) };
  } catch (error) {
    throw new GatewayError(400, 'invalid_request', (error as Error).message);
  }
}

/** Budgets (with spend, reservations and reset times), alerts, filters and the filter tester. */
export function addPolicyRoutes(router: Router<GatewayState>, deps: PolicyAdminDeps): void {
  const { store, catalog } = deps;

  const rules = () => budgetRules(store.apps.list(), store.routes.list());

  router.get('/budgets', (ctx) => {
    deps.flushRecords();
    ctx.body = { data: deps.budgets.status(rules(), deps.now()) };
  });

  router.get('/alerts', (ctx) => {
    const limit = Math.min(Math.max(Number(ctx.query['limit'] ?? 50) || 50, 1), 500);
    ctx.body = {
      data: store.budgets.alerts(limit).map((alert) => ({
        ...alert,
        periodStart: new Date(alert.periodStart).toISOString(),
        createdAt: new Date(alert.createdAt).toISOString(),
      })),
    };
  });

  router.get('/filters', (ctx) => {
    ctx.body = {
      data: store.filters.list().map((filter) => ({ ...filterToConfig(filter), source: filter.source })),
      builtinPatternSets: BUILTIN_SETS,
    };
  });

  const save = async (ctx: Parameters<Parameters<typeof router.post>[1]>[0], name?: string) => {
    const body = await readJson(ctx);
    const filter = compileOrRefuse(name === undefined ? body : { ...body, name });
    store.filters.upsert(
      { name: filter.name, kind: filter.kind, spec: filter.spec, source: 'admin' },
      deps.now(),
    );
    catalog.refresh();
    ctx.body = { ...filterToConfig(filter), source: 'admin' };
  };

  router.post('/filters', async (ctx) => {
    await save(ctx);
    ctx.status = 201;
  });

  router.put('/filters/:name', async (ctx) => {
    await save(ctx, param(ctx, 'name'));
  });

  router.delete('/filters/:name', (ctx) => {
    const name = param(ctx, 'name');
    const users = [
      ...store.routes
        .list()
        .filter((route) => route.filters.includes(name))
        .map((route) => `route "${route.id}"`),
      ...store.apps
        .list()
        .filter((app) => app.filters.includes(name))
        .map((app) => `app "${app.name}"`),
    ];
    if (users.length > 0) {
      throw new GatewayError(
        409,
        'conflict',
        `Filter "${name}" is still used by ${users.join(', ')}; detach it first.`,
        {
          type: 'invalid_request_error',
        },
      );
    }
    if (!store.filters.remove(name)) notFound(`Filter "${name}"`);
    catalog.refresh();
    ctx.status = 204;
  });

  /**
   * Tries a filter (saved, by name, or given whole) on a sample request without sending anything:
   * answers what would be forwarded, or why it would be blocked.
   */
  router.post('/filters/test', async (ctx) => {
    const body = await readJson(ctx);
    const request = body['request'];
    if (typeof request !== 'object' || request === null || Array.isArray(request)) {
      throw new GatewayError(
        400,
        'invalid_request',
        'request: a sample request body (an object) is required',
        { param: 'request' },
      );
    }
    const format = body['format'] ?? 'openai';
    const formatId = typeof format === 'string' ? TEST_FORMATS.get(format) : undefined;
    if (formatId === undefined) {
      throw new GatewayError(
        400,
        'invalid_request',
        `format: one of ${[...TEST_FORMATS.keys()].join(', ')}`,
        { param: 'format' },
      );
    }
    const { view } = formatFor(formatId);
    let filters: CompiledFilter[];
    if (typeof body['filter'] === 'string') {
      const saved =
        store.filters.list().find((filter) => filter.name === body['filter']) ??
        notFound(`Filter "${body['filter']}"`);
      filters = [compileFilter(saved.name, saved.kind, saved.spec)];
    } else if (typeof body['filter'] === 'object' && body['filter'] !== null) {
      filters = [compileOrRefuse({ name: 'test', ...(body['filter'] as JsonObject) }).compiled];
    } else {
      throw new GatewayError(
        400,
        'invalid_request',
        'filter: a filter name or a filter definition is required',
        { param: 'filter' },
      );
    }
    const sample = structuredClone(request) as JsonObject;
    const asked = typeof sample['model'] === 'string' ? sample['model'] : '';
    const model = applyModelFilters(filters, asked);
    const problems: string[] = [];
    try {
      const finalModel = applyRequestFilters(
        filters,
        sample,
        view,
        { app: 'test', route: 'test', vendor: DEFAULT_VENDOR, model },
        filters.some((filter) => filter.kind === 'script') ? (deps.sandbox() ?? (await loadQuickJs())) : null,
        (_filter, problem) => problems.push(problem),
      );
      if (finalModel) view.setModel(sample, finalModel);
      ctx.body = { blocked: false, forwarded: sample };
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      ctx.body = { blocked: true, reason: error.message, ...(problems.length ? { problems } : {}) };
    }
  });
}
