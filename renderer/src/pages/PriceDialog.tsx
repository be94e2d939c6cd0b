import { useState } from 'react';
import { sendJson } from '../api/client.ts';
import type { Price } from '../api/types.ts';
import { Dialog, SaveButtons } from '../components/Dialog.tsx';
import { TextField } from '../components/fields.tsx';
import { Form, numberText, parseNumber } from '../components/forms.tsx';
import { useSubmit } from '../lib/hooks.ts';

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
  const { error, busy, submit } = useSubmit();

  const save = () =>
    submit(() => {
      const values = [parseNumber(input), parseNumber(output), parseNumber(cached)];
      if (model.trim() === '')
        throw new Error('Model: the name as the vendor reports it, e.g. my-local-model.');
      if (values[0] === undefined || values[1] === undefined)
        throw new Error('Input and output prices are needed (0 for a free model).');
      if (values.some((value) => value !== undefined && (!Number.isFinite(value) || value < 0)))
        throw new Error('Prices are dollar amounts of 0 or more.');
      return async () => {
        await sendJson('PUT', `/prices/${encodeURIComponent(model.trim())}`, {
          inputPerMTok: values[0],
          outputPerMTok: values[1],
          ...(values[2] === undefined ? {} : { cachedInputPerMTok: values[2] }),
        });
        onSaved();
        onClose();
      };
    });

  return (
    <Dialog
      title={fixed ? `Price for ${fixed}` : 'Add a price'}
      description="In US dollars per million tokens. Requests from now on are costed with it; earlier ones keep their cost."
      onClose={onClose}
      size="small"
      footer={<SaveButtons label="Save price" busy={busy} onSave={save} onCancel={onClose} />}
    >
      <Form onSubmit={save} hiddenSubmit error={error}>
        {!fixed && <TextField label="Model" value={model} onChange={setModel} />}
        <div className="field-row">
          <TextField label="Input, $ per 1M tokens" inputMode="decimal" value={input} onChange={setInput} />
          <TextField
            label="Output, $ per 1M tokens"
            inputMode="decimal"
            value={output}
            onChange={setOutput}
          />
        </div>
        <TextField
          label="Cached input, $ per 1M tokens"
          hint="Optional: the input price applies when empty."
          inputMode="decimal"
          value={cached}
          onChange={setCached}
        />
      </Form>
    </Dialog>
  );
}
