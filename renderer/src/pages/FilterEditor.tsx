import { useState } from 'react';
import { sendJson } from '../api/client.ts';
import type { Filter } from '../api/types.ts';
import { Dialog, SaveButtons } from '../components/Dialog.tsx';
import { RadioCards, TextField } from '../components/fields.tsx';
import { Form } from '../components/forms.tsx';
import { KINDS, draftOf, nameProblem, specOf, type Draft } from './filter-editor/draft.ts';
import { KindFields } from './filter-editor/KindFields.tsx';
import { useSubmit } from '../lib/hooks.ts';
import { TryIt } from './filter-editor/TryIt.tsx';

const KIND_CARDS = KINDS.map(({ kind, label, text }) => ({ value: kind, label, detail: text }));

export interface FilterEditorProps {
  filter?: Filter;
  builtinSets: readonly string[];
  takenNames: readonly string[];
  onClose: () => void;
  onSaved: () => void;
}

/** A filter's form beside "Try it", which runs the form's filter unsaved. */
export function FilterEditor({ filter, builtinSets, takenNames, onClose, onSaved }: FilterEditorProps) {
  const [draft, setDraft] = useState(() => draftOf(filter));
  const { error, busy, submit } = useSubmit();
  const update = (patch: Partial<Draft>) => setDraft((current) => ({ ...current, ...patch }));

  const save = () =>
    submit(() => {
      const name = draft.name.trim();
      const problem = filter ? undefined : nameProblem(name, takenNames);
      if (problem) throw new Error(problem);
      return async () => {
        if (filter) await sendJson('PUT', `/filters/${encodeURIComponent(filter.name)}`, specOf(draft));
        else await sendJson('POST', '/filters', { name, ...specOf(draft) });
        onSaved();
        onClose();
      };
    });

  return (
    <Dialog
      title={filter ? `Filter “${filter.name}”` : 'New filter'}
      description="Defined once, then attached to routes and apps; they run in the order listed there."
      size="wide"
      onClose={onClose}
      footer={
        <SaveButtons
          label={filter ? 'Save filter' : 'Create filter'}
          busy={busy}
          onSave={save}
          onCancel={onClose}
        />
      }
    >
      <div className="split">
        <Form error={error}>
          {!filter && (
            <TextField
              label="Name"
              hint="Letters, digits, _ . and -; routes and apps name it in their filter list."
              value={draft.name}
              onChange={(name) => update({ name })}
              placeholder="no-secrets"
              spellCheck={false}
              autoComplete="off"
              data-autofocus
            />
          )}
          <RadioCards
            legend="Kind"
            name="filter-kind"
            className="kind-picker"
            gridClassName="kind-grid"
            options={KIND_CARDS}
            value={draft.kind}
            onChange={(kind) => update({ kind })}
          />
          <KindFields draft={draft} update={update} builtinSets={builtinSets} />
        </Form>
        <TryIt spec={() => specOf(draft)} />
      </div>
    </Dialog>
  );
}
