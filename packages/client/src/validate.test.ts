import { describe, expect, it } from 'vitest';
import { REQUEST_RULES } from './rules.js';
import { validateRequest } from './validate.js';

describe('validateRequest with the rules read from /openapi.json', () => {
  it('refuses at sign-up what the API refuses: a bad email, a bad handle, no password', () => {
    const errors = validateRequest(REQUEST_RULES.createUser, {
      email: 'ada@',
      password: '',
      handle: 'a!',
    });
    expect(errors.map((e) => [e.param, e.code])).toEqual([
      ['email', 'parameter_invalid'],
      ['password', 'parameter_missing'],
      ['handle', 'parameter_invalid'],
    ]);
  });

  it('accepts a valid payment and leaves an empty optional note alone', () => {
    expect(
      validateRequest(REQUEST_RULES.createPayment, {
        to: '@bob',
        asset: 'USD',
        amount: '12.50',
        note: '',
      }),
    ).toEqual([]);
  });

  it('checks the TOTP code is 6 digits, as the API does', () => {
    const rules = REQUEST_RULES.createSession;
    expect(validateRequest(rules, { email: 'a@b.io', password: 'x', totp_code: '12345' })).toEqual([
      expect.objectContaining({ param: 'totp_code', code: 'parameter_invalid' }),
    ]);
    expect(validateRequest(rules, { email: 'a@b.io', password: 'x', totp_code: '123456' })).toEqual(
      [],
    );
  });
});
