import type { ReactNode } from 'react';
import type { ModelMap } from '../api/types.ts';
import { TextField } from '../components/fields.tsx';
import { Icon } from '../components/Icon.tsx';
import { IconButton } from '../components/ui.tsx';

/** One "pattern → model" row as typed, half-filled rows included. */
export interface MapRow {
  pattern: string;
  model: string;
}

export const mapRows = (map: ModelMap | null | undefined): MapRow[] =>
  Object.entries(map ?? {}).map(([pattern, model]) => ({ pattern, model }));

/**
 * The rows as the admin API takes them, in their order (the first match wins): null when there are
 * none, so that saving clears the map. Rows left entirely empty are dropped; a half-filled or
 * repeated one throws the message to show.
 */
export function modelMapOf(rows: readonly MapRow[]): ModelMap | null {
  const map: ModelMap = {};
  for (const row of rows) {
    const pattern = row.pattern.trim();
    const model = row.model.trim();
    if (pattern === '' && model === '') continue;
    if (pattern === '') throw new Error(`Model map: the row that sends to “${model}” needs a pattern.`);
    if (model === '') throw new Error(`Model map: “${pattern}” needs a model to send, or remove the row.`);
    if (Object.hasOwn(map, pattern))
      throw new Error(`Model map: “${pattern}” is there twice; only the first would ever match.`);
    map[pattern] = model;
  }
  return Object.keys(map).length === 0 ? null : map;
}

const withRow = (rows: readonly MapRow[], index: number, patch: Partial<MapRow>): MapRow[] =>
  rows.map((row, at) => (at === index ? { ...row, ...patch } : row));

const movedUp = (rows: readonly MapRow[], index: number): MapRow[] => {
  const moved = [...rows];
  moved.splice(index - 1, 2, rows[index]!, rows[index - 1]!);
  return moved;
};

/** A model map as rows of "pattern → model", tried top to bottom; for a route and for an app. */
export function ModelMapFields({
  rows,
  onChange,
  hint,
  modelPlaceholder,
}: {
  rows: readonly MapRow[];
  onChange: (rows: MapRow[]) => void;
  hint: ReactNode;
  modelPlaceholder: string;
}) {
  return (
    <fieldset className="aliases model-map">
      <legend>Model map</legend>
      <p className="hint">{hint}</p>
      {rows.map((row, index) => (
        <div className="alias-row" key={index}>
          <TextField
            label="When a request asks for"
            value={row.pattern}
            placeholder="claude-*haiku*"
            spellCheck={false}
            autoComplete="off"
            onChange={(pattern) => onChange(withRow(rows, index, { pattern }))}
          />
          <Icon name="arrow" className="alias-arrow" />
          <TextField
            label="Send"
            value={row.model}
            placeholder={modelPlaceholder}
            spellCheck={false}
            autoComplete="off"
            onChange={(model) => onChange(withRow(rows, index, { model }))}
          />
          {/* On every row, so that the rows' fields line up; the first's is hidden and cannot be reached. */}
          <button
            type="button"
            className="icon-button"
            aria-label={`Move ${row.pattern || `row ${index + 1}`} up`}
            title="Move up: tried earlier"
            disabled={index === 0}
            aria-hidden={index === 0}
            style={index === 0 ? { visibility: 'hidden' } : undefined}
            onClick={() => onChange(movedUp(rows, index))}
          >
            ↑
          </button>
          <IconButton
            icon="trash"
            label={`Remove mapping ${row.pattern || index + 1}`}
            onClick={() => onChange(rows.filter((_, at) => at !== index))}
          />
        </div>
      ))}
      <div>
        <button
          type="button"
          className="button small"
          onClick={() => onChange([...rows, { pattern: '', model: '' }])}
        >
          <Icon name="plus" /> Add a mapping
        </button>
      </div>
    </fieldset>
  );
}
