import type { DraftFieldsProps } from './draft.ts';
import { MaxTokensFields } from './MaxTokensFields.tsx';
import { ModelAliasFields } from './ModelAliasFields.tsx';
import { BlockFields, RedactFields } from './PatternFields.tsx';
import { ScriptFields } from './ScriptFields.tsx';
import { SystemPromptFields } from './SystemPromptFields.tsx';

/** The fields of the draft's kind. */
export function KindFields({ builtinSets, ...props }: DraftFieldsProps & { builtinSets: readonly string[] }) {
  switch (props.draft.kind) {
    case 'block':
      return <BlockFields {...props} builtinSets={builtinSets} />;
    case 'redact':
      return <RedactFields {...props} builtinSets={builtinSets} />;
    case 'system-prompt':
      return <SystemPromptFields {...props} />;
    case 'max-tokens':
      return <MaxTokensFields {...props} />;
    case 'model':
      return <ModelAliasFields {...props} />;
    case 'script':
      return <ScriptFields {...props} />;
  }
}
