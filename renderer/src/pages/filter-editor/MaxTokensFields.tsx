import { TextField } from '../../components/fields.tsx';
import type { DraftFieldsProps } from './draft.ts';

export function MaxTokensFields({ draft, update }: DraftFieldsProps) {
  return (
    <TextField
      label="Most tokens an answer may have"
      hint="Lower requests keep their own value."
      inputMode="numeric"
      value={draft.max}
      onChange={(max) => update({ max })}
    />
  );
}
