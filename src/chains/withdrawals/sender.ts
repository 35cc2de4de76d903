import type { Hex } from 'viem';
import type { Db } from '../../platform/db/db.js';
import type { Logger } from '../../platform/observability/logger.js';
import type { Outbox } from '../../platform/outbox/outbox.js';
import type { CustodyService } from '../custody/service.js';
import { RpcUnavailableError } from '../evm/rpc.js';
import type { ChainSender, Fees } from '../evm/sender.js';
import type { ChainMetrics } from '../metrics.js';
import type { ChainSettings } from '../settings.js';
import { sleep } from '../sleep.js';
import { WITHDRAWAL_COLUMNS, type WithdrawalRow, type WithdrawalService } from './service.js';

/**
 * Takes queued withdrawals of one chain to the chain and back: sign with the next
 * nonce, broadcast, replace when stuck, and finish (post or void the hold) once the
 * transaction is `confirmations` deep on the canonical chain.
 *
 * The nonce manager is the `chain_nonces` row. `dispatchOne` increments it in the same
 * transaction that stores the transaction signed with that nonce: if anything fails
 * before commit, the increment rolls back with it (no gap); the row lock serialises
 * concurrent dispatchers (no reuse); and the unique (chain, from, nonce) on withdrawals
 * refuses a reuse even if that reasoning were wrong. Broadcasting happens after commit
 * and is repeatable (same signed bytes, same hash), so a crash between commit and
 * broadcast only delays the send.
 */
export interface WithdrawalSender {
  /** Seeds or raises the nonce row from the node's pending count. */
  syncNonce(): Promise<bigint | undefined>;
  /** Signs the oldest queued withdrawal; `undefined` when none is queued. */
  dispatchOne(fees?: Fees): Promise<{ id: string; nonce: bigint } | undefined>;
  /** Broadcasts signed transactions in nonce order; resolves with how many went out. */
  broadcastSigned(): Promise<number>;
  /**
   * Finishes mined withdrawals and replaces stuck ones; watches confirmed ones until
   * they are deeper than the follower's window and sends a reorged-out one again.
   */
  track(): Promise<void>;
  /**
   * Compares the next nonce with the node's pending one: every nonce in between is one
   * of ours the node should hold, so a missing one is re-sent, or, when nothing of ours
   * is to use it (its withdrawal failed), filled with a zero-value transfer to the hot
   * wallet; one that can be neither makes the sender `stuck` (stored, metric, alert,
   * `chain.sender.stuck`).
   */
  fillNonceGap(): Promise<
    { chainNonce: bigint; nextNonce: bigint; stuck: string | null } | undefined
  >;
  /** One round of all the above. */
  tick(): Promise<void>;
  run(ctx: { signal: AbortSignal; fence: () => Promise<void> }): Promise<void>;
}

