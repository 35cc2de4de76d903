import { z } from '@hono/zod-openapi';
import { PaginationQuery } from '../platform/http/pagination.js';

/** The chains module's request and response schemas (the published API's shapes). */

export const ChainKey = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,31}$/)
  .openapi({ example: 'eth' });
export const AssetCode = z.string().min(1).max(20).openapi({ example: 'USDC' });
export const Amount = z
  .string()
  .min(1)
  .max(80)
  .openapi({ example: '12.5', description: 'Decimal string at the asset scale' });

export const EndpointSchema = z.object({
  url: z.string(),
  healthy: z.boolean(),
  banned: z
    .boolean()
    .openapi({ description: 'Banned by node operations (out of consensus): gets no requests' }),
  consecutive_failures: z.number().int(),
  last_error: z.string().nullable(),
  latency_ms: z.number().nullable(),
});

export const ChainStatusSchema = z
  .object({
    object: z.literal('chain'),
    chain: z.string(),
    chain_id: z.number().int(),
    state: z.enum(['running', 'halted', 'not_started']),
    cursor: z.string().nullable().openapi({ description: 'Last block processed' }),
    confirmed: z.string().nullable().openapi({
      description: 'Highest confirmed block; null while the head is below the confirmation depth',
    }),
    head: z.string().nullable().openapi({ description: "The node's head at the last poll" }),
    lag: z.string().nullable(),
    halt_reason: z.string().nullable(),
    updated_at: z.string().nullable(),
    follower_holder: z.string().nullable().optional().openapi({ description: 'Operators only' }),
    endpoints: z.array(EndpointSchema).optional().openapi({ description: 'Operators only' }),
    hot_wallet: z
      .string()
      .nullable()
      .optional()
      .openapi({ description: 'Operators only: the address withdrawals are sent from (fund it)' }),
    sender: z
      .object({
        next_nonce: z.string(),
        chain_nonce: z.string().nullable(),
        stuck: z.string().nullable().openapi({
          description: 'Why the sender cannot make progress (a nonce gap it cannot fill)',
        }),
        checked_at: z.string().nullable(),
      })
      .nullable()
      .optional()
      .openapi({ description: 'Operators only: the nonce manager against the node' }),
    reorged_after_credit: z
      .object({ count: z.number().int(), on_hold: z.number().int() })
      .optional()
      .openapi({
        description:
          'Operators only: credited deposits a reorg removed, waiting for re-inclusion or reversal',
      }),
  })
  .openapi('ChainStatus');

export const DepositAddressSchema = z
  .object({
    object: z.literal('deposit_address'),
    chain: z.string(),
    asset: z.string(),
    address: z.string().openapi({ example: '0x8ba1f109551bd432803012645ac136ddd64dba72' }),
  })
  .openapi('DepositAddress');

export const DepositSchema = z
  .object({
    id: z.string().openapi({ example: 'dep_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y' }),
    object: z.literal('deposit'),
    status: z.enum([
      'pending',
      'confirmed',
      'credit_failed',
      'removed',
      'reorged_after_credit',
      'reversed',
    ]),
    chain: z.string(),
    asset: z.string(),
    amount: z.string(),
    address: z.string(),
    from_address: z.string().nullable(),
    tx_hash: z.string(),
    block_number: z.string(),
    block_hash: z.string(),
    event_id: z.string(),
    confirmations_required: z.number().int(),
    user_id: z.string(),
    created_at: z.string(),
    confirmed_at: z.string().nullable(),
    removed_at: z.string().nullable(),
    on_hold: z.boolean().openapi({
      description: 'The credit is held (not spendable) while its transfer is off the chain',
    }),
    hold_error: z.string().nullable(),
    reincluded: z
      .number()
      .int()
      .openapi({ description: 'Times a reorg moved the transfer to another block' }),
    reversed_at: z.string().nullable(),
    reversal_reason: z.string().nullable(),
  })
  .openapi('Deposit');

export const WithdrawalSchema = z
  .object({
    id: z.string().openapi({ example: 'wd_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y' }),
    object: z.literal('withdrawal'),
    status: z.enum([
      'pending_approval',
      'queued',
      'signed',
      'broadcast',
      'confirmed',
      'failed',
      'rejected',
      'completed',
    ]),
    chain: z.string(),
    asset: z.string(),
    amount: z.string(),
    to_address: z.string(),
    internal: z.boolean().openapi({ description: 'Settled inside Vaultwire (to another user)' }),
    tx_hash: z.string().nullable(),
    nonce: z.string().nullable(),
    block_number: z.string().nullable(),
    failure_reason: z.string().nullable(),
    user_id: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
    finished_at: z.string().nullable(),
  })
  .openapi('Withdrawal');

export { IdParam } from '../platform/http/route-helpers.js';

/** An operator's reason for a decision on money (kept in the audit log). */
export const ReasonBody = z.strictObject({ reason: z.string().min(1).max(500) });

export const DepositListQuery = PaginationQuery.extend({
  chain: ChainKey.optional(),
  status: z
    .enum(['pending', 'confirmed', 'credit_failed', 'removed', 'reorged_after_credit', 'reversed'])
    .optional(),
  user_id: z.string().max(64).optional().openapi({ description: 'Operators only: another user' }),
});

export const WithdrawalListQuery = PaginationQuery.extend({
  status: z
    .enum([
      'pending_approval',
      'queued',
      'signed',
      'broadcast',
      'confirmed',
      'failed',
      'rejected',
      'completed',
    ])
    .optional(),
  user_id: z.string().max(64).optional().openapi({ description: 'Operators only: another user' }),
});
