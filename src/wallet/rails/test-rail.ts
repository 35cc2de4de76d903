import type { PaymentRail } from './rail.js';

/**
 * The simulated rail of test mode. Its state is a pure function of what the wallet
 * stored (creation time, destination), so any process can answer for any transfer and a
 * restart loses nothing: a transfer settles `settleMs` after it was created; a
 * withdrawal to a destination starting with `fail` fails instead (to try failures).
 */
export function createTestRail(options: { settleMs: number; clock?: () => Date }): PaymentRail {
  const clock = options.clock ?? (() => new Date());
  return {
    name: 'test',
    testMode: true,
    startDeposit(input) {
      return Promise.resolve({ reference: `test_${input.id}` });
    },
    startWithdrawal(input) {
      return Promise.resolve({ reference: `test_${input.id}` });
    },
    status(input) {
      const due = input.createdAt.getTime() + options.settleMs - clock().getTime();
      if (due > 0) return Promise.resolve({ state: 'pending', retryAfterMs: due });
      if (input.kind === 'withdrawal' && input.destination?.startsWith('fail')) {
        return Promise.resolve({
          state: 'failed',
          reason: 'The test rail rejected the destination account',
        });
      }
      return Promise.resolve({ state: 'settled' });
    },
  };
}
