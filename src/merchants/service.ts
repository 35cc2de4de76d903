import type { LedgerService } from '../ledger/service.js';
import type { Db } from '../platform/db/db.js';
import { fail } from '../platform/failure.js';
import { MerchantError, amountError, type MerchantFailure } from './errors.js';
import type { InvoiceService } from './invoices.js';
import type { MerchantDirectory } from './merchants.js';
import type { Actor, FeeSettings, Merchant, MerchantAccount } from './model.js';
import type { PaymentLinkService } from './links.js';
import type { PayoutService } from './payouts/payouts.js';
import type { RefundService } from './refunds.js';
import type { PosTerminalService } from './terminals.js';
import type { CardPayments } from './cards/payments.js';

/**
 * Merchant payments: merchants as tenants (`directory`), invoices and their payments,
 * refunds, and each merchant account's balances in the ledger.
 *
 * @example
 * const m = await merchants.directory.create(actor, { name: 'Coffee Co' });
 * const { token } = await merchants.directory.createKey(actor, m.id, { name: 'shop', mode: 'test' });
 * const account = await merchants.directory.account(m.testAccountId);
 * const inv = await merchants.invoices.create(account, { currency: 'USD', amount: '12.50', expiresInSeconds: 900 });
 */
export interface MerchantsService {
  readonly directory: MerchantDirectory;
  readonly invoices: InvoiceService;
  readonly refunds: RefundService;
  /** Bank payouts of the balance, by hand or on a schedule (crypto payouts: chains withdrawals). */
  readonly payouts: PayoutService;
  readonly links: PaymentLinkService;
  readonly terminals: PosTerminalService;
  /** Card payments through the configured card processor (see `cards/payments.ts`). */
  readonly cards: CardPayments;
  /** The number of decimals of an asset or currency the ledger knows. */
  currencyScale(code: string): Promise<number | undefined>;
  /** The account's balance per asset it holds. */
  balances(
    account: MerchantAccount,
  ): Promise<{ asset: string; available: bigint; pending: bigint; scale: number }[]>;
  /** Platform staff: the merchant's fees (each fixed part must be an amount of its currency). */
  setFees(actor: Actor, merchantId: string, fees: FeeSettings): Promise<Merchant | MerchantFailure>;
}

export function createMerchantsService(deps: {
  db: Db;
  ledger: LedgerService;
  directory: MerchantDirectory;
  invoices: InvoiceService;
  refunds: RefundService;
  payouts: PayoutService;
  links: PaymentLinkService;
  terminals: PosTerminalService;
  cards: CardPayments;
}): MerchantsService {
  const { ledger } = deps;
  return {
    directory: deps.directory,
    invoices: deps.invoices,
    refunds: deps.refunds,
    payouts: deps.payouts,
    links: deps.links,
    terminals: deps.terminals,
    cards: deps.cards,
    currencyScale: async (code) => (await ledger.getAsset(code))?.scale,
    async balances(account) {
      const rows = await ledger.listAccounts(account.id);
      return Promise.all(
        rows.map(async (a) => ({
          asset: a.asset,
          available: a.balance.available,
          pending: a.balance.pendingCredits,
          scale: (await ledger.getAsset(a.asset))?.scale ?? 0,
        })),
      );
    },
    async setFees(actor, merchantId, fees) {
      for (const [currency, text] of Object.entries(fees.fixed)) {
        const r = await ledger.parseAmount(currency, text);
        if (!r.ok) {
          const code = amountError(r.code);
          return fail(code === MerchantError.AssetUnknown ? MerchantError.CurrencyUnknown : code, {
            param: `fixed.${currency}`,
          });
        }
      }
      return deps.directory.setFees(actor, merchantId, fees);
    },
  };
}

/** Scopes of the merchants module's routes. */
export const MERCHANT_SCOPES = {
  'merchants:read': 'Read the merchants you are a member of, their members and API keys',
  'merchants:write': 'Create merchants, manage their members and API keys',
  'merchant_fees:write': "Set merchants' fees (operators)",
  'invoices:read': 'Merchant keys: read invoices',
  'invoices:write': 'Merchant keys: create invoices (and simulate payments with a test key)',
  'refunds:read': 'Merchant keys: read refunds',
  'refunds:write': 'Merchant keys: refund payments',
  'merchant_balance:read': "Merchant keys: read the merchant account's balances",
  'payouts:read': 'Merchant keys: read payouts',
  'payouts:write':
    'Merchant keys: pay out the balance (on chain or to a bank) and set payout schedules',
  'merchant_payout_approvals:write':
    'Approve or reject merchant bank payouts above the approval limit (operators)',
  'checkout:write': 'Pay merchant invoices from your wallet',
} as const satisfies Record<string, string>;
