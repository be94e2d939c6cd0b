import type { Filter, FilterKind } from '../../api/types.ts';
import { numberText, parseNumber } from '../../components/forms.tsx';

export const KINDS: readonly { kind: FilterKind; label: string; text: string }[] = [
  {
    kind: 'redact',
    label: 'Redact',
    text: 'Replace secrets, e-mails and other matches before the request leaves; answers too.',
  },
  {
    kind: 'block',
    label: 'Block',
    text: 'Refuse any request that contains a match (403), naming the filter, never the text.',
  },
  {
    kind: 'system-prompt',
    label: 'System prompt',
    text: 'Add a system prompt before or after the app’s, or replace it.',
  },
  {
    kind: 'max-tokens',
    label: 'Max tokens',
    text: 'Cap how many tokens an answer may have (and set it where none is asked).',
  },
  {
    kind: 'model',
    label: 'Model aliases',
    text: 'Let apps ask for a short name (fast, smart) and send a real model instead.',
  },
  {
    kind: 'script',
    label: 'Script',
    text: 'A JavaScript function that may block, rewrite messages or pick the model. Sandboxed.',
  },
];

const SCRIPT_TEMPLATE = `(request, context) => {
  // request = { model, messages: [{ role, content }], stream }; context = { app, route, vendor, model }
  const text = request.messages.map((message) => message.content).join('\\n');
  if (/project[- ]falcon/i.test(text)) return { block: true, reason: 'Project Falcon stays in-house.' };
  return null; // no change
}
`;

export interface Alias {
  from: string;
  to: string;
}

/**
 * The editor's form state: the fields of every kind at once, as typed, so that switching kinds back
 * and forth loses nothing. Only the chosen kind's fields are sent (specOf).
 */
export interface Draft {
  name: string;
  kind: FilterKind;
  builtins: string[];
  custom: string;
  responses: boolean;
  mode: 'prepend' | 'append' | 'replace';
  text: string;
  max: string;
  aliases: Alias[];
  code: string;
  timeoutMs: string;
  memoryMb: string;
}

export type DraftUpdate = (patch: Partial<Draft>) => void;

/** What each kind's fields are given: the draft, and a way to change some of it. */
export interface DraftFieldsProps {
  draft: Draft;
  update: DraftUpdate;
}

export function draftOf(filter: Filter | undefined): Draft {
  const patterns = filter?.patterns ?? [];
  return {
    name: filter?.name ?? '',
    kind: filter?.kind ?? 'redact',
    builtins: filter ? patterns.filter((pattern) => pattern.startsWith('builtin:')) : ['builtin:api-keys'],
    custom: patterns.filter((pattern) => !pattern.startsWith('builtin:')).join('\n'),
    responses: filter?.responses !== false,
    mode: filter?.mode ?? 'prepend',
    text: filter?.text ?? '',
    max: numberText(filter?.max),
    aliases: Object.entries(filter?.aliases ?? {}).map(([from, to]) => ({ from, to })),
    code: filter?.code ?? SCRIPT_TEMPLATE,
    timeoutMs: numberText(filter?.timeoutMs),
    memoryMb: numberText(filter?.memoryMb),
  };
}

/** The draft in the config-file form the API takes: `{kind, ...fields}`; the server checks the rest. */
export function specOf(draft: Draft): Record<string, unknown> {
  switch (draft.kind) {
    case 'block':
    case 'redact': {
      const custom = draft.custom
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean);
      return {
        kind: draft.kind,
        patterns: [...draft.builtins, ...custom],
        ...(draft.kind === 'redact' && !draft.responses ? { responses: false } : {}),
      };
    }
    case 'system-prompt':
      return { kind: draft.kind, mode: draft.mode, text: draft.text };
    case 'max-tokens':
      return { kind: draft.kind, max: parseNumber(draft.max) ?? null };
    case 'model':
      return {
        kind: draft.kind,
        aliases: Object.fromEntries(
          draft.aliases
            .filter((alias) => alias.from.trim() !== '')
            .map((alias) => [alias.from.trim(), alias.to.trim()]),
        ),
      };
    case 'script': {
      const timeoutMs = parseNumber(draft.timeoutMs);
      const memoryMb = parseNumber(draft.memoryMb);
      return {
        kind: draft.kind,
        code: draft.code,
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
        ...(memoryMb === undefined ? {} : { memoryMb }),
      };
    }
  }
}

/** Why a new filter's name cannot be saved, or undefined; the server checks the name's form. */
export function nameProblem(name: string, takenNames: readonly string[]): string | undefined {
  return takenNames.includes(name) ? `Name: a filter called “${name}” already exists.` : undefined;
}

/** The aliases with the one at `index` changed. */
export const withAlias = (aliases: readonly Alias[], index: number, patch: Partial<Alias>): Alias[] =>
  aliases.map((alias, at) => (at === index ? { ...alias, ...patch } : alias));

/** The aliases without the one at `index`. */
export const withoutAlias = (aliases: readonly Alias[], index: number): Alias[] =>
  aliases.filter((_, at) => at !== index);
