import { z } from '@hono/zod-openapi';
import { ANY_ROLE, defineRoute } from '../platform/http/access.js';
import type { HttpApp } from '../platform/http/app.js';
import { pageSchema, PaginationQuery, toPage } from '../platform/http/pagination.js';
import { ChainError, chainApiError, isChainError } from './errors.js';
import type { Deposit } from './deposits.js';
import type { ChainsService, ChainStatus } from './service.js';
import type { Withdrawal } from './withdrawals/service.js';
import {
  jsonResponse as json,
  jsonBody as body,
  requireUser as caller,
  type UserPrincipal,
} from '../platform/http/route-helpers.js';

const STAFF = ['operator', 'admin'] as const;

const isStaff = (p: UserPrincipal) => p.role === 'operator' || p.role === 'admin';

function ok<T>(result: T | ChainError): T {
  if (isChainError(result)) throw chainApiError(result);
  return result;
}

const ChainKey = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,31}$/)
  .openapi({ example: 'eth' });
const AssetCode = z.string().min(1).max(20).openapi({ example: 'USDC' });
const Amount = z
  .string()
  .min(1)
  .max(80)
  .openapi({ example: '12.5', description: 'Decimal string at the asset scale' });

const EndpointSchema = z.object({
  url: z.string(),
  healthy: z.boolean(),
  consecutive_failures: z.number().int(),
  last_error: z.string().nullable(),
  latency_ms: z.number().nullable(),
});

