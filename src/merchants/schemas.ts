import { z } from '@hono/zod-openapi';
import { pageSchema, PaginationQuery } from '../platform/http/pagination.js';
import { MEMBER_ROLES, MERCHANT_KEY_SCOPES } from './model.js';

/** The merchants module's request and response schemas (the published API's shapes). */

/** Every merchant route carries this tag: the tenant-isolation test walks them all. */
export const MERCHANT_TAG = 'Merchants';

const pathId = (name: string, example: string) =>
  z
    .string()
    .max(64)
    .openapi({ param: { name, in: 'path' }, example });

export const MerchantParam = z.object({ merchant: pathId('merchant', 'mch_01J…') });
export const MemberParam = MerchantParam.extend({ user: pathId('user', 'usr_01J…') });
export const KeyParam = MerchantParam.extend({ key: pathId('key', 'mkey_01J…') });
export const InvoiceParam = z.object({ invoice: pathId('invoice', 'inv_01J…') });
export const RefundParam = z.object({ refund: pathId('refund', 're_01J…') });

export const AssetCode = z
  .string()
  .regex(/^[A-Z][A-Z0-9]{1,15}$/)
  .openapi({ example: 'ETH' });
export const Amount = z
  .string()
  .min(1)
  .max(80)
  .openapi({ example: '12.50', description: 'Decimal string at the asset scale' });

export const MerchantSchema = z
  .object({
    object: z.literal('merchant'),
    id: z.string(),
    name: z.string(),
    role: z.enum(MEMBER_ROLES).optional().openapi({ description: 'Your role in it' }),
    fees: z.object({
      bps: z.number().int(),
      fixed: z.record(z.string(), z.string()),
    }),
    created_at: z.string(),
  })
  .openapi('Merchant');

export const MerchantCreate = z.strictObject({ name: z.string().trim().min(1).max(200) });

export const FeesBody = z.strictObject({
  bps: z.number().int().min(0).max(10_000),
  fixed: z.record(AssetCode, Amount).default({}),
});

export const MemberSchema = z
  .object({
    object: z.literal('merchant_member'),
    merchant: z.string(),
    user: z.string(),
    role: z.enum(MEMBER_ROLES),
    created_at: z.string(),
  })
  .openapi('MerchantMember');

export const MemberCreate = z.strictObject({
  email: z.email().max(320),
  role: z.enum(MEMBER_ROLES),
});

export const KeySchema = z
  .object({
    object: z.literal('merchant_api_key'),
    id: z.string(),
    merchant: z.string(),
    name: z.string(),
    livemode: z.boolean(),
    hint: z.string().openapi({ description: 'The last 4 characters of the token' }),
    scopes: z.array(z.string()),
    created_by: z.string(),
    created_at: z.string(),
    revoked_at: z.string().nullable(),
  })
  .openapi('MerchantApiKey');

export const KeyCreate = z.strictObject({
  name: z.string().trim().min(1).max(100),
  mode: z.enum(['live', 'test']),
  scopes: z.array(z.enum(MERCHANT_KEY_SCOPES)).min(1).max(20).optional(),
});

export const BalanceSchema = z
  .object({
    object: z.literal('merchant_balance'),
    livemode: z.boolean(),
    balances: z.array(
      z.object({
        asset: z.string(),
        available: z.string(),
        pending: z.string(),
      }),
    ),
  })
  .openapi('MerchantBalance');

export const INVOICE_STATUSES = [
  'open',
  'processing',
  'paid',
  'overpaid',
  'paid_late',
  'underpaid',
  'expired',
] as const;

export const PaymentSchema = z.object({
  id: z.string(),
  asset: z.string(),
  amount: z.string(),
  method: z.enum(['wallet', 'chain', 'test', 'card']),
  status: z
    .enum(['pending', 'confirmed', 'removed', 'failed'])
    .openapi({ description: '`removed`: reorged out; `failed`: a card the processor refused' }),
  fee: z.string(),
  refunded: z.string(),
  late: z.boolean(),
  tx_hash: z.string().nullable(),
  card: z
    .object({ brand: z.string(), last4: z.string() })
    .nullable()
    .openapi({ description: 'Card payments: the brand and last four digits (never the number)' }),
  failure_code: z.string().nullable().openapi({
    description: 'Why a card payment failed (`card_declined`, `insufficient_funds`, …)',
  }),
  created_at: z.string(),
  confirmed_at: z.string().nullable(),
});

