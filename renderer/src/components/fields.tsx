import {
  useId,
  type ChangeEvent,
  type InputHTMLAttributes,
  type KeyboardEvent,
  type ReactNode,
  type TextareaHTMLAttributes,
} from 'react';
import { Field } from './ui.tsx';

/** One choice of a select or a segmented control. */
export interface Option<T extends string> {
  value: T;
  label: string;
}

interface FieldFrame {
  label: string;
  hint?: ReactNode;
  /** The class of the field around the control ("narrow", "inline-field"); `className` is the control's. */
  fieldClassName?: string;
}

interface TextControl<Element> {
  value: string;
  /** The new text, not the event: every caller wants only that. */
  onChange: (value: string) => void;
  onBlur?: () => void;
  onKeyDown?: (event: KeyboardEvent<Element>) => void;
  'data-autofocus'?: boolean;
}

export type TextFieldProps = FieldFrame &
  TextControl<HTMLInputElement> &
  Pick<
    InputHTMLAttributes<HTMLInputElement>,
    'type' | 'inputMode' | 'placeholder' | 'spellCheck' | 'autoComplete' | 'disabled' | 'min' | 'max'
  >;

/** What a text control is given by its field: its id, its hint's, its text and where edits go. */
const textControl = (
  id: string,
  describedBy: string | undefined,
  value: string,
  onChange: (value: string) => void,
) => ({
  id,
  'aria-describedby': describedBy,
  value,
  onChange: (event: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => onChange(event.target.value),
});

/** A labelled one-line input, its hint tied to it for screen readers. */
export function TextField({ label, hint, fieldClassName, value, onChange, ...control }: TextFieldProps) {
  return (
    <Field label={label} hint={hint} className={fieldClassName}>
      {(id, describedBy) => <input {...textControl(id, describedBy, value, onChange)} {...control} />}
    </Field>
  );
}

export type TextAreaFieldProps = FieldFrame &
  TextControl<HTMLTextAreaElement> &
  Pick<
    TextareaHTMLAttributes<HTMLTextAreaElement>,
    'className' | 'rows' | 'placeholder' | 'spellCheck' | 'disabled'
  >;

/** A labelled textarea, its hint tied to it for screen readers. */
export function TextAreaField({
  label,
  hint,
  fieldClassName,
  value,
  onChange,
  ...control
}: TextAreaFieldProps) {
  return (
    <Field label={label} hint={hint} className={fieldClassName}>
      {(id, describedBy) => <textarea {...textControl(id, describedBy, value, onChange)} {...control} />}
    </Field>
  );
}

export interface SelectFieldProps<T extends string> extends FieldFrame {
  value: T;
  options: readonly Option<T>[];
  onChange: (value: T) => void;
}

/** A labelled select over a fixed set of values. */
export function SelectField<T extends string>({
  label,
  hint,
  fieldClassName,
  value,
  options,
  onChange,
}: SelectFieldProps<T>) {
  return (
    <Field label={label} hint={hint} className={fieldClassName}>
      {(id, describedBy) => (
        <select
          id={id}
          aria-describedby={describedBy}
          value={value}
          // The options are the only values a select can hold.
          onChange={(event) => onChange(event.target.value as T)}
        >
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** One checkbox with its text as the label. */
export function Check({
  checked,
  onChange,
  children,
  textClassName,
}: {
  checked: boolean;
  onChange: (checked: boolean) => void;
  children: ReactNode;
  textClassName?: string;
}) {
  return (
    <label className="check">
      <input type="checkbox" checked={checked} onChange={(event) => onChange(event.target.checked)} />
      <span className={textClassName}>{children}</span>
    </label>
  );
}

/** A list with the item added (at the end) or taken out, as a checkbox for it was ticked or not. */
export const toggled = <T,>(list: readonly T[], item: T, on: boolean): T[] =>
  on ? [...list, item] : list.filter((other) => other !== item);

export interface RadioCard<T extends string> extends Option<T> {
  detail: string;
}

/** Radio buttons drawn as cards, a name and a line under it each: a vendor, a filter kind. */
export function RadioCards<T extends string>({
  legend,
  name,
  className,
  gridClassName,
  options,
  value,
  onChange,
}: {
  legend: string;
  /** The radio group's name. */
  name: string;
  className: string;
  gridClassName: string;
  options: readonly RadioCard<T>[];
  value: T;
  onChange: (value: T) => void;
}) {
  return (
    <fieldset className={className}>
      <legend>{legend}</legend>
      <div className={gridClassName}>
        {options.map((option) => (
          <label key={option.value} className={`preset ${option.value === value ? 'selected' : ''}`}>
            <RadioInput name={name} option={option.value} value={value} onChange={onChange} />
            <span className="preset-name">{option.label}</span>
            <span className="preset-detail">{option.detail}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

export interface SegmentedProps<T extends string> {
  label: string;
  value: T;
  options: readonly Option<T>[];
  onChange: (value: T) => void;
  hideLabel?: boolean;
}

/** A row of radio buttons styled as one control: arrow keys move between them as in any radio group. */
export function Segmented<T extends string>({
  label,
  value,
  options,
  onChange,
  hideLabel = true,
}: SegmentedProps<T>) {
  const name = useId();
  return (
    <fieldset className="segmented-field">
      <legend className={hideLabel ? 'sr-only' : 'segmented-legend'}>{label}</legend>
      <div className="segmented">
        {options.map((option) => (
          <label key={option.value} className={option.value === value ? 'selected' : ''}>
            <RadioInput name={name} option={option.value} value={value} onChange={onChange} />
            <span>{option.label}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/** One radio button of a group whose value is `value`. */
function RadioInput<T extends string>({
  name,
  option,
  value,
  onChange,
}: {
  name: string;
  option: T;
  value: T;
  onChange: (value: T) => void;
}) {
  return (
    <input
      type="radio"
      name={name}
      value={option}
      checked={option === value}
      onChange={() => onChange(option)}
    />
  );
}