const ChainStatusSchema = z
  .object({
    object: z.literal('chain'),
    chain: z.string(),
    chain_id: z.number().int(),
    state: z.enum(['running', 'halted', 'not_started']),
    cursor: z.string().nullable().openapi({ description: 'Last block processed' }),
    confirmed: z.string().nullable().openapi({ description: 'Highest confirmed block' }),
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

const DepositAddressSchema = z
  .object({
    object: z.literal('deposit_address'),
    chain: z.string(),
    asset: z.string(),
    address: z.string().openapi({ example: '0x8ba1f109551bd432803012645ac136ddd64dba72' }),
  })
  .openapi('DepositAddress');

const DepositSchema = z
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

const WithdrawalSchema = z
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

const chainJson = (s: ChainStatus, staff: boolean) => ({
  object: 'chain' as const,
  chain: s.chain,
  chain_id: s.chainId,
  state: s.state,
  cursor: s.cursor?.toString() ?? null,
  confirmed: s.confirmed?.toString() ?? null,
  head: s.head?.toString() ?? null,
  lag: s.lag?.toString() ?? null,
  halt_reason: s.haltReason,
  updated_at: s.updatedAt?.toISOString() ?? null,
  ...(staff
    ? {
        follower_holder: s.followerHolder,
        endpoints: s.endpoints.map((e) => ({
          url: e.url,
          healthy: e.healthy,
          consecutive_failures: e.consecutiveFailures,
          last_error: e.lastError,
          latency_ms: e.latencyMs,
        })),
        hot_wallet: s.hotWallet,
        sender: s.sender
          ? {
              next_nonce: s.sender.nextNonce.toString(),
              chain_nonce: s.sender.chainNonce?.toString() ?? null,
              stuck: s.sender.stuck,
              checked_at: s.sender.checkedAt?.toISOString() ?? null,
            }
          : null,
        reorged_after_credit: {
          count: s.reorgedAfterCredit.count,
          on_hold: s.reorgedAfterCredit.onHold,
        },
      }
    : {}),
});

const depositJson = (d: Deposit) => ({
  id: d.id,
  object: 'deposit' as const,
  status: d.status,
  chain: d.chainKey,
  asset: d.asset,
  amount: d.amountDecimal,
  address: d.address,
  from_address: d.fromAddress,
  tx_hash: d.txHash,
  block_number: d.blockNumber.toString(),
  block_hash: d.blockHash,
  event_id: d.eventId,
  confirmations_required: d.confirmations,
  user_id: d.userId,
  created_at: d.createdAt.toISOString(),
  confirmed_at: d.confirmedAt?.toISOString() ?? null,
  removed_at: d.removedAt?.toISOString() ?? null,
  on_hold: d.onHold,
  hold_error: d.holdError,
  reincluded: d.reincluded,
  reversed_at: d.reversedAt?.toISOString() ?? null,
  reversal_reason: d.reversalReason,
});

const withdrawalJson = (w: Withdrawal) => ({
  id: w.id,
  object: 'withdrawal' as const,
  status: w.status,
  chain: w.chainKey,
  asset: w.asset,
  amount: w.amountDecimal,
  to_address: w.toAddress,
  internal: w.internalUserId !== null,
  tx_hash: w.txHash,
  nonce: w.nonce?.toString() ?? null,
  block_number: w.blockNumber?.toString() ?? null,
  failure_reason: w.failureReason,
  user_id: w.userId,
  created_at: w.createdAt.toISOString(),
  updated_at: w.updatedAt.toISOString(),
  finished_at: w.finishedAt?.toISOString() ?? null,
});

const IdParam = (example: string) =>
  z.object({
    id: z
      .string()
      .max(64)
      .openapi({ param: { name: 'id', in: 'path' }, example }),
  });

/** An operator's reason for a decision on money (kept in the audit log). */
const ReasonBody = z.strictObject({ reason: z.string().min(1).max(500) });

/** Registers /v1 chain routes: chain status, deposit addresses, deposits, withdrawals. */
export function registerChainRoutes(app: HttpApp, deps: { chains: ChainsService }): void {
  const { chains } = deps;

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/chains',
      tags: ['Chains'],
      summary: 'Chains and their followers',
      description:
        'Every configured chain: the follower cursor, the node head and the lag. Operators also see the lease holder and RPC endpoint health.',
      access: { roles: ANY_ROLE, scope: 'chains:read' },
      responses: {
        200: json(
          'Chains',
          z.object({ object: z.literal('list'), data: z.array(ChainStatusSchema) }),
        ),
      },
    }),
    async (c) => {
      const staff = isStaff(caller(c));
      const list = await chains.status();
      return c.json({ object: 'list' as const, data: list.map((s) => chainJson(s, staff)) }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/chains/{chain}',
      tags: ['Chains'],
      summary: 'One chain',
      access: { roles: ANY_ROLE, scope: 'chains:read' },
      request: {
        params: z.object({ chain: ChainKey.openapi({ param: { name: 'chain', in: 'path' } }) }),
      },
      responses: { 200: json('The chain', ChainStatusSchema), 404: json('No such chain', z.any()) },
    }),
    async (c) => {
      const { chain } = c.req.valid('param');
      const s = (await chains.status()).find((x) => x.chain === chain);
      if (!s) throw chainApiError(ChainError.ChainUnknown);
      return c.json(chainJson(s, isStaff(caller(c))), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/deposit_addresses',
      tags: ['Deposits'],
      summary: 'Your deposit address for an asset',
      description:
        'The address to send `asset` to on `chain`. The same address every time (one per user per chain); created on first call.',
      access: { roles: ANY_ROLE, scope: 'deposits:write' },
      request: body(z.strictObject({ chain: ChainKey, asset: AssetCode })),
      responses: { 200: json('The address', DepositAddressSchema) },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const r = ok(await chains.depositAddress(caller(c).userId, input.chain, input.asset));
      return c.json({ object: 'deposit_address' as const, ...r }, 200);
    },
  );

  const DepositListQuery = PaginationQuery.extend({
    chain: ChainKey.optional(),
    status: z
      .enum([
        'pending',
        'confirmed',
        'credit_failed',
        'removed',
        'reorged_after_credit',
        'reversed',
      ])
      .optional(),
    user_id: z.string().max(64).optional().openapi({ description: 'Operators only: another user' }),
  });

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/deposits',
      tags: ['Deposits'],
      summary: 'Deposit history',
      description: 'Your deposits, newest first. Operators may pass `user_id` or list everyone’s.',
      access: { roles: ANY_ROLE, scope: 'deposits:read' },
      request: { query: DepositListQuery },
      responses: { 200: json('Deposits', pageSchema(DepositSchema)) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const p = caller(c);
      const userId = isStaff(p) ? q.user_id : p.userId;
      const items = await chains.deposits.list({
        limit: q.limit + 1,
        ...(userId !== undefined ? { userId } : {}),
        ...(q.chain !== undefined ? { chainKey: q.chain } : {}),
        ...(q.status !== undefined ? { status: q.status } : {}),
        ...(q.starting_after !== undefined ? { startingAfter: q.starting_after } : {}),
      });
      return c.json(toPage(items, q.limit, depositJson), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/deposits/{id}',
      tags: ['Deposits'],
      summary: 'One deposit',
      access: { roles: ANY_ROLE, scope: 'deposits:read' },
      request: { params: IdParam('dep_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y') },
      responses: { 200: json('The deposit', DepositSchema) },
    }),
    async (c) => {
      const p = caller(c);
      const d = await chains.deposits.get(c.req.valid('param').id);
      if (!d || (!isStaff(p) && d.userId !== p.userId))
        throw chainApiError(ChainError.DepositNotFound);
      return c.json(depositJson(d), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/deposits/{id}/reverse',
      tags: ['Deposits'],
      summary: 'Reverse a credited deposit a reorg removed (operators)',
      description:
        'For a `reorged_after_credit` deposit whose transfer is not on the chain: releases its hold and reverses the credit in the ledger (a reversal linked to the credit), recorded in the audit log. A transfer that comes back is confirmed again by the follower instead.',
      access: { roles: STAFF, scope: 'deposit_reversals:write' },
      request: {
        params: IdParam('dep_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y'),
        ...body(ReasonBody),
      },
      responses: { 200: json('The reversed deposit', DepositSchema) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { reason } = c.req.valid('json');
      const r = await chains.deposits.reverse(id, { id: caller(c).userId, reason });
      if (r === 'deposit_not_found') throw chainApiError(ChainError.DepositNotFound);
      if (r === 'deposit_not_reorged') throw chainApiError(ChainError.DepositNotReorged);
      if ('code' in r) throw chainApiError(ChainError.LedgerRefused);
      return c.json(depositJson(r), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/withdrawals',
      tags: ['Withdrawals'],
      summary: 'Send crypto to an address',
      description:
        'Holds the amount, then signs and broadcasts an EIP-1559 transaction from the hot wallet; the hold is posted once it is confirmed, released if it fails. To another Vaultwire user’s deposit address it settles inside the ledger at once (`internal: true`). Above the configured amount it waits for an operator (`pending_approval`). Send an `Idempotency-Key`.',
      access: { roles: ANY_ROLE, scope: 'withdrawals:write' },
      request: body(
        z.strictObject({
          chain: ChainKey,
          asset: AssetCode,
          to_address: z
            .string()
            .max(100)
            .openapi({ example: '0x8ba1f109551bD432803012645Ac136ddd64DBA72' }),
          amount: Amount,
        }),
      ),
      responses: {
        201: json('The withdrawal', WithdrawalSchema),
        402: json('Insufficient funds', z.any()),
      },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const w = ok(
        await chains.withdrawals.request({
          userId: caller(c).userId,
          chainKey: input.chain,
          asset: input.asset,
          toAddress: input.to_address,
          amount: input.amount,
        }),
      );
      return c.json(withdrawalJson(w), 201);
    },
  );

  const WithdrawalListQuery = PaginationQuery.extend({
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

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/withdrawals',
      tags: ['Withdrawals'],
      summary: 'Withdrawal history',
      access: { roles: ANY_ROLE, scope: 'withdrawals:read' },
      request: { query: WithdrawalListQuery },
      responses: { 200: json('Withdrawals', pageSchema(WithdrawalSchema)) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const p = caller(c);
      const userId = isStaff(p) ? q.user_id : p.userId;
      const items = await chains.withdrawals.list({
        limit: q.limit + 1,
        ...(userId !== undefined ? { userId } : {}),
        ...(q.status !== undefined ? { status: q.status } : {}),
        ...(q.starting_after !== undefined ? { startingAfter: q.starting_after } : {}),
      });
      return c.json(toPage(items, q.limit, withdrawalJson), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/withdrawals/{id}',
      tags: ['Withdrawals'],
      summary: 'One withdrawal',
      access: { roles: ANY_ROLE, scope: 'withdrawals:read' },
      request: { params: IdParam('wd_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y') },
      responses: { 200: json('The withdrawal', WithdrawalSchema) },
    }),
    async (c) => {
      const p = caller(c);
      const w = await chains.withdrawals.get(c.req.valid('param').id);
      if (!w || (!isStaff(p) && w.userId !== p.userId))
        throw chainApiError(ChainError.WithdrawalNotFound);
      return c.json(withdrawalJson(w), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/withdrawals/{id}/approve',
      tags: ['Withdrawals'],
      summary: 'Approve a withdrawal waiting for approval',
      access: { roles: STAFF, scope: 'withdrawal_approvals:write' },
      request: { params: IdParam('wd_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y') },
      responses: { 200: json('The withdrawal, now queued', WithdrawalSchema) },
    }),
    async (c) => {
      const w = ok(await chains.withdrawals.approve(c.req.valid('param').id, caller(c).userId));
      return c.json(withdrawalJson(w), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/withdrawals/{id}/reject',
      tags: ['Withdrawals'],
      summary: 'Reject a withdrawal waiting for approval (its hold is released)',
      access: { roles: STAFF, scope: 'withdrawal_approvals:write' },
      request: {
        params: IdParam('wd_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y'),
        ...body(ReasonBody),
      },
      responses: { 200: json('The withdrawal, now rejected', WithdrawalSchema) },
    }),
    async (c) => {
      const w = ok(
        await chains.withdrawals.reject(
          c.req.valid('param').id,
          caller(c).userId,
          c.req.valid('json').reason,
        ),
      );
      return c.json(withdrawalJson(w), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/withdrawal_allowlist',
      operationId: 'addAllowlistedAddress',
      tags: ['Withdrawals'],
      summary: 'Add an address to your withdrawal allowlist',
      access: { roles: ANY_ROLE, scope: 'withdrawals:write' },
      request: body(
        z.strictObject({
          chain: ChainKey,
          address: z.string().max(100),
          label: z.string().max(100).optional(),
        }),
      ),
      responses: {
        200: json(
          'Added',
          z.object({
            object: z.literal('allowlist_entry'),
            chain: z.string(),
            address: z.string(),
          }),
        ),
      },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const r = await chains.withdrawals.allow(
        caller(c).userId,
        input.chain,
        input.address,
        input.label,
      );
      if (r !== undefined) throw chainApiError(r);
      return c.json(
        {
          object: 'allowlist_entry' as const,
          chain: input.chain,
          address: input.address.toLowerCase(),
        },
        200,
      );
    },
  );
}
