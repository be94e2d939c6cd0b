import type { z } from 'zod';
import { GatewayError } from '../../errors.ts';

/** 400 `invalid_request`: the request is not a valid OpenAI request. */
export function invalidRequest(message: string, param: string | null = null): GatewayError {
  return new GatewayError(400, 'invalid_request', message, { param });
}

/** 400 `unsupported_parameter`: valid for OpenAI, but the route's vendor cannot honour it without changing its meaning. */
export function unsupportedParameter(message: string, param: string | null = null): GatewayError {
  return new GatewayError(400, 'unsupported_parameter', message, { param });
}

/** `messages[2].content[0]` from `["messages", 2, "content", 0]`, for messages that point at the field. */
export function fieldPath(base: string, path: readonly PropertyKey[]): string {
  let out = base;
  for (const key of path)
    out += typeof key === 'number' ? `[${key}]` : `${out === '' ? '' : '.'}${String(key)}`;
  return out;
}

/** Parses with zod, or throws 400 naming the first field that is wrong. */
export function parseOrThrow<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  base: string,
): z.output<Schema> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = fieldPath(base, issue?.path ?? []);
  throw invalidRequest(`${where || 'body'}: ${issue?.message ?? 'invalid value'}.`, where || null);
}
