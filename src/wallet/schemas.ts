import { z } from '@hono/zod-openapi';
import { PaginationQuery } from '../platform/http/pagination.js';
import { ACTIVITY_TYPES } from './model.js';
import { MAX_NOTE } from './payments.js';
import { TIERS } from './settings.js';

/** Request and response schemas of the wallet's routes (see routes.ts). */

export const AssetCode = z
  .string()
  .min(1)
  .max(16)
  .openapi({ example: 'USD', description: 'Asset code' });
export const Amount = z.string().min(1).max(100).openapi({
  example: '12.50',
  description: 'Positive decimal string with at most the asset’s decimals',
});
const Note = z.string().max(MAX_NOTE).openapi({ example: 'Dinner on Friday' });
const UserRef = z
  .string()
  .min(1)
  .max(320)
  .openapi({ example: '@bob', description: '`@handle`, handle, email or user id' });
const Reason = z.string().min(1).max(500).openapi({ example: 'Refund of a duplicate card fee' });
const Timestamp = z
  .string()
  .max(40)
  .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/)
  .openapi({ example: '2025-01-01T00:00:00Z', description: 'ISO 8601 date or date-time' });

export const PayBody = z.strictObject({
  to: UserRef,
  asset: AssetCode,
  amount: Amount,
  note: Note.optional(),
});

export const PaymentRequestBody = z.strictObject({
  from: UserRef.openapi({ description: 'Who you ask to pay: `@handle`, handle, email or id' }),
  asset: AssetCode,
  amount: Amount,
  note: Note.optional(),
});

export const QuoteBody = z
  .strictObject({
    from: AssetCode.openapi({ description: 'Asset you spend', example: 'USD' }),
    to: AssetCode.openapi({ description: 'Asset you receive', example: 'BTC' }),
    spend_amount: Amount.optional().openapi({
      description: 'Total to spend, fee included (or give receive_amount)',
    }),
    receive_amount: Amount.optional().openapi({
      description: 'Exact amount to receive (or give spend_amount)',
      example: '0.001',
    }),
  })
  .openapi('QuoteRequest');

export const FiatDepositBody = z.strictObject({ asset: AssetCode, amount: Amount });
export const FiatWithdrawalBody = z.strictObject({
  asset: AssetCode,
  amount: Amount,
  destination: z
    .string()
    .min(1)
    .max(100)
    .openapi({ example: 'acct_test_123', description: 'Bank account reference at the rail' }),
});

export const ReasonBody = z.strictObject({ reason: Reason });
export const TierBody = z.strictObject({ tier: z.enum(TIERS), reason: Reason });
export const AdjustmentBody = z.strictObject({
  user: UserRef,
  asset: AssetCode,
  direction: z.enum(['credit', 'debit']),
  amount: Amount,
  reason: Reason,
});
export const AssetBody = z.strictObject({
  code: z
    .string()
    .regex(/^[A-Z][A-Z0-9]{1,15}$/)
    .openapi({ example: 'EUR' }),
  kind: z.enum(['fiat', 'crypto']),
  scale: z.number().int().min(0).max(36).openapi({ example: 2 }),
  name: z.string().min(1).max(100).optional(),
});

export const HistoryQuery = PaginationQuery.extend({
  asset: AssetCode.optional(),
  type: z.enum(ACTIVITY_TYPES).optional(),
  from: Timestamp.optional().openapi({ description: 'Inclusive' }),
  to: Timestamp.optional().openapi({ description: 'Exclusive' }),
});
export const StatementQuery = z.object({
  asset: AssetCode,
  from: Timestamp.optional().openapi({
    description: 'Start, inclusive (default: 30 days before `to`)',
  }),
  to: Timestamp.optional().openapi({ description: 'End, exclusive (default: now)' }),
});
export const PaymentListQuery = PaginationQuery.extend({
  direction: z.enum(['sent', 'received']).optional(),
});
export const RequestListQuery = PaginationQuery.extend({
  direction: z.enum(['incoming', 'outgoing']).optional(),
  status: z.enum(['pending', 'paid', 'declined', 'cancelled']).optional(),
});

export { IdParam } from '../platform/http/route-helpers.js';
export const UserParam = z.object({
  user: UserRef.openapi({
    param: { name: 'user', in: 'path' },
    example: 'usr_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y',
  }),
});

const id = (example: string) => z.string().openapi({ example });
const time = z.string().openapi({ example: '2025-01-15T10:30:00.000Z' });

export const BalanceSchema = z
  .object({
    object: z.literal('balance'),
    asset: z.string(),
    kind: z.enum(['fiat', 'crypto']),
    available: z.string().openapi({ description: 'Spendable now' }),
    held: z.string().openapi({ description: 'Reserved by pending withdrawals' }),
    total: z.string().openapi({ description: 'Settled: available + held' }),
    incoming: z.string().openapi({ description: 'Pending incoming, not yet spendable' }),
  })
  .openapi('Balance');

export const PaymentSchema = z
  .object({
    id: id('pay_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y'),
    object: z.literal('payment'),
    from_user_id: z.string(),
    to_user_id: z.string(),
    asset: z.string(),
    amount: z.string(),
    note: z.string().nullable(),
    payment_request_id: z.string().nullable(),
    ledger_transaction_id: z.string(),
    created_at: time,
  })
  .openapi('Payment');

