import { useState } from 'react';
import { messageOf, sendJson } from '../api/client.ts';
import type { Price } from '../api/types.ts';
import { Dialog } from '../components/Dialog.tsx';
import { numberText, parseNumber } from '../components/forms.tsx';
import { Notice } from '../components/Notice.tsx';
import { Field } from '../components/ui.tsx';

/** Sets a model's price per million tokens, for models the price library does not know. */
export function PriceDialog({
  model: initialModel,
  price,
  onClose,
  onSaved,
}: {
  model?: string;
  price?: Price;
  onClose: () => void;
  onSaved: () => void;
}) {
  const fixed = price?.model ?? initialModel;
  const [model, setModel] = useState(fixed ?? '');
  const [input, setInput] = useState(numberText(price?.inputPerMTok));
  const [output, setOutput] = useState(numberText(price?.outputPerMTok));
  const [cached, setCached] = useState(numberText(price?.cachedInputPerMTok));
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const save = async () => {
    setError(undefined);
    const values = [parseNumber(input), parseNumber(output), parseNumber(cached)];
    if (model.trim() === '')
      return setError('Model: the name as the vendor reports it, e.g. my-local-model.');
    if (values[0] === undefined || values[1] === undefined)
      return setError('Input and output prices are needed (0 for a free model).');
    if (values.some((value) => value !== undefined && (!Number.isFinite(value) || value < 0)))
      return setError('Prices are dollar amounts of 0 or more.');
    setBusy(true);
    try {
      await sendJson('PUT', `/prices/${encodeURIComponent(model.trim())}`, {
        inputPerMTok: values[0],
        outputPerMTok: values[1],
        ...(values[2] === undefined ? {} : { cachedInputPerMTok: values[2] }),
      });
      onSaved();
      onClose();
    } catch (thrown) {
      setError(messageOf(thrown));
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={fixed ? `Price for ${fixed}` : 'Add a price'}
      description="In US dollars per million tokens. Requests from now on are costed with it; earlier ones keep their cost."
      onClose={onClose}
      size="small"
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="button primary" onClick={save} disabled={busy}>
            {busy ? 'Saving…' : 'Save price'}
          </button>
        </>
      }
    >
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          void save();
        }}
      >
        {!fixed && (
          <Field label="Model">
            {(id) => <input id={id} value={model} onChange={(event) => setModel(event.target.value)} />}
          </Field>
        )}
        <div className="field-row">
          <Field label="Input, $ per 1M tokens">
            {(id) => (
              <input
                id={id}
                inputMode="decimal"
                value={input}
                onChange={(event) => setInput(event.target.value)}
              />
            )}
          </Field>
          <Field label="Output, $ per 1M tokens">
            {(id) => (
              <input
                id={id}
                inputMode="decimal"
                value={output}
                onChange={(event) => setOutput(event.target.value)}
              />
            )}
          </Field>
        </div>
        <Field label="Cached input, $ per 1M tokens" hint="Optional: the input price applies when empty.">
          {(id, describedBy) => (
            <input
              id={id}
              aria-describedby={describedBy}
              inputMode="decimal"
              value={cached}
              onChange={(event) => setCached(event.target.value)}
            />
          )}
        </Field>
        <button type="submit" hidden />
        {error && <Notice kind="error">{error}</Notice>}
      </form>
    </Dialog>
  );
}
