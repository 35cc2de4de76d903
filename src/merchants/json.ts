import { formatAmount, type Rate } from '../ledger/money.js';
import type { Invoice } from './invoices.js';
import type { PaymentLink } from './links.js';
import type { Refund } from './refunds.js';
import type { PosTerminal } from './terminals.js';
import type { Member, Merchant, MerchantApiKey, MemberRole } from './model.js';

/** API views of the merchants module's objects (snake_case, ISO dates, decimal strings). */

export const merchantJson = (m: Merchant, role?: MemberRole) => ({
  object: 'merchant' as const,
  id: m.id,
  name: m.name,
  ...(role ? { role } : {}),
  fees: { bps: m.fees.bps, fixed: m.fees.fixed },
  created_at: m.createdAt.toISOString(),
});

export const memberJson = (m: Member) => ({
  object: 'merchant_member' as const,
  merchant: m.merchantId,
  user: m.userId,
  role: m.role,
  created_at: m.createdAt.toISOString(),
});

export const keyJson = (k: MerchantApiKey) => ({
  object: 'merchant_api_key' as const,
  id: k.id,
  merchant: k.merchantId,
  name: k.name,
  livemode: k.livemode,
  hint: k.hint,
  scopes: k.scopes,
  created_by: k.createdBy,
  created_at: k.createdAt.toISOString(),
  revoked_at: k.revokedAt?.toISOString() ?? null,
});

const decimal = (amount: bigint, scale: number) => formatAmount(amount, scale, { trim: true });
const rateText = (r: Rate, digits = 18) => {
  const whole = r.numerator / r.denominator;
  const rest = r.numerator % r.denominator;
  if (rest === 0n) return whole.toString();
  const frac = ((rest * 10n ** BigInt(digits)) / r.denominator)
    .toString()
    .padStart(digits, '0')
    .replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : whole.toString();
};

/** EIP-681: the payment request a wallet app opens from the QR code. */
export function paymentUri(
  chain: { chainId: number; tokenAddress?: string | undefined },
  address: string,
  amount: bigint,
): string {
  return chain.tokenAddress
    ? `ethereum:${chain.tokenAddress}@${chain.chainId}/transfer?address=${address}&uint256=${amount}`
    : `ethereum:${address}@${chain.chainId}?value=${amount}`;
}

export const invoiceJson = (
  i: Invoice,
  chainOf: (asset: string) => { chainId: number; tokenAddress?: string | undefined } | undefined,
) => ({
  object: 'invoice' as const,
  id: i.id,
  livemode: i.livemode,
  status: i.status,
  currency: i.currency,
  amount: decimal(i.amount, i.currencyScale),
  amount_paid: decimal(i.paidValue, i.currencyScale),
  amount_pending: decimal(i.pendingValue, i.currencyScale),
  description: i.description,
  order_id: i.orderId,
  customer_email: i.customerEmail,
  redirect_url: i.redirectUrl,
  metadata: i.metadata,
  expires_at: i.expiresAt.toISOString(),
  paid_at: i.paidAt?.toISOString() ?? null,
  created_at: i.createdAt.toISOString(),
  checkout_url: checkoutPath(i),
  payment_link: i.paymentLinkId,
  pos_terminal: i.posTerminalId,
  payment_options: i.options.map((o) => {
    const chain = o.onChain ? chainOf(o.asset) : undefined;
    return {
      asset: o.asset,
      amount_due: decimal(o.amountDue, o.scale),
      amount_paid: decimal(o.amountPaid, o.scale),
      rate: rateText(o.rate),
      chain: o.onChain ? i.chainKey : null,
      address: o.onChain ? i.address : null,
      payment_uri:
        chain && i.address
          ? paymentUri(
              chain,
              i.address,
              o.amountDue > o.amountPaid ? o.amountDue - o.amountPaid : 0n,
            )
          : null,
    };
  }),
  payments: i.payments.map((p) => {
    const scale = i.options.find((o) => o.asset === p.asset)?.scale ?? 0;
    return {
      id: p.id,
      asset: p.asset,
      amount: decimal(p.amount, scale),
      method: p.method,
      status: p.status,
      fee: decimal(p.fee, scale),
      refunded: decimal(p.refunded, scale),
      late: p.late,
      tx_hash: p.txHash,
      card: p.card,
      failure_code: p.failureCode,
      created_at: p.createdAt.toISOString(),
      confirmed_at: p.confirmedAt?.toISOString() ?? null,
    };
  }),
});

/** Where the payer pays: live and test invoices have separate paths. */
export const checkoutPath = (i: Pick<Invoice, 'id' | 'livemode'>) =>
  i.livemode ? `/pay/${i.id}` : `/pay/test/${i.id}`;

export const paymentLinkJson = (l: PaymentLink) => ({
  object: 'payment_link' as const,
  id: l.id,
  livemode: l.livemode,
  url: `/pay/l/${l.id}`,
  currency: l.currency,
  amount: l.amount === null ? null : formatAmount(l.amount, l.currencyScale),
  assets: l.assets,
  description: l.description,
  max_uses: l.maxUses,
  uses: l.uses,
  active: l.active,
  expires_in_seconds: l.expiresInSeconds,
  created_at: l.createdAt.toISOString(),
});

export const terminalJson = (t: PosTerminal) => ({
  object: 'pos_terminal' as const,
  id: t.id,
  livemode: t.livemode,
  name: t.name,
  currency: t.currency,
  assets: t.assets,
  hint: t.hint,
  created_at: t.createdAt.toISOString(),
  revoked_at: t.revokedAt?.toISOString() ?? null,
});

const refundPartJson = (r: Refund) => ({
  object: 'refund' as const,
  id: r.id,
  livemode: r.livemode,
  invoice: r.invoiceId,
  payment: r.paymentId,
  asset: r.asset,
  amount: decimal(r.amount, r.scale),
  status: r.status,
  reason: r.reason,
  chain: r.ledgerRef === null ? r.chainKey : null,
  destination_address: r.destinationAddress,
  withdrawal: r.withdrawalId,
  failure_reason: r.failureReason,
  card_refund: r.cardRefundId,
  split: r.splitId,
  link: r.link
    ? {
        url: `/refund/${r.link.token}`,
        token: r.link.token,
        expires_at: r.link.expiresAt.toISOString(),
      }
    : null,
  link_expires_at: r.linkExpiresAt?.toISOString() ?? null,
  created_at: r.createdAt.toISOString(),
});

export const refundJson = (r: Refund) => ({
  ...refundPartJson(r),
  parts: r.parts?.map(refundPartJson) ?? null,
});
