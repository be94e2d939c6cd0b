import { TextAreaField, TextField } from '../../components/fields.tsx';
import type { DraftFieldsProps } from './draft.ts';

export function ScriptFields({ draft, update }: DraftFieldsProps) {
  return (
    <>
      <TextAreaField
        label="Script"
        hint="Return null (no change), { block: true, reason }, { model }, or { messages } with as many messages. No network, files or timers."
        className="mono code-input"
        rows={10}
        value={draft.code}
        spellCheck={false}
        onChange={(code) => update({ code })}
      />
      <div className="field-row">
        <TextField
          label="Time limit (ms)"
          hint="Default 100."
          inputMode="numeric"
          value={draft.timeoutMs}
          placeholder="100"
          onChange={(timeoutMs) => update({ timeoutMs })}
        />
        <TextField
          label="Memory limit (MB)"
          hint="Default 16."
          inputMode="numeric"
          value={draft.memoryMb}
          placeholder="16"
          onChange={(memoryMb) => update({ memoryMb })}
        />
      </div>
    </>
  );
}
