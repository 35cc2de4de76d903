import { useId, useState, type ReactNode, type SyntheticEvent } from 'react';
import { REQUEST_RULES, validateRequest } from '@vaultwire/client';
import { VaultwireApiError } from '../api';

type Operation = keyof typeof REQUEST_RULES;

export interface ApiForm<F extends string> {
  values: Record<F, string>;
  set: (field: F, value: string) => void;
  fieldErrors: Partial<Record<F, string>>;
  formError: string | undefined;
  submitting: boolean;
  onSubmit: (e: SyntheticEvent) => void;
}

/**
 * A form for one API operation: checked before sending with the rules the API applies to
 * that operation's body (read from /openapi.json), and an API error shown on the field its
 * `param` names (or above the form when it names none).
 */
export function useApiForm<F extends string>(
  operation: Operation,
  initial: Record<F, string>,
  submit: (values: Record<F, string>) => Promise<unknown>,
): ApiForm<F> {
  const [values, setValues] = useState(initial);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<F, string>>>({});
  const [formError, setFormError] = useState<string>();
  const [submitting, setSubmitting] = useState(false);
  const fields = Object.keys(initial) as F[];
  return {
    values,
    fieldErrors,
    formError,
    submitting,
    set(field, value) {
      setValues((v) => ({ ...v, [field]: value }));
      setFieldErrors((e) => ({ ...e, [field]: undefined }));
    },
    onSubmit(e) {
      e.preventDefault();
      const local = validateRequest(REQUEST_RULES[operation], values);
      setFormError(undefined);
      if (local.length > 0) {
        setFieldErrors(
          Object.fromEntries(local.map((x) => [x.param, x.message])) as typeof fieldErrors,
        );
        focusField(local[0]?.param);
        return;
      }
      setFieldErrors({});
      setSubmitting(true);
      submit(values)
        .catch((err: unknown) => {
          if (err instanceof VaultwireApiError && err.param && fields.includes(err.param as F)) {
            setFieldErrors({ [err.param]: err.message } as typeof fieldErrors);
            focusField(err.param);
          } else {
            setFormError(
              err instanceof VaultwireApiError
                ? err.message
                : 'The server could not be reached. Check your connection.',
            );
          }
        })
        .finally(() => {
          setSubmitting(false);
        });
    },
  };
}

function focusField(name: string | undefined): void {
  if (name) document.querySelector<HTMLElement>(`[name="${CSS.escape(name)}"]`)?.focus();
}

interface FieldProps<F extends string> {
  form: ApiForm<F>;
  name: F;
  label: string;
  type?: string;
  hint?: ReactNode;
  autoComplete?: string;
  inputMode?: 'text' | 'decimal' | 'numeric' | 'email';
  children?: ReactNode;
}

/** A labelled input bound to an `ApiForm` field, its error announced and linked. */
export function Field<F extends string>(props: FieldProps<F>) {
  const { form, name, label, type = 'text', hint, autoComplete, inputMode, children } = props;
  const id = useId();
  const error = form.fieldErrors[name];
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean);
  const common = {
    id,
    name,
    value: form.values[name],
    'aria-invalid': error ? true : undefined,
    'aria-describedby': described.length ? described.join(' ') : undefined,
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children ? (
        <select
          {...common}
          onChange={(e) => {
            form.set(name, e.target.value);
          }}
        >
          {children}
        </select>
      ) : (
        <input
          {...common}
          type={type}
          autoComplete={autoComplete}
          inputMode={inputMode}
          onChange={(e) => {
            form.set(name, e.target.value);
          }}
        />
      )}
      {hint && (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

export function FormError({ message }: { message: string | undefined }) {
  return message ? (
    <p className="form-error" role="alert">
      {message}
    </p>
  ) : null;
}

export function Submit({ busy, children }: { busy: boolean; children: ReactNode }) {
  return (
    <button type="submit" className="button" disabled={busy} aria-busy={busy}>
      {busy ? 'Working…' : children}
    </button>
  );
}