export const InvoiceSchema = z
  .object({
    object: z.literal('invoice'),
    id: z.string(),
    livemode: z.boolean(),
    status: z.enum(INVOICE_STATUSES),
    currency: z.string(),
    amount: z.string(),
    amount_paid: z
      .string()
      .openapi({ description: 'Confirmed payments, valued in `currency` at the locked rates' }),
    amount_pending: z.string().openapi({ description: 'Seen on chain, not yet confirmed' }),
    description: z.string().nullable(),
    order_id: z.string().nullable(),
    customer_email: z.string().nullable(),
    redirect_url: z.string().nullable(),
    metadata: z.record(z.string(), z.string()),
    expires_at: z.string(),
    paid_at: z.string().nullable(),
    created_at: z.string(),
    checkout_url: z
      .string()
      .openapi({ description: 'The hosted payment page (a path on this server)' }),
    payment_link: z.string().nullable(),
    pos_terminal: z.string().nullable(),
    payment_options: z.array(
      z.object({
        asset: z.string(),
        amount_due: z.string().openapi({ description: 'The whole invoice in this asset' }),
        amount_paid: z.string(),
        rate: z.string().openapi({ description: '`currency` per unit of `asset`, locked' }),
        chain: z.string().nullable(),
        address: z.string().nullable(),
        payment_uri: z.string().nullable().openapi({ description: 'EIP-681' }),
      }),
    ),
    payments: z.array(PaymentSchema),
  })
  .openapi('Invoice');

export const InvoiceCreate = z.strictObject({
  currency: AssetCode.openapi({ example: 'USD' }),
  amount: Amount,
  assets: z
    .array(AssetCode)
    .min(1)
    .max(20)
    .optional()
    .openapi({ description: 'Accepted assets (default: every enabled asset)' }),
  description: z.string().max(1000).optional(),
  order_id: z.string().min(1).max(200).optional(),
  customer_email: z.email().max(320).optional(),
  redirect_url: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .optional(),
  metadata: z
    .record(z.string().min(1).max(40), z.string().max(500))
    .refine((m) => Object.keys(m).length <= 20, 'at most 20 keys')
    .optional(),
  expires_in_seconds: z
    .number()
    .int()
    .min(60)
    .max(7 * 86_400)
    .default(900),
});

export const InvoiceListQuery = PaginationQuery.extend({
  status: z.enum(INVOICE_STATUSES).optional(),
  order_id: z.string().max(200).optional(),
});

const searchText = (max: number, description: string) =>
  z.string().trim().min(1).max(max).optional().openapi({ description });

export const InvoiceSearchQuery = PaginationQuery.extend({
  id: searchText(64, 'An invoice id (`inv_…`)'),
  status: z.enum(INVOICE_STATUSES).optional(),
  currency: z
    .string()
    .regex(/^[A-Z][A-Z0-9]{1,15}$/)
    .optional()
    .openapi({ description: 'Pricing currency; needed with `amount_gte` / `amount_lte`' }),
  amount_gte: searchText(80, 'Invoices of at least this amount of `currency`'),
  amount_lte: searchText(80, 'Invoices of at most this amount of `currency`'),
  created_gte: z.iso
    .datetime({ offset: true })
    .optional()
    .openapi({ description: 'Created at or after (ISO 8601)' }),
  created_lt: z.iso
    .datetime({ offset: true })
    .optional()
    .openapi({ description: 'Created before (ISO 8601)' }),
  customer_email: searchText(320, 'Customer email, any letter case'),
  order_id: searchText(200, 'The merchant’s order id, exact'),
  address: searchText(128, 'The invoice’s deposit address, any letter case'),
  tx_hash: searchText(128, 'Hash of a transaction that paid the invoice'),
  q: searchText(
    200,
    'Free text in the description and metadata: whole words ("a phrase", -word, or), and substrings of 3+ characters where `text_match` says trigram',
  ),
});

export const InvoiceSearchSchema = pageSchema(InvoiceSchema).extend({
  text_match: z.enum(['full_text+trigram', 'full_text']).openapi({
    description: 'How `q` was matched: whole words, plus substrings when the database has pg_trgm',
  }),
});

export const PayBody = z.strictObject({
  asset: AssetCode,
  amount: Amount.optional().openapi({ description: 'A part of what is due (default: all of it)' }),
});

