import { TextField } from '../../components/fields.tsx';
import { Icon } from '../../components/Icon.tsx';
import { IconButton } from '../../components/ui.tsx';
import { withAlias, withoutAlias, type DraftFieldsProps } from './draft.ts';

export function ModelAliasFields({ draft, update }: DraftFieldsProps) {
  return (
    <fieldset className="aliases">
      <legend>Aliases</legend>
      {draft.aliases.length === 0 && (
        <p className="muted small">No alias yet: add one, e.g. fast → gpt-4.1-nano.</p>
      )}
      {draft.aliases.map((alias, index) => (
        <div className="alias-row" key={index}>
          <TextField
            label="When an app asks for"
            value={alias.from}
            placeholder="fast"
            spellCheck={false}
            onChange={(from) => update({ aliases: withAlias(draft.aliases, index, { from }) })}
          />
          <Icon name="arrow" className="alias-arrow" />
          <TextField
            label="Send"
            value={alias.to}
            placeholder="gpt-4.1-nano"
            spellCheck={false}
            onChange={(to) => update({ aliases: withAlias(draft.aliases, index, { to }) })}
          />
          <IconButton
            icon="trash"
            label={`Remove alias ${alias.from || index + 1}`}
            onClick={() => update({ aliases: withoutAlias(draft.aliases, index) })}
          />
        </div>
      ))}
      <button
        type="button"
        className="button small"
        onClick={() => update({ aliases: [...draft.aliases, { from: '', to: '' }] })}
      >
        <Icon name="plus" /> Add an alias
      </button>
    </fieldset>
  );
}
