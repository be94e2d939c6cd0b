import type { ScriptSandbox } from '../filters/script-sandbox.ts';
import type { Catalog, RuntimeApp, RuntimeRoute } from '../catalog.ts';
import { GatewayError } from '../errors.ts';
import { applyRequestFilters, responsePatterns } from '../filters/engine.ts';
import type { Pattern } from '../filters/patterns.ts';
import { FALLBACK_MAX_TOKENS, modelLimits } from '../models/limits.ts';
import { budgetRules, type BudgetGuard } from '../policy/budgets.ts';
import { priceRequest } from '../policy/pricing.ts';
import type { RateLimiter, RateRule } from '../policy/rate-limits.ts';
import { countInputTokens } from '../policy/tokens.ts';
import type { RecordDraft } from '../recorder.ts';
import type { JsonObject, RequestView } from '../formats/types.ts';
import type { Logger } from '../http/errors.ts';

const NO_PATTERNS: Pattern[] = Object.freeze([]) as unknown as Pattern[];

export interface PolicyDeps {
  catalog: Catalog;
  budgets: BudgetGuard;
  limits: RateLimiter;
  quickjs: ScriptSandbox | null;
  log: Logger;
}

export interface AdmissionInput {
  draft: RecordDraft;
  app: RuntimeApp;
  route: RuntimeRoute;
  /** The request body; filters rewrite it in place, through `view`. */
  body: JsonObject;
  /** How policy reads and rewrites a body of this request's wire format. */
  view: RequestView;
  model: string;
}

export interface Admission {
  /** The model to send: a script filter may have changed it. */
  model: string;
  /** Patterns the answer's text is redacted with (empty: none). */
  responsePatterns: Pattern[];
}

function maxOutputTokens(body: JsonObject, view: RequestView, route: RuntimeRoute, model: string): number {
  return (
    view.maxTokens(body) ?? modelLimits(model).outputTokens ?? route.defaultMaxTokens ?? FALLBACK_MAX_TOKENS
  );
}

/**
 * What happens between knowing the route and sending the request: rate limits, then the
 * request filters (in order: the app's, then the route's), then the budget reservation for the
 * filtered request's most expensive outcome. Anything refused here never reaches the vendor.
 * The draft's `settle` releases what was reserved when the request ends, however it ends.
 */
export function admit(deps: PolicyDeps, input: AdmissionInput): Admission {
  const { app, route, body, view, draft } = input;
  // Most requests have no policy at all: nothing is allocated for them.
  if (
    app.compiledFilters.length + route.compiledFilters.length === 0 &&
    !app.rateLimit &&
    !route.rateLimit &&
    !app.budget &&
    !route.budget
  ) {
    return { model: input.model, responsePatterns: NO_PATTERNS };
  }
  const filters = [...app.compiledFilters, ...route.compiledFilters];
  const rateRules: RateRule[] = [];
  if (app.rateLimit) rateRules.push({ scope: 'app', name: app.name, limit: app.rateLimit });
  if (route.rateLimit) rateRules.push({ scope: 'route', name: route.id, limit: route.rateLimit });
  const rules = budgetRules([app], [route]);

  // A fallback route's admission: the app was counted once for this request, by the first route's.
  const counted = draft.appRates;
  const notCounted = (which: 'rpm' | 'tpm') => (rule: RateRule) => rule.scope !== 'app' || !counted[which];
  const now = Date.now();
  if (rateRules.some((rule) => rule.limit.rpm !== undefined)) {
    deps.limits.admit(
      rateRules.filter(notCounted('rpm')).map((rule) => ({ ...rule, limit: { rpm: rule.limit.rpm } })),
      0,
      now,
    );
    if (app.rateLimit?.rpm !== undefined) counted.rpm = true;
  }

  let model = input.model;
  if (filters.length > 0) {
    model = applyRequestFilters(
      filters,
      body,
      view,
      { app: app.name, route: route.id, vendor: route.vendor, model },
      deps.quickjs,
      (filter, problem) => deps.log('warn', `filter "${filter}" failed closed: ${problem}`),
    );
    if (model !== input.model) {
      if (!route.allowList.allows(model)) {
        throw new GatewayError(
          403,
          'model_not_allowed',
          `Model "${model}" is not on the allow-list of route "${route.id}".`,
        );
      }
      view.setModel(body, model);
      draft.model = model;
    }
  }

  const needsTokens = rules.length > 0 || rateRules.some((rule) => rule.limit.tpm !== undefined);
  const inputTokens = needsTokens
    ? countInputTokens(
        [
          ...view.textSlots(body).map((slot) => slot.text),
          body['tools'] ? JSON.stringify(body['tools']) : '',
        ],
        route.vendor,
      )
    : 0;
  const tokenRules = rateRules
    .filter((rule) => rule.limit.tpm !== undefined)
    .map((rule) => ({ ...rule, limit: { tpm: rule.limit.tpm } }));
  if (tokenRules.length > 0) {
    deps.limits.admit(tokenRules.filter(notCounted('tpm')), inputTokens, now);
    if (app.rateLimit?.tpm !== undefined) counted.tpm = true;
  }

  let reservation = null;
  if (rules.length > 0) {
    const worstCase = priceRequest(
      {
        inputTokens,
        outputTokens: maxOutputTokens(body, view, route, model),
        cachedInputTokens: 0,
        reasoningTokens: 0,
      },
      [model],
      route,
      deps.catalog.prices,
    );
    reservation = deps.budgets.admit(draft.id, rules, worstCase, now);
    draft.reservation = reservation;
  }

  if (reservation || tokenRules.length > 0) {
    draft.settle = (usage, costUsd) => {
      if (reservation) deps.budgets.settle(reservation, costUsd, Date.now());
      if (tokenRules.length > 0) deps.limits.settle(tokenRules, usage.outputTokens ?? 0, Date.now());
    };
  }
  return { model, responsePatterns: responsePatterns(filters) };
}
