import type { GeminiPartialArg } from './schemas.ts';

/*
 * Vertex can stream a function call's arguments as `partialArgs`: one JSON path and one value (or
 * a piece of a string value) at a time. OpenAI clients expect the arguments as JSON text in
 * pieces, so each partial argument is written out as the JSON text it adds, at once, never held
 * back: `$.id` "A" (more to come) → `{"id":"A`, then "" (last piece) → `"`, then the end → `}`.
 */

type Segment = string | number;

interface Container {
  path: Segment[];
  kind: 'object' | 'array';
  members: number;
}

export interface PartialArgsState {
  /** Open containers, outermost first; empty until the first piece opens the root object. */
  stack: Container[];
  /** The JSON path of a string value whose closing quote is still to come. */
  openString: string | null;
}

export function startPartialArgs(): PartialArgsState {
  return { stack: [], openString: null };
}

const DOT_NAME = /^\.([^.[\]]+)/;
const INDEX = /^\[(\d+)\]/;
const QUOTED_NAME = /^\[(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\]/;

/**
 * The deepest path followed. Each level of a path opens a container whose path is kept, so a
 * path of n levels costs n² (a hostile 20,000-level path held the event loop for seconds); real
 * arguments nest a handful of levels.
 */
export const MAX_PATH_DEPTH = 64;

/**
 * RFC 9535 normalized paths as Gemini writes them: `$.a.b[0]`, `$['a b']`, `$["a"]`; null for
 * anything else, and for a path deeper than MAX_PATH_DEPTH.
 */
export function parseJsonPath(path: string): Segment[] | null {
  if (!path.startsWith('$')) return null;
  const segments: Segment[] = [];
  let rest = path.slice(1);
  while (rest !== '') {
    if (segments.length === MAX_PATH_DEPTH) return null;
    let match = DOT_NAME.exec(rest);
    if (match) {
      segments.push(match[1]!);
    } else if ((match = INDEX.exec(rest))) {
      segments.push(Number(match[1]));
    } else if ((match = QUOTED_NAME.exec(rest))) {
      segments.push((match[1] ?? match[2] ?? '').replace(/\\(.)/g, '$1'));
    } else {
      return null;
    }
    rest = rest.slice(match[0].length);
  }
  return segments;
}

const escapeString = (text: string): string => JSON.stringify(text).slice(1, -1);

function isPrefix(prefix: readonly Segment[], path: readonly Segment[]): boolean {
  return prefix.length <= path.length && prefix.every((segment, index) => segment === path[index]);
}

function member(container: Container, segment: Segment): string {
  const comma = container.members > 0 ? ',' : '';
  container.members += 1;
  return container.kind === 'object' ? `${comma}${JSON.stringify(String(segment))}:` : comma;
}

function scalar(arg: GeminiPartialArg): string {
  if (arg.numberValue !== undefined)
    return Number.isFinite(arg.numberValue) ? String(arg.numberValue) : 'null';
  if (arg.boolValue !== undefined) return arg.boolValue ? 'true' : 'false';
  return 'null';
}

/** The JSON text one partial argument adds (possibly ''). */
export function appendPartialArg(state: PartialArgsState, arg: GeminiPartialArg): string {
  let out = '';
  if (state.stack.length === 0) {
    state.stack.push({ path: [], kind: 'object', members: 0 });
    out += '{';
  }
  const path = arg.jsonPath ?? '';
  if (state.openString !== null) {
    if (state.openString === path && arg.stringValue !== undefined) {
      out += escapeString(arg.stringValue);
      if (!arg.willContinue) {
        out += '"';
        state.openString = null;
      }
      return out;
    }
    out += '"';
    state.openString = null;
  }
  const segments = parseJsonPath(path);
  if (segments === null || segments.length === 0) return out;
  const parent = segments.slice(0, -1);
  let top = state.stack[state.stack.length - 1]!;
  while (state.stack.length > 1 && !isPrefix(top.path, parent)) {
    out += top.kind === 'object' ? '}' : ']';
    state.stack.pop();
    top = state.stack[state.stack.length - 1]!;
  }
  for (let depth = top.path.length; depth < parent.length; depth++) {
    out += member(top, parent[depth]!);
    const kind = typeof segments[depth + 1] === 'number' ? 'array' : 'object';
    out += kind === 'object' ? '{' : '[';
    top = { path: parent.slice(0, depth + 1), kind, members: 0 };
    state.stack.push(top);
  }
  out += member(top, segments[segments.length - 1]!);
  if (arg.stringValue !== undefined) {
    out += `"${escapeString(arg.stringValue)}`;
    if (arg.willContinue) state.openString = path;
    else out += '"';
  } else {
    out += scalar(arg);
  }
  return out;
}

/** The JSON text that closes the arguments: '{}' when no piece ever came. */
export function finishPartialArgs(state: PartialArgsState): string {
  if (state.stack.length === 0) return '{}';
  let out = state.openString !== null ? '"' : '';
  state.openString = null;
  while (state.stack.length > 0) out += state.stack.pop()!.kind === 'object' ? '}' : ']';
  return out;
}
