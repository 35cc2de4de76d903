import { formatAmount } from '../ledger/money.js';
import { toApiError, type WalletFailure } from './errors.js';
import type { WalletActor } from './model.js';
import type { Tier } from './settings.js';
import type { WalletService } from './service.js';

/**
 * The wallet's command-line actions (`vaultwire wallet …`), as functions of the service
 * and an output, so tests run exactly what the binary runs. Each returns the exit code:
 * 0 done, 1 refused.
 */

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

function refused(io: Output, f: WalletFailure): number {
  const e = toApiError(f.code, f);
  io.err(`${e.code}: ${e.message}`);
  return 1;
}

async function userId(wallet: WalletService, io: Output, ref: string): Promise<string | undefined> {
  const user = await wallet.resolveUser(ref);
  if (!user) io.err(`user_not_found: no user ${ref} (give an id, @handle or email)`);
  return user?.id;
}

/** `vaultwire wallet fund`: a test-mode bank deposit, settled at once. */
export async function runWalletFund(
  wallet: WalletService,
  io: Output,
  opts: { user: string; asset: string; amount: string },
): Promise<number> {
  if (!wallet.testMode) {
    io.err(
      'rail_unavailable: funding from the command line needs test mode (VW_WALLET_TEST_RAIL=true)',
    );
    return 1;
  }
  const id = await userId(wallet, io, opts.user);
  if (!id) return 1;
  const d = await wallet.depositFiat({ userId: id, asset: opts.asset, amount: opts.amount });
  if (!d.ok) return refused(io, d);
  await wallet.processFiat('deposit', d.deposit.id, { simulate: true });
  const settled = await wallet.getFiatDeposit(id, d.deposit.id);
  io.out(
    `Deposited ${d.deposit.amountDecimal} ${d.deposit.asset} to ${opts.user} (${d.deposit.id}, ${settled?.status ?? 'pending'})`,
  );
  return 0;
}

/** `vaultwire wallet balances`. */
export async function runWalletBalances(
  wallet: WalletService,
  io: Output,
  opts: { user: string },
): Promise<number> {
  const id = await userId(wallet, io, opts.user);
  if (!id) return 1;
  const profile = await wallet.profile(id);
  io.out(`${opts.user} (${id}), tier ${profile.tier}${profile.frozen ? ', FROZEN' : ''}`);
  for (const b of await wallet.balances(id)) {
    io.out(
      `${b.asset.padEnd(6)} available ${formatAmount(b.available, b.scale).padStart(26)}  held ${formatAmount(b.held, b.scale)}`,
    );
  }
  return 0;
}

/** `vaultwire wallet quote`: prices a trade, and executes it with `execute`. */
export async function runWalletQuote(
  wallet: WalletService,
  io: Output,
  opts: {
    user: string;
    from: string;
    to: string;
    spend?: string | undefined;
    receive?: string | undefined;
    execute?: boolean | undefined;
  },
): Promise<number> {
  const id = await userId(wallet, io, opts.user);
  if (!id) return 1;
  const q = await wallet.createQuote({
    userId: id,
    from: opts.from,
    to: opts.to,
    spendAmount: opts.spend,
    receiveAmount: opts.receive,
  });
  if (!q.ok) return refused(io, q);
  const quote = q.quote;
  io.out(
    `Quote ${quote.id}: ${quote.side} — pay ${quote.spendDecimal} ${quote.spendAsset} (fee ${quote.feeDecimal}), receive ${quote.receiveDecimal} ${quote.receiveAsset}; valid until ${quote.expiresAt.toISOString()}`,
  );
  if (!opts.execute) return 0;
  return runWalletExecute(wallet, io, { user: opts.user, quote: quote.id });
}

/** `vaultwire wallet execute`: executes a quote (once; again answers the same trade). */
export async function runWalletExecute(
  wallet: WalletService,
  io: Output,
  opts: { user: string; quote: string },
): Promise<number> {
  const id = await userId(wallet, io, opts.user);
  if (!id) return 1;
  const r = await wallet.executeQuote(id, opts.quote);
  if (!r.ok) return refused(io, r);
  io.out(
    `Trade ${r.quote.tradeId}${r.replayed ? ' (already executed)' : ''}: paid ${r.quote.spendDecimal} ${r.quote.spendAsset}, received ${r.quote.receiveDecimal} ${r.quote.receiveAsset} (ledger ${r.quote.ledgerTransactionId ?? '?'})`,
  );
  return 0;
}

/** `vaultwire wallet freeze | unfreeze | tier`: an operator's change, audited. */
export async function runWalletProfileChange(
  wallet: WalletService,
  io: Output,
  actor: WalletActor,
  opts: { user: string; reason: string } & (
    { action: 'freeze' | 'unfreeze' } | { action: 'tier'; tier: Tier }
  ),
): Promise<number> {
  const id = await userId(wallet, io, opts.user);
  if (!id) return 1;
  const r =
    opts.action === 'tier'
      ? await wallet.setTier(actor, id, opts.tier, opts.reason)
      : opts.action === 'freeze'
        ? await wallet.freeze(actor, id, opts.reason)
        : await wallet.unfreeze(actor, id, opts.reason);
  if (!r.ok) return refused(io, r);
  io.out(
    `${opts.user}: tier ${r.profile.tier}, ${r.profile.frozen ? 'frozen' : 'active'}${r.changed ? '' : ' (unchanged)'}`,
  );
  return 0;
}
