import { SelectField, TextAreaField, type Option } from '../../components/fields.tsx';
import type { Draft, DraftFieldsProps } from './draft.ts';

const MODES: readonly Option<Draft['mode']>[] = [
  { value: 'prepend', label: 'Before the app’s system prompt' },
  { value: 'append', label: 'After the app’s system prompt' },
  { value: 'replace', label: 'Instead of the app’s system prompt' },
];

export function SystemPromptFields({ draft, update }: DraftFieldsProps) {
  return (
    <>
      <SelectField label="Where" value={draft.mode} options={MODES} onChange={(mode) => update({ mode })} />
      <TextAreaField
        label="System prompt"
        rows={5}
        value={draft.text}
        onChange={(text) => update({ text })}
      />
    </>
  );
}
