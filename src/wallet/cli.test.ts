import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWalletHarness, type WalletHarness } from '../../test/fixtures/wallet/harness.js';
import {
  runWalletBalances,
  runWalletExecute,
  runWalletFund,
  runWalletProfileChange,
  runWalletQuote,
} from './cli.js';

/** `vaultwire wallet …`: what the commands print and their exit codes. */

let h: WalletHarness;

beforeAll(async () => {
  h = await createWalletHarness();
  await h.user('zoe');
});

afterAll(async () => {
  await h.close();
});

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) },
    out,
    err,
  };
}

const ACTOR = { type: 'system' as const, id: 'cli:test' };

describe('vaultwire wallet', () => {
  it('fund, quote --execute, execute again, balances', async () => {
    const wallet = h.t.vw.wallet;
    const fund = capture();
    expect(
      await runWalletFund(wallet, fund.io, { user: '@zoe', asset: 'USD', amount: '200.00' }),
    ).toBe(0);
    expect(fund.out[0]).toMatch(/^Deposited 200\.00 USD to @zoe \(fdp_\w+, settled\)$/);

    const quote = capture();
    const code = await runWalletQuote(wallet, quote.io, {
      user: 'zoe@example.com',
      from: 'USD',
      to: 'BTC',
      spend: '100.00',
      execute: true,
    });
    expect(code, quote.err.join('\n')).toBe(0);
    expect(quote.out[0]).toMatch(
      /^Quote (quo_\w+): buy — pay 100\.00 USD \(fee 0\.25\), receive 0\.00152694 BTC; valid until /,
    );
    expect(quote.out[1]).toMatch(
      /^Trade trd_\w+: paid 100\.00 USD, received 0\.00152694 BTC \(ledger ltx_\w+\)$/,
    );

    const quoteId = /Quote (quo_\w+)/.exec(quote.out[0] ?? '')?.[1] ?? '';
    const again = capture();
    expect(await runWalletExecute(wallet, again.io, { user: '@zoe', quote: quoteId })).toBe(0);
    expect(again.out[0]).toContain('(already executed)');

    const balances = capture();
    expect(await runWalletBalances(wallet, balances.io, { user: '@zoe' })).toBe(0);
    expect(balances.out[0]).toMatch(/^@zoe \(usr_\w+\), tier verified$/);
    expect(balances.out.find((l) => l.startsWith('USD'))).toMatch(
      /available\s+100\.00\s+held 0\.00$/,
    );
    expect(balances.out.find((l) => l.startsWith('BTC'))).toMatch(/available\s+0\.00152694/);
  });

  it('freeze and tier are audited; refusals exit 1 with the error code', async () => {
    const wallet = h.t.vw.wallet;
    const freeze = capture();
    expect(
      await runWalletProfileChange(wallet, freeze.io, ACTOR, {
        action: 'freeze',
        user: '@zoe',
        reason: 'Chargeback investigation',
      }),
    ).toBe(0);
    expect(freeze.out[0]).toBe('@zoe: tier verified, frozen');

    const quote = capture();
    expect(
      await runWalletQuote(wallet, quote.io, {
        user: '@zoe',
        from: 'USD',
        to: 'BTC',
        spend: '1.00',
      }),
    ).toBe(1);
    expect(quote.err[0]).toBe('account_frozen: Your wallet is frozen; contact support');

    const tier = capture();
    expect(
      await runWalletProfileChange(wallet, tier.io, ACTOR, {
        action: 'tier',
        tier: 'enhanced',
        user: '@zoe',
        reason: 'Documents checked',
      }),
    ).toBe(0);
    const audit = await h.t.vw.audit.list({ limit: 5, actorId: 'cli:test' });
    expect(audit.events.map((e) => e.action)).toEqual(['wallet.tier_changed', 'wallet.frozen']);

    const nobody = capture();
    expect(
      await runWalletFund(wallet, nobody.io, { user: '@nobody', asset: 'USD', amount: '1' }),
    ).toBe(1);
    expect(nobody.err[0]).toMatch(/^user_not_found/);
  });
});
