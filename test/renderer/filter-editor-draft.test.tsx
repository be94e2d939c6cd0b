import { describe, expect, it } from 'vitest';
import { toggled } from '../../renderer/src/components/fields.tsx';
import {
  draftOf,
  nameProblem,
  specOf,
  withAlias,
  withoutAlias,
} from '../../renderer/src/pages/filter-editor/draft.ts';
import { changedLines } from '../../renderer/src/pages/filter-editor/samples.ts';

describe('the filter editor’s draft', () => {
  it('turns every kind into the config-file form the API takes', () => {
    const draft = draftOf(undefined);
    expect(
      specOf({ ...draft, kind: 'redact', builtins: ['builtin:emails'], custom: '(?i)secret\n\n  x+  ' }),
    ).toEqual({
      kind: 'redact',
      patterns: ['builtin:emails', '(?i)secret', 'x+'],
    });
    expect(specOf({ ...draft, kind: 'redact', builtins: [], custom: 'a', responses: false })).toEqual({
      kind: 'redact',
      patterns: ['a'],
      responses: false,
    });
    expect(specOf({ ...draft, kind: 'block', builtins: ['builtin:api-keys'], custom: '' })).toEqual({
      kind: 'block',
      patterns: ['builtin:api-keys'],
    });
    expect(specOf({ ...draft, kind: 'system-prompt', mode: 'append', text: 'Be brief.' })).toEqual({
      kind: 'system-prompt',
      mode: 'append',
      text: 'Be brief.',
    });
    expect(specOf({ ...draft, kind: 'max-tokens', max: '512' })).toEqual({ kind: 'max-tokens', max: 512 });
    expect(
      specOf({
        ...draft,
        kind: 'model',
        aliases: [
          { from: ' fast ', to: 'gpt-4.1-nano' },
          { from: '', to: 'x' },
        ],
      }),
    ).toEqual({ kind: 'model', aliases: { fast: 'gpt-4.1-nano' } });
    expect(specOf({ ...draft, kind: 'script', code: '() => null', timeoutMs: '50', memoryMb: '' })).toEqual({
      kind: 'script',
      code: '() => null',
      timeoutMs: 50,
    });
  });

  it('reads a saved filter back into the form', () => {
    const draft = draftOf({
      name: 'x',
      kind: 'redact',
      patterns: ['builtin:emails', 'abc'],
      responses: false,
    });
    expect(draft.builtins).toEqual(['builtin:emails']);
    expect(draft.custom).toBe('abc');
    expect(draft.responses).toBe(false);
  });

  it('marks only the lines a filter changed', () => {
    expect([...changedLines('a\nb\nc', 'a\nB\nc')]).toEqual([1]);
    expect([...changedLines('a\na', 'a\na\na')]).toEqual([2]);
  });

  it('refuses a new name that is taken, and only that', () => {
    expect(nameProblem('taken', ['taken'])).toBe('Name: a filter called “taken” already exists.');
    expect(nameProblem('free', ['taken'])).toBeUndefined();
  });

  it('changes and removes one alias by its place, leaving the others', () => {
    const aliases = [
      { from: 'fast', to: 'a' },
      { from: 'smart', to: 'b' },
    ];
    expect(withAlias(aliases, 1, { to: 'c' })).toEqual([
      { from: 'fast', to: 'a' },
      { from: 'smart', to: 'c' },
    ]);
    expect(withoutAlias(aliases, 0)).toEqual([{ from: 'smart', to: 'b' }]);
    expect(aliases[1]!.to).toBe('b');
  });

  it('adds a ticked pattern set at the end and drops an unticked one', () => {
    expect(toggled(['builtin:emails'], 'builtin:api-keys', true)).toEqual([
      'builtin:emails',
      'builtin:api-keys',
    ]);
    expect(toggled(['builtin:emails', 'builtin:api-keys'], 'builtin:emails', false)).toEqual([
      'builtin:api-keys',
    ]);
  });
});
