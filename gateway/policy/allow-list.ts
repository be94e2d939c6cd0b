/** `*` matches any run of characters (slashes included), `?` one character; everything else is literal. */
export function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (const char of pattern) {
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

export function isGlob(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}

export interface AllowList {
  /** True when the list is empty (every model allowed) or a pattern matches. */
  allows(model: string): boolean;
  readonly patterns: readonly string[];
  readonly allowsAll: boolean;
}

export function compileAllowList(patterns: readonly string[]): AllowList {
  if (patterns.length === 0) return { allows: () => true, patterns, allowsAll: true };
  const literals = new Set(patterns.filter((pattern) => !isGlob(pattern)));
  const globs = patterns.filter(isGlob).map(globToRegExp);
  return {
    allows: (model) => literals.has(model) || globs.some((glob) => glob.test(model)),
    patterns,
    allowsAll: false,
  };
}