const RefundPartSchema = z
  .object({
    object: z.literal('refund'),
    id: z.string(),
    livemode: z.boolean(),
    invoice: z.string(),
    payment: z.string(),
    asset: z.string(),
    amount: z.string(),
    status: z
      .enum(['pending_destination', 'processing', 'succeeded', 'failed', 'canceled'])
      .openapi({
        description:
          'A refund to a wallet is `succeeded` at once. A refund of a card payment is `processing` until the card processor answers, then `succeeded`, or `failed` with the booking reversed (the amount may be refunded again). A refund of a payment received on chain waits for the payer’s address (`pending_destination`, see `link`), is then sent (`processing`) and ends `succeeded` or `failed` (the amount may be refunded again); the merchant may cancel it while it waits.',
      }),
    reason: z.string().nullable(),
    chain: z.string().nullable(),
    destination_address: z.string().nullable(),
    withdrawal: z
      .string()
      .nullable()
      .openapi({ description: 'The withdrawal (`wd_…`) that sends it on chain' }),
    failure_reason: z.string().nullable(),
    card_refund: z
      .string()
      .nullable()
      .openapi({ description: 'Refunds of card payments: the card processor’s refund (`re_…`)' }),
    split: z.string().nullable().openapi({
      description:
        'A part of a refund split across the invoice’s payments: the id of its first part, the same on every part (null: the refund comes from one payment)',
    }),
    link: z
      .object({
        url: z.string().openapi({
          description: 'Path of the page where the payer gives the address (prefix your host)',
        }),
        token: z.string(),
        expires_at: z.string(),
      })
      .nullable()
      .openapi({
        description:
          'Only in the answers that issue it (creating the refund, `POST /v1/refunds/{refund}/link`): a signed, single-use link for the payer; earlier links stop working when a new one is issued.',
      }),
    link_expires_at: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi('RefundPart');

export const RefundSchema = RefundPartSchema.extend({
  parts: z.array(RefundPartSchema).nullable().openapi({
    description:
      'Only in the answer creating a refund no single payment could cover: every part it was split into (this one first), each a refund of its own payment with its own status',
  }),
}).openapi('Refund');

export const RefundCreate = z.strictObject({
  asset: AssetCode,
  amount: Amount,
  reason: z.string().max(500).optional(),
  link_expires_in_seconds: z
    .number()
    .int()
    .min(300)
    .max(30 * 24 * 3600)
    .optional()
    .openapi({ description: 'Life of the refund link of an on-chain payment (default 3 days)' }),
});

export const RefundLinkCreate = z.strictObject({
  link_expires_in_seconds: RefundCreate.shape.link_expires_in_seconds,
});

export const RefundListQuery = PaginationQuery.extend({
  invoice: z.string().max(64).optional(),
});

export const PaymentLinkParam = z.object({ link: pathId('link', 'plink_01J…') });
export const TerminalParam = z.object({ terminal: pathId('terminal', 'pos_01J…') });

export const PaymentLinkSchema = z
  .object({
    object: z.literal('payment_link'),
    id: z.string(),
    livemode: z.boolean(),
    url: z.string().openapi({ description: 'The page visitors open (a path on this server)' }),
    currency: z.string(),
    amount: z
      .string()
      .nullable()
      .openapi({ description: 'Fixed amount; null: the visitor keys in the amount' }),
    assets: z.array(z.string()).nullable(),
    description: z.string().nullable(),
    max_uses: z.number().int().nullable(),
    uses: z.number().int(),
    active: z.boolean(),
    expires_in_seconds: z.number().int(),
    created_at: z.string(),
  })
  .openapi('PaymentLink');

export const PaymentLinkCreate = z.strictObject({
  currency: AssetCode.openapi({ example: 'USD' }),
  amount: Amount.optional().openapi({ description: 'Omit for an open amount' }),
  assets: z.array(AssetCode).min(1).max(20).optional(),
  description: z.string().max(1000).optional(),
  max_uses: z.number().int().min(1).max(1_000_000_000).optional(),
  expires_in_seconds: z
    .number()
    .int()
    .min(60)
    .max(7 * 86_400)
    .default(900)
    .openapi({ description: 'Life of each invoice the link makes' }),
});

export const PaymentLinkUpdate = z.strictObject({
  active: z.boolean().optional(),
  description: z.string().max(1000).nullable().optional(),
});

export const TerminalSchema = z
  .object({
    object: z.literal('pos_terminal'),
    id: z.string(),
    livemode: z.boolean(),
    name: z.string(),
    currency: z.string(),
    assets: z.array(z.string()).nullable(),
    hint: z.string().openapi({ description: 'The last 4 characters of the token' }),
    created_at: z.string(),
    revoked_at: z.string().nullable(),
  })
  .openapi('PosTerminal');

export const TerminalCreate = z.strictObject({
  name: z.string().trim().min(1).max(100),
  currency: AssetCode.openapi({ example: 'USD' }),
  assets: z.array(AssetCode).min(1).max(20).optional(),
});