export function createWithdrawalSender(deps: {
  db: Db;
  settings: ChainSettings;
  sender: ChainSender;
  custody: CustodyService;
  withdrawals: WithdrawalService;
  outbox: Pick<Outbox, 'publish'>;
  metrics: ChainMetrics;
  logger: Logger;
  now?: () => number;
}): WithdrawalSender {
  const { db, settings, sender, custody } = deps;
  const chainKey = settings.key;
  const log = deps.logger.child({ chain: chainKey, component: 'withdrawal-sender' });
  const now = deps.now ?? Date.now;
  const conf = BigInt(settings.confirmations);
  let fence: () => Promise<void> = () => Promise.resolve();
  // The node's last refusal of a first broadcast (the hot wallet cannot pay, most
  // often): the withdrawal stays `signed` and fillNonceGap reports the sender stuck with
  // this reason, where operators look, instead of only in a log line.
  let refused: { id: string; reason: string } | undefined;

  const hotAddress = async () => (await custody.hotWallet())?.address.toLowerCase();

  const markBroadcast = async (r: WithdrawalRow) => {
    const { rows } = await db.query<WithdrawalRow>(
      `UPDATE withdrawals SET status = 'broadcast', broadcast_at = now(), updated_at = now()
        WHERE id = $1 AND status = 'signed' RETURNING ${WITHDRAWAL_COLUMNS}`,
      [r.id],
    );
    const w = rows[0];
    if (w) {
      await deps.outbox.publish({
        type: 'withdrawal.broadcast',
        aggregateId: w.id,
        payload: {
          id: w.id,
          user_id: w.user_id,
          chain: chainKey,
          tx_hash: w.tx_hash,
          nonce: w.nonce?.toString(),
        },
      });
    }
  };

  const self: WithdrawalSender = {
    async syncNonce() {
      const address = await hotAddress();
      if (!address) return undefined;
      const pending = await sender.nonce(address, 'pending');
      const { rows } = await db.query<{ next_nonce: bigint }>(
        `INSERT INTO chain_nonces (chain_key, address, next_nonce) VALUES ($1, $2, $3)
         ON CONFLICT (chain_key, address)
           DO UPDATE SET next_nonce = GREATEST(chain_nonces.next_nonce, excluded.next_nonce)
         RETURNING next_nonce`,
        [chainKey, address, pending],
      );
      const next = rows[0]?.next_nonce;
      if (next !== undefined && next > pending + 64n) {
        log.warn(
          { next: String(next), node: String(pending) },
          'many signed transactions not yet on the node',
        );
      }
      return next;
    },

    async dispatchOne(given) {
      const account = await custody.hotWallet();
      if (!account) return undefined;
      const address = account.address.toLowerCase();
      const fees = given ?? (await sender.fees());
      return db.transaction(async () => {
        await fence();
        const { rows } = await db.query<WithdrawalRow>(
          `SELECT ${WITHDRAWAL_COLUMNS} FROM withdrawals
            WHERE chain_key = $1 AND status = 'queued'
            ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`,
          [chainKey],
        );
        const w = rows[0];
        if (!w) return undefined;
        const { rows: n } = await db.query<{ nonce: bigint }>(
          `UPDATE chain_nonces SET next_nonce = next_nonce + 1
            WHERE chain_key = $1 AND address = $2 RETURNING next_nonce - 1 AS nonce`,
          [chainKey, address],
        );
        const nonce = n[0]?.nonce;
        if (nonce === undefined)
          throw new Error(`${chainKey}: nonce of ${address} not initialised`);
        const token = settings.tokens.find((t) => t.code === w.asset)?.address.toLowerCase();
        const signed = await sender.sign(account, {
          nonce,
          to: w.to_address,
          amount: BigInt(w.amount),
          ...(token ? { token } : {}),
          gasLimit: w.gas_limit ?? 21_000n,
          fees,
        });
        await db.query(
          `INSERT INTO withdrawal_attempts (tx_hash, withdrawal_id, raw_tx, max_fee_per_gas, priority_fee)
           VALUES ($1, $2, $3, $4, $5)`,
          [
            signed.hash,
            w.id,
            signed.raw,
            fees.maxFeePerGas.toString(),
            fees.maxPriorityFeePerGas.toString(),
          ],
        );
        await db.query(
          `UPDATE withdrawals SET status = 'signed', nonce = $2, from_address = $3, tx_hash = $4,
                  updated_at = now()
            WHERE id = $1`,
          [w.id, nonce, address, signed.hash],
        );
        return { id: w.id, nonce };
      });
    },

    async broadcastSigned() {
      const { rows } = await db.query<WithdrawalRow & { raw_tx: string }>(
        `SELECT w.*, a.raw_tx
           FROM (SELECT ${WITHDRAWAL_COLUMNS} FROM withdrawals
                  WHERE chain_key = $1 AND status = 'signed') w
           JOIN withdrawal_attempts a ON a.tx_hash = w.tx_hash
          ORDER BY w.nonce`,
        [chainKey],
      );
      let sent = 0;
      refused = undefined;
      for (const r of rows) {
        try {
          await sender.broadcast(r.raw_tx as Hex);
        } catch (err) {
          throwIfOutage(err);
          refused = { id: r.id, reason: err instanceof Error ? err.message : String(err) };
          // Later nonces would only wait in the mempool behind this one: stop here.
          log.error(
            { err, withdrawalId: r.id, nonce: String(r.nonce) },
            'broadcast refused; will retry',
          );
          break;
        }
        await db.transaction(() => markBroadcast(r));
        sent += 1;
      }
      return sent;
    },

    async track() {
      const head = await sender.headNumber();
      // Confirmed is not final: until the block is deeper than the window, a reorg can
      // still remove it. Then it goes back to `broadcast`, and the same signed bytes go
      // out again (the nonce is still ours, so they are still valid).
      const { rows: recent } = await db.query<WithdrawalRow>(
        `SELECT ${WITHDRAWAL_COLUMNS} FROM withdrawals
          WHERE chain_key = $1 AND status = 'confirmed' AND internal_user_id IS NULL
            AND block_number > $2 ORDER BY nonce`,
        [chainKey, head - BigInt(settings.windowBlocks)],
      );
      for (const w of recent) {
        if (await canonicalReceipt(w.id)) continue;
        const back = await deps.withdrawals.reorged(w.id, { blockNumber: w.block_number });
        if (!back) continue;
        log.error(
          { withdrawalId: w.id, nonce: String(w.nonce), block: String(w.block_number) },
          'a CONFIRMED withdrawal was reorged out; sent back to broadcast and re-sent',
        );
        await resend(w.id);
      }
      // One that reverted on chain failed and its hold was released; until it is deeper
      // than the window, a reorg can put its signed bytes in a block of the new branch
      // (a node re-mines a reorged-out transaction) where they go through. Then the money
      // left after all, and the user is debited again. (Gone for good instead: its nonce
      // is filled below, so the bytes never can go through.)
      const { rows: failed } = await db.query<WithdrawalRow>(
        `SELECT ${WITHDRAWAL_COLUMNS} FROM withdrawals
          WHERE chain_key = $1 AND status = 'failed' AND block_number > $2 ORDER BY nonce`,
        [chainKey, head - BigInt(settings.windowBlocks)],
      );
      for (const w of failed) {
        const receipt = await canonicalReceipt(w.id);
        if (!receipt?.ok || !(await confirmedAt(receipt.blockNumber, receipt.blockHash))) continue;
        const paid = await deps.withdrawals.paidAfterFailure(w.id, {
          blockNumber: receipt.blockNumber,
        });
        if (paid === undefined) continue;
        if ('refused' in paid) {
          if (!paid.newlyFlagged) continue;
          log.error(
            {
              withdrawalId: w.id,
              userId: w.user_id,
              block: String(receipt.blockNumber),
              refused: paid.refused,
            },
            "a FAILED withdrawal went through after a reorg and the user's balance does not cover it; operator action needed",
          );
          continue;
        }
        log.error(
          { withdrawalId: w.id, block: String(receipt.blockNumber) },
          'a FAILED withdrawal went through after a reorg; the user was debited again',
        );
      }
      const { rows } = await db.query<WithdrawalRow>(
        `SELECT ${WITHDRAWAL_COLUMNS} FROM withdrawals
          WHERE chain_key = $1 AND status = 'broadcast' ORDER BY nonce`,
        [chainKey],
      );
      if (rows.length === 0) return;
      const address = await hotAddress();
      // Whether a nonce was used by a transaction that is not ours needs one view of
      // the chain, or a reorg between two reads makes our own reorged-out transaction
      // look foreign (it was then failed and its hold voided while its nonce was free
      // again, so every later withdrawal waited behind the gap). So: the nonce count as
      // of one block `confirmations` below the head, pinned by its hash, and that block
      // still canonical after our attempts' receipts were read (a transaction of ours in
      // it or below would have a receipt). A chain that moved meanwhile decides nothing;
      // the next round looks again.
      const tip = await sender.headNumber();
      const anchorNumber = tip > conf ? tip - conf : 0n;
      const anchor = await sender.blockHashAt(anchorNumber);
      const mined = address && anchor ? await sender.nonce(address, { blockHash: anchor }) : 0n;
      let chainMoved = false;
      for (const w of rows) {
        const { rows: attempts } = await db.query<{
          tx_hash: string;
          raw_tx: string;
          max_fee_per_gas: string;
          priority_fee: string;
        }>(
          `SELECT tx_hash, raw_tx, max_fee_per_gas::text, priority_fee::text FROM withdrawal_attempts
            WHERE withdrawal_id = $1 ORDER BY created_at`,
          [w.id],
        );
        let receipt: Awaited<ReturnType<ChainSender['receipt']>>;
        for (const a of attempts) {
          receipt = await sender.receipt(a.tx_hash);
          if (receipt) break;
        }
        if (receipt) {
          if (!(await confirmedAt(receipt.blockNumber, receipt.blockHash))) continue;
          await deps.withdrawals.finish(
            w.id,
            receipt.ok
              ? { ok: true, blockNumber: receipt.blockNumber }
              : {
                  ok: false,
                  reason: 'transaction reverted on chain',
                  blockNumber: receipt.blockNumber,
                },
          );
          continue;
        }
        if (w.nonce !== null && mined > w.nonce) {
          // Checked after this withdrawal's receipts were read, for each one.
          chainMoved ||= (await sender.blockHashAt(anchorNumber)) !== anchor;
          if (chainMoved) {
            log.warn(
              { withdrawalId: w.id, nonce: String(w.nonce), block: String(anchorNumber) },
              'the chain reorganised while the nonce was checked; checking again next round',
            );
            continue;
          }
          // The nonce was used, but by none of our attempts: someone else used the key.
          log.error(
            { withdrawalId: w.id, nonce: String(w.nonce) },
            'nonce used by a foreign transaction',
          );
          await deps.withdrawals.finish(w.id, {
            ok: false,
            reason: 'nonce used by another transaction of the hot wallet',
          });
          continue;
        }
        const last = attempts[attempts.length - 1];
        const since = w.broadcast_at ? now() - w.broadcast_at.getTime() : 0;
        if (!last || since < settings.withdrawals.stuckAfterSeconds * 1000) continue;
        const fees = await sender.bumpFees({
          maxFeePerGas: BigInt(last.max_fee_per_gas),
          maxPriorityFeePerGas: BigInt(last.priority_fee),
        });
        if (!fees) {
          log.warn({ withdrawalId: w.id }, 'stuck transaction already at the fee cap; waiting');
          continue;
        }
        await replace(w, fees);
      }
    },

    async fillNonceGap() {
      const address = await hotAddress();
      if (!address) return undefined;
      const chainNonce = await sender.nonce(address, 'pending');
      const { rows: n } = await db.query<{ next_nonce: bigint; stuck_reason: string | null }>(
        'SELECT next_nonce, stuck_reason FROM chain_nonces WHERE chain_key = $1 AND address = $2',
        [chainKey, address],
      );
      const row = n[0];
      if (!row) return undefined;
      let stuck: string | null = null;
      if (chainNonce < row.next_nonce) {
        const { rows } = await db.query<WithdrawalRow>(
          `SELECT ${WITHDRAWAL_COLUMNS} FROM withdrawals
            WHERE chain_key = $1 AND from_address = $2 AND nonce >= $3 AND nonce < $4
            ORDER BY nonce`,
          [chainKey, address, chainNonce, row.next_nonce],
        );
        const byNonce = new Map(rows.map((r) => [r.nonce, r]));
        for (let k = chainNonce; k < row.next_nonce; k++) {
          const w = byNonce.get(k);
          // Signed, not yet sent: broadcastSigned sends it and those after it in order,
          // unless the node refused it this round.
          if (w?.status === 'signed') {
            if (refused?.id === w.id) {
              stuck = `nonce ${k} (withdrawal ${w.id}) could not be sent: ${refused.reason}`;
            }
            break;
          }
          if (!w || w.status === 'failed') {
            // Nothing of ours is to go out at this nonce any more (a withdrawal that
            // failed on chain, then was reorged out; or a gap no withdrawal owns). A
            // zero-value transfer to ourselves takes it: later withdrawals can be mined,
            // and the failed withdrawal's signed bytes, whose hold was released, never can.
            const filled = await fillNonce(k, address);
            if (filled !== true) {
              stuck = `nonce ${k} is not on the node and could not be filled: ${filled}`;
              break;
            }
            log.warn(
              { nonce: String(k), withdrawalId: w?.id },
              'filled a nonce nothing of ours is to use with a zero-value transfer to the hot wallet',
            );
            await deps.outbox.publish({
              type: 'chain.sender.nonce_filled',
              aggregateId: chainKey,
              payload: {
                chain: chainKey,
                address,
                nonce: k.toString(),
                withdrawal_id: w?.id ?? null,
              },
            });
            continue;
          }
          if (w.status !== 'broadcast') {
            stuck =
              `nonce ${k} belongs to withdrawal ${w.id} (${w.status}) but is not on the node; ` +
              'later transactions of the hot wallet cannot be mined';
            break;
          }
          const sent = await resend(w.id);
          if (sent !== true) {
            stuck = `nonce ${k} (withdrawal ${w.id}) missing on the node and refused: ${sent}`;
            break;
          }
          log.warn({ withdrawalId: w.id, nonce: String(k) }, 're-sent a transaction the node lost');
        }
      }
      await db.query(
        `UPDATE chain_nonces SET chain_nonce = $3, stuck_reason = $4, checked_at = now()
          WHERE chain_key = $1 AND address = $2`,
        [chainKey, address, chainNonce, stuck],
      );
      deps.metrics.senderStuck.set({ chain: chainKey }, stuck ? 1 : 0);
      if (stuck && stuck !== row.stuck_reason) {
        log.error(
          { chainNonce: String(chainNonce), nextNonce: String(row.next_nonce), reason: stuck },
          'withdrawal sender STUCK: a nonce gap cannot be filled; operator action needed',
        );
        await deps.outbox.publish({
          type: 'chain.sender.stuck',
          aggregateId: chainKey,
          payload: {
            chain: chainKey,
            address,
            chain_nonce: chainNonce.toString(),
            next_nonce: row.next_nonce.toString(),
            reason: stuck,
          },
        });
      } else if (!stuck && row.stuck_reason) {
        log.warn({ chainNonce: String(chainNonce) }, 'withdrawal sender no longer stuck');
      }
      return { chainNonce, nextNonce: row.next_nonce, stuck };
    },

    async tick() {
      while (await self.dispatchOne()) {
        // sign everything queued before broadcasting, in nonce order
      }
      await self.broadcastSigned();
      await self.track();
      await self.fillNonceGap();
    },

    async run(ctx) {
      fence = ctx.fence;
      let failures = 0;
      let synced = false;
      while (!ctx.signal.aborted) {
        try {
          if (!synced) synced = (await self.syncNonce()) !== undefined;
          if (synced) await self.tick();
          failures = 0;
        } catch (err) {
          failures += 1;
          log.warn({ err, failures }, 'withdrawal sender round failed');
        }
        const wait =
          failures === 0 ? settings.pollMs : Math.min(60_000, 500 * 2 ** Math.min(failures, 7));
        await sleep(wait, ctx.signal);
      }
    },
  };

  /**
   * Whether block `number` with hash `hash` has `confirmations` blocks on top on the
   * canonical chain. The block above is read before and after the block itself, so the
   * two answers come from one branch: a head read earlier (or a block above read
   * alone) may belong to a longer branch a reorg has since replaced, and then counts
   * depth the transaction never had.
   */
  const confirmedAt = async (number: bigint, hash: string) => {
    const above = await sender.blockHashAt(number + conf);
    if (!above) return false;
    if ((await sender.blockHashAt(number)) !== hash) return false;
    return (await sender.blockHashAt(number + conf)) === above;
  };

  /** The receipt of whichever attempt was mined, if its block is canonical now. */
  const canonicalReceipt = async (id: string) => {
    const { rows: attempts } = await db.query<{ tx_hash: string }>(
      'SELECT tx_hash FROM withdrawal_attempts WHERE withdrawal_id = $1 ORDER BY created_at',
      [id],
    );
    for (const a of attempts) {
      const receipt = await sender.receipt(a.tx_hash);
      if (receipt && (await sender.blockHashAt(receipt.blockNumber)) === receipt.blockHash) {
        return receipt;
      }
    }
    return undefined;
  };

  /** Broadcasts the latest signed attempt again: true, or why the node refused it. */
  const resend = async (id: string): Promise<true | string> => {
    const { rows } = await db.query<{ raw_tx: string }>(
      `SELECT a.raw_tx FROM withdrawals w JOIN withdrawal_attempts a ON a.tx_hash = w.tx_hash
        WHERE w.id = $1`,
      [id],
    );
    const raw = rows[0]?.raw_tx;
    if (!raw) return 'no signed transaction stored';
    try {
      await sender.broadcast(raw as Hex);
      return true;
    } catch (err) {
      throwIfOutage(err);
      return err instanceof Error ? err.message : String(err);
    }
  };

  /** Sends a zero-value transfer to the hot wallet itself at `nonce`: true, or why not. */
  const fillNonce = async (nonce: bigint, address: string): Promise<true | string> => {
    const account = await custody.hotWallet();
    if (!account) return 'no hot wallet';
    try {
      const signed = await sender.sign(account, {
        nonce,
        to: address,
        amount: 0n,
        gasLimit: 21_000n,
        fees: await sender.fees(),
      });
      await sender.broadcast(signed.raw);
      return true;
    } catch (err) {
      throwIfOutage(err);
      return err instanceof Error ? err.message : String(err);
    }
  };

  const replace = async (w: WithdrawalRow, fees: Fees) => {
    const account = await custody.hotWallet();
    if (!account || w.nonce === null) return;
    const token = settings.tokens.find((t) => t.code === w.asset)?.address.toLowerCase();
    const signed = await sender.sign(account, {
      nonce: w.nonce,
      to: w.to_address,
      amount: BigInt(w.amount),
      ...(token ? { token } : {}),
      gasLimit: w.gas_limit ?? 21_000n,
      fees,
    });
    await db.transaction(async () => {
      await fence();
      await db.query(
        `INSERT INTO withdrawal_attempts (tx_hash, withdrawal_id, raw_tx, max_fee_per_gas, priority_fee)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
        [
          signed.hash,
          w.id,
          signed.raw,
          fees.maxFeePerGas.toString(),
          fees.maxPriorityFeePerGas.toString(),
        ],
      );
      await db.query(
        `UPDATE withdrawals SET tx_hash = $2, broadcast_at = now(), updated_at = now() WHERE id = $1`,
        [w.id, signed.hash],
      );
    });
    await sender.broadcast(signed.raw);
    log.warn(
      { withdrawalId: w.id, nonce: String(w.nonce), maxFeePerGas: String(fees.maxFeePerGas) },
      'replaced a stuck transaction with higher fees',
    );
  };

  return self;
}

/**
 * No node answered (every endpoint down or banned): an outage, which the endpoints'
 * gauges and node operations report, not a transaction the node refused. The round
 * fails and `run` retries it with backoff; nothing is marked refused or stuck, so an
 * outage raises no `chain.sender.stuck` alert naming a healthy withdrawal.
 */
function throwIfOutage(err: unknown): void {
  if (err instanceof RpcUnavailableError) throw err;
}
