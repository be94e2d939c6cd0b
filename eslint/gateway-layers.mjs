import path from 'node:path';

/**
 * The layers inside gateway/, lowest first: a module may import its own layer and those below,
 * never one above. Folders are named with a trailing slash, single modules by file name.
 */
export const LAYERS = [
  ['domain.ts', 'errors.ts', 'version.ts', 'keys.ts', 'scrub.ts', 'protocol/'],
  // Pure: wire shapes, text filters, model facts. No I/O.
  ['formats/', 'filters/', 'models/'],
  // Where calls go and how they are signed; they know formats by id and type only.
  ['providers/'],
  ['store/', 'secrets/'],
  [
    'config/',
    'policy/',
    'catalog.ts',
    'forward.ts',
    'timeouts.ts',
    'recorder.ts',
    'row-journal.ts',
    'data-dir.ts',
  ],
  // Koa plumbing: bodies, errors, auth, CORS, the recorded() wrapper.
  ['http/'],
  // The one exchange every proxy endpoint runs.
  ['pipeline/'],
  ['admin/'],
  ['endpoints.ts', 'app.ts', 'server.ts', 'index.ts', 'cli.ts', 'launch/'],
];

/** What formats may import besides relative modules: no network, disk, database or process. */
const FORMATS_PACKAGES = new Set(['zod']);
/** The filters that formats may use: the pure text ones, not the script sandbox. */
const FORMATS_FILTERS = new Set(['filters/patterns.ts', 'filters/redact.ts']);

/** `gateway/x/y.ts` → its unit (`x/` or `y.ts` at the root) and its layer, or null outside gateway/. */
function placeOf(file, root) {
  const relative = path.relative(root, file).split(path.sep).join('/');
  if (relative.startsWith('..') || path.isAbsolute(relative)) return null;
  const slash = relative.indexOf('/');
  const unit = slash === -1 ? relative : `${relative.slice(0, slash + 1)}`;
  const layer = LAYERS.findIndex((units) => units.includes(unit));
  return { relative, unit, layer };
}

function isTypeOnly(node) {
  if (node.importKind === 'type' || node.exportKind === 'type') return true;
  const specifiers = node.specifiers ?? [];
  return specifiers.length > 0 && specifiers.every((s) => s.importKind === 'type' || s.exportKind === 'type');
}

/** @type {import('eslint').Rule.RuleModule} */
export const layersRule = {
  meta: {
    type: 'problem',
    docs: {
      description:
        'Keeps gateway/ layered: no upward imports, pure formats, providers that know formats by type.',
    },
    schema: [],
  },
  create(context) {
    const root = path.resolve(context.cwd, 'gateway');
    const file = path.resolve(context.cwd, context.filename);
    const from = placeOf(file, root);
    if (from === null) return {};
    const check = (node) => {
      const source = node.source?.value;
      if (typeof source !== 'string') return;
      const typeOnly = isTypeOnly(node);
      if (!source.startsWith('.')) {
        if (from.unit === 'formats/' && !typeOnly && !FORMATS_PACKAGES.has(source)) {
          context.report({
            node,
            message: `formats/ is pure: it may import "${source}" for its types only (allowed packages: ${[...FORMATS_PACKAGES].join(', ')}).`,
          });
        }
        return;
      }
      const to = placeOf(path.resolve(path.dirname(file), source), root);
      if (to === null || to.unit === from.unit) return;
      if (to.layer > from.layer) {
        context.report({
          node,
          message: `gateway/${from.unit} may not import gateway/${to.unit}: it is a layer above (see eslint/gateway-layers.mjs).`,
        });
      } else if (from.unit === 'providers/' && to.unit === 'formats/' && !typeOnly) {
        context.report({ node, message: 'providers/ know formats by id and type only: use `import type`.' });
      } else if (from.unit === 'formats/' && to.unit === 'filters/' && !FORMATS_FILTERS.has(to.relative)) {
        context.report({
          node,
          message: `formats/ may use only the pure text filters (${[...FORMATS_FILTERS].join(', ')}).`,
        });
      }
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};
