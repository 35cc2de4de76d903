/** What the API checks on one request-body field (read from `/openapi.json`). */
export interface FieldRule {
  readonly required: boolean;
  readonly type?: string;
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly format?: string;
  readonly enum?: readonly string[];
}

/** A field the API would refuse, named as the API's error `param` names it. */
export interface FieldError {
  readonly param: string;
  readonly code: 'parameter_missing' | 'parameter_invalid';
  readonly message: string;
}

// Close to the check the server's schema library makes for `format: email`.
const EMAIL =
  /^(?!\.)(?!.*\.\.)([A-Za-z0-9_'+\-.]*)[A-Za-z0-9_+-]@([A-Za-z0-9][A-Za-z0-9-]*\.)+[A-Za-z]{2,}$/;

/**
 * Checks form values against the rules the API applies to the same request body, so a
 * form can refuse before sending what the API would answer with a 400. Empty strings of
 * optional fields count as absent (forms leave them out).
 *
 * @example
 * validateRequest(REQUEST_RULES.SignUpRequest, { email: 'ada@', password: '' })
 * // → [{ param: 'email', code: 'parameter_invalid', … }, { param: 'password', code: 'parameter_missing', … }]
 */
export function validateRequest(
  rules: Readonly<Record<string, FieldRule>>,
  values: Readonly<Record<string, string | undefined>>,
): FieldError[] {
  const errors: FieldError[] = [];
  for (const [param, rule] of Object.entries(rules)) {
    const value = values[param];
    if (value === undefined || value === '') {
      if (rule.required && param in values) {
        errors.push({ param, code: 'parameter_missing', message: 'Required' });
      }
      continue;
    }
    const invalid = (message: string) => {
      errors.push({ param, code: 'parameter_invalid', message });
    };
    if (rule.minLength !== undefined && value.length < rule.minLength) {
      invalid(`Must be at least ${rule.minLength} characters`);
    } else if (rule.maxLength !== undefined && value.length > rule.maxLength) {
      invalid(`Must be at most ${rule.maxLength} characters`);
    } else if (rule.format === 'email' && !EMAIL.test(value)) {
      invalid('Must be an email address');
    } else if (rule.pattern !== undefined && !new RegExp(rule.pattern, 'u').test(value)) {
      invalid('Is not in the expected format');
    } else if (rule.enum !== undefined && !rule.enum.includes(value)) {
      invalid(`Must be one of ${rule.enum.join(', ')}`);
    }
  }
  return errors;
}
