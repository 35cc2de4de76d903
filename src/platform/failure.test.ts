import { describe, expect, it } from 'vitest';
import { errorCatalog, unwrap } from './http/errors.js';
import { fail, Failure, isFailure, RolledBack, rollback, rollbackWith } from './failure.js';

const toApiError = errorCatalog<'balance_too_low' | 'no_such_account'>({
  balance_too_low: { status: 409, type: 'conflict_error', message: 'Balance too low' },
  no_such_account: { status: 404, type: 'not_found_error', message: 'No such account' },
});

describe('Failure and unwrap', () => {
  it('tells a failure from a success of any shape, even one with ok: false in it', () => {
    expect(isFailure(fail('balance_too_low'))).toBe(true);
    expect(isFailure({ ok: false, code: 'balance_too_low' })).toBe(false);
  });

  it('passes a success through and turns a failure into its catalog error with the detail', () => {
    const account = { id: 'acct_1', ok: false };
    expect(unwrap<typeof account, 'no_such_account'>(account, toApiError)).toBe(account);
    const thrown = (() => {
      try {
        unwrap(
          fail('balance_too_low', { message: 'Needs 5.00 more', param: 'amount' }),
          toApiError,
        );
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(thrown).toMatchObject({
      status: 409,
      toBody: expect.any(Function),
    });
    expect((thrown as { toBody(): unknown }).toBody()).toEqual({
      error: {
        type: 'conflict_error',
        code: 'balance_too_low',
        message: 'Needs 5.00 more',
        param: 'amount',
      },
    });
    expect(new Failure('no_such_account').ok).toBe(false);
  });

  it('rollback and rollbackWith carry their result out to db.attempt', () => {
    const refused = fail('balance_too_low');
    const thrown = (f: () => unknown): unknown => {
      try {
        f();
      } catch (err) {
        return err;
      }
      return undefined;
    };
    const a = thrown(() => rollback(refused));
    expect(a).toBeInstanceOf(RolledBack);
    expect((a as RolledBack).result).toBe(refused);
    const done = { transferId: 'tr_1' };
    const b = thrown(() => rollbackWith(done));
    expect(b).toBeInstanceOf(RolledBack);
    expect((b as RolledBack).result).toBe(done);
  });
});
