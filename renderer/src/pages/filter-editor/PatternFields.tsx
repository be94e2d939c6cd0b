import { Check, TextAreaField, toggled } from '../../components/fields.tsx';
import type { DraftFieldsProps } from './draft.ts';

export interface PatternFieldsProps extends DraftFieldsProps {
  /** The gateway's built-in pattern sets, "builtin:" and a name. */
  builtinSets: readonly string[];
}

/** What block and redact filters share: the patterns they look for. */
function PatternFields({ draft, update, builtinSets }: PatternFieldsProps) {
  return (
    <>
      <fieldset className="checklist">
        <legend>Built-in patterns</legend>
        <div className="checklist-items">
          {builtinSets.map((set) => (
            <Check
              key={set}
              checked={draft.builtins.includes(set)}
              onChange={(checked) => update({ builtins: toggled(draft.builtins, set, checked) })}
            >
              {set.replace(/^builtin:/, '')}
            </Check>
          ))}
        </div>
      </fieldset>
      <TextAreaField
        label="Your own patterns"
        hint="One JavaScript regular expression a line; start one with (?i) to ignore case, e.g. (?i)password\s*=\s*\S+"
        className="mono"
        rows={3}
        value={draft.custom}
        spellCheck={false}
        onChange={(custom) => update({ custom })}
      />
    </>
  );
}

export function BlockFields(props: PatternFieldsProps) {
  return <PatternFields {...props} />;
}

export function RedactFields(props: PatternFieldsProps) {
  return (
    <>
      <PatternFields {...props} />
      <Check checked={props.draft.responses} onChange={(responses) => props.update({ responses })}>
        Also redact the answers, streamed ones included
      </Check>
    </>
  );
}
