import { GatewayError } from '../errors.ts';
import type { JsonObject } from './types.ts';

/*
 * JSON from an upstream is untrusted: it may be any value, and it may nest deeper than the
 * translation can follow. JSON.parse takes any depth, but JSON.stringify recurses and overflows
 * the stack near 5,000 levels (Node 20), so a tool call's arguments nested that deep would throw
 * a RangeError out of a stream reducer. No real answer nests anywhere near this limit.
 */

/** The deepest nesting read from an upstream: arrays and objects inside each other. */
export const MAX_UPSTREAM_JSON_DEPTH = 512;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Whether a parsed value nests deeper than `limit`, found without recursion (the value may be
 * deeper than the stack) and stopping at the first node too deep. Plain loops, not Object.values:
 * on a 13 MB event this costs about a fifth of its JSON.parse.
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const nodes: object[] = [value];
  const depths: number[] = [1];
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    if (depth > limit) return true;
    if (Array.isArray(node)) {
      for (let index = 0; index < node.length; index++) {
        const item: unknown = node[index];
        if (typeof item === 'object' && item !== null) {
          nodes.push(item);
          depths.push(depth + 1);
        }
      }
      continue;
    }
    // JSON.parse makes own properties only (a `__proto__` key included), which for...in reaches.
    for (const key in node) {
      const item: unknown = (node as Record<string, unknown>)[key];
      if (typeof item === 'object' && item !== null) {
        nodes.push(item);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

/**
 * One SSE event's data as JSON, or undefined when it is not JSON or nests too deeply to be
 * translated safely: both are read as "no payload of ours" and ignored (or passed on as bytes).
 */
export function parseEventData(data: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return undefined;
  }
  return nestsDeeperThan(parsed, MAX_UPSTREAM_JSON_DEPTH) ? undefined : parsed;
}

/** A 502 for an answer body nested too deeply to translate. */
export function tooDeepError(): GatewayError {
  return new GatewayError(
    502,
    'upstream_error',
    `The upstream answered with JSON nested more than ${MAX_UPSTREAM_JSON_DEPTH} levels deep.`,
  );
}