export const PaymentRequestSchema = z
  .object({
    id: id('prq_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y'),
    object: z.literal('payment_request'),
    requester_user_id: z.string(),
    requester_handle: z
      .string()
      .nullable()
      .openapi({ description: 'Who asks, by handle (null: they have none)', example: 'carol' }),
    payer_user_id: z.string(),
    payer_handle: z.string().nullable().openapi({
      description: 'Who is asked to pay, by handle (null: they have none)',
      example: 'bob',
    }),
    asset: z.string(),
    amount: z.string(),
    note: z.string().nullable(),
    status: z.enum(['pending', 'paid', 'declined', 'cancelled']),
    payment_id: z.string().nullable(),
    created_at: time,
    resolved_at: time.nullable(),
    payment: PaymentSchema.optional().openapi({ description: 'When just paid' }),
  })
  .openapi('PaymentRequest');

export const QuoteSchema = z
  .object({
    id: id('quo_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y'),
    object: z.literal('quote'),
    side: z.enum(['buy', 'sell', 'convert']),
    mode: z.enum(['spend', 'receive']),
    from_asset: z.string(),
    to_asset: z.string(),
    spend_amount: z.string().openapi({ description: 'Total you pay, fee included' }),
    receive_amount: z.string().openapi({ description: 'What you receive; never more is paid' }),
    fee_amount: z.string(),
    fee_asset: z.string(),
    price_pair: z.string().openapi({ example: 'BTC-USD' }),
    price: z.string().openapi({ description: 'Your price, spread included', example: '65325' }),
    mid_price: z.string(),
    spread_bps: z.number().int(),
    fee_bps: z.number().int(),
    price_source: z.string(),
    price_observed_at: time,
    status: z.enum(['open', 'executed', 'expired']),
    trade_id: z.string(),
    ledger_transaction_id: z.string().nullable(),
    created_at: time,
    expires_at: time,
    executed_at: time.nullable(),
  })
  .openapi('Quote');

export const TradeSchema = z
  .object({
    id: id('trd_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y'),
    object: z.literal('trade'),
    quote_id: z.string(),
    user_id: z.string(),
    side: z.enum(['buy', 'sell', 'convert']),
    from_asset: z.string(),
    to_asset: z.string(),
    spend_amount: z.string(),
    receive_amount: z.string(),
    fee_amount: z.string(),
    fee_asset: z.string(),
    price_pair: z.string(),
    price: z.string(),
    ledger_transaction_id: z.string().nullable(),
    executed_at: time.nullable(),
  })
  .openapi('Trade');

export const FiatDepositSchema = z
  .object({
    id: id('fdp_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y'),
    object: z.literal('fiat_deposit'),
    user_id: z.string(),
    asset: z.string(),
    amount: z.string(),
    rail: z.string(),
    rail_reference: z.string().nullable(),
    status: z.enum(['pending', 'settled', 'failed']),
    failure_reason: z.string().nullable(),
    ledger_transaction_id: z.string().nullable(),
    created_at: time,
    finished_at: time.nullable(),
  })
  .openapi('FiatDeposit');

export const FiatWithdrawalSchema = z
  .object({
    id: id('fwd_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y'),
    object: z.literal('fiat_withdrawal'),
    user_id: z.string(),
    asset: z.string(),
    amount: z.string(),
    destination: z.string(),
    rail: z.string(),
    rail_reference: z.string().nullable(),
    status: z.enum(['pending', 'completed', 'failed']),
    failure_reason: z.string().nullable(),
    ledger_hold_id: z.string(),
    ledger_transaction_id: z.string().nullable(),
    created_at: time,
    finished_at: time.nullable(),
  })
  .openapi('FiatWithdrawal');

export const AdjustmentSchema = z
  .object({
    id: id('adj_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y'),
    object: z.literal('adjustment'),
    user_id: z.string(),
    asset: z.string(),
    direction: z.enum(['credit', 'debit']),
    amount: z.string(),
    reason: z.string(),
    actor_id: z.string(),
    ledger_transaction_id: z.string(),
    created_at: time,
  })
  .openapi('Adjustment');

export const ActivitySchema = z
  .object({
    id: id('act_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y'),
    object: z.literal('activity'),
    type: z.enum(ACTIVITY_TYPES),
    asset: z.string(),
    amount: z.string().openapi({ description: 'Signed: + in, − out', example: '-12.50' }),
    reference_id: z.string(),
    counterparty_user_id: z.string().nullable(),
    counterparty_handle: z.string().nullable().openapi({
      description:
        'The other person of a payment (sent, received or a paid request) by handle; null when there is no other person or they have no handle',
      example: 'bob',
    }),
    description: z.string().nullable(),
    ledger_transaction_id: z.string(),
    occurred_at: time,
  })
  .openapi('Activity');

export const WalletProfileSchema = z
  .object({
    object: z.literal('wallet_profile'),
    user_id: z.string(),
    tier: z.enum(TIERS),
    frozen: z.boolean(),
    frozen_reason: z.string().nullable(),
    frozen_at: time.nullable(),
    limits: z
      .object({
        per_hour: z.number().int(),
        used_this_hour: z.number().int(),
        assets: z.array(
          z.object({
            asset: z.string(),
            per_transaction: z.string(),
            daily: z.string(),
            used_today: z.string(),
          }),
        ),
      })
      .optional(),
    balances: z.array(BalanceSchema).optional(),
  })
  .openapi('WalletProfile');

export const AssetSchema = z
  .object({
    object: z.literal('asset'),
    code: z.string(),
    kind: z.enum(['fiat', 'crypto']),
    scale: z.number().int(),
    name: z.string(),
  })
  .openapi('Asset');
