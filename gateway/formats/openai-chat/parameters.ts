import type { GatewayError } from '../../errors.ts';
import type { JsonObject } from '../types.ts';

/**
 * Throws the refusal of the first parameter in `body` that a translation cannot honour. Each
 * parameter it has a rule for is judged by `refusal` (null: carried or dropped). Null counts as
 * absent, as OpenAI treats it.
 *
 * A parameter a translation has no rule for is ignored: dropped, as the OpenAI SDKs' "extra body"
 * fields are by servers that do not know them. This is the one place that decides it, for every
 * translation of the hub (docs/vendors/*.md say so where they list parameters).
 */
export function refuseUnhonoured<Rule>(
  body: JsonObject,
  rules: ReadonlyMap<string, Rule>,
  refusal: (field: string, value: unknown, rule: Rule) => GatewayError | null,
): void {
  for (const [field, value] of Object.entries(body)) {
    if (value === undefined || value === null) continue;
    const rule = rules.get(field);
    if (rule === undefined) continue;
    const error = refusal(field, value, rule);
    if (error !== null) throw error;
  }
}
