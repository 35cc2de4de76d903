import type { AuditLog } from '../platform/audit/audit.js';
import type { SecretBox } from '../platform/crypto/secret-box.js';
import type { Db, Statement } from '../platform/db/db.js';
import type { LeaseManager } from '../platform/leases/leases.js';
import type { Logger } from '../platform/observability/logger.js';
import type { Outbox } from '../platform/outbox/outbox.js';
import type { Registry } from 'prom-client';
import {
  createCustodyService,
  freshAddressStatements,
  type CustodyService,
  type OwnedFreshAddress,
} from './custody/service.js';
import { createDepositService, type DepositService } from './deposits.js';
import { fail } from '../platform/failure.js';
import { ChainError, type ChainFailure } from './errors.js';
import { createEvmAdapter, type EvmAdapter } from './evm/adapter.js';
import { noEndpointBans, type EndpointBans } from './endpoint-bans.js';
import { createRpcPool } from './evm/rpc.js';
import { pollingHeads, webSocketHeads } from './evm/heads.js';
import { createEvmSender } from './evm/sender.js';
import { createFollower, CursorConflictError, type Follower } from './follower.js';
import type { ChainFunds } from './funds.js';
import { createChainMetrics, type ChainMetrics } from './metrics.js';
import type { ChainSettings } from './settings.js';
import { sleep } from './sleep.js';
import type { EndpointHealth } from './types.js';
import type { LogInterestSource } from './adapter.js';
import { createWithdrawalSender, type WithdrawalSender } from './withdrawals/sender.js';
import { assetOn, createWithdrawalService, type WithdrawalService } from './withdrawals/service.js';

/**
 * The chains module: every configured chain's adapter, follower and withdrawal sender,
 * plus custody, deposits and withdrawals. Built once in the composition root.
 *
 * @example
 * const chains = createChainsService({ db, logger, outbox, leases, funds, secretBox, registry,
 *   chains: config.chains, custody: { xpub: config.custodyXpub, mnemonic: config.custodyMnemonic } });
 * await chains.init();
 * const running = chains.startFollowers();   // the `follower` role
 */
export interface ChainsService {
  readonly chains: readonly ChainSettings[];
  readonly custody: CustodyService;
  readonly deposits: DepositService;
  readonly withdrawals: WithdrawalService;
  readonly metrics: ChainMetrics;
  /** Creates or checks the custody wallet and registers every chain asset in the ledger. */
  init(): Promise<void>;
  chain(key: string): ChainSettings | undefined;
  /** Keys of the configured chains. */
  keys(): string[];
  follower(key: string): Follower | undefined;
  adapter(key: string): EvmAdapter | undefined;
  sender(key: string): WithdrawalSender | undefined;
  /** The user's deposit address for `asset` on `chainKey`. */
  depositAddress(
    userId: string,
    chainKey: string,
    asset: string,
  ): Promise<{ chain: string; asset: string; address: string } | ChainFailure>;
  /**
   * A deposit address for `asset` on `chainKey` for an owner being created, recorded by
   * the `freshAddressStatements` the caller embeds in its creating statement
   * (`CustodyService.freshDepositAddress`).
   */
  freshDepositAddress(
    chainKey: string,
    asset: string,
  ): Promise<
    | {
        chain: string;
        asset: string;
        address: string;
        /** Its derivation index (with the address, what `freshAddressStatements` records). */
        index: number;
      }
    | ChainFailure
  >;
  /**
   * The statements recording several fresh addresses for their owners at once, in a text
   * that does not vary with their number (`freshAddressStatements` of the custody service).
   */
  freshAddressStatements(owned: readonly OwnedFreshAddress[]): Statement[];
  status(): Promise<ChainStatus[]>;
  /**
   * The follower's stored cursor and confirmed height, from the database only (no node
   * round trip, unlike `status`); undefined before the follower first ran. With them, the
   * `mark` of the log interest it last read new blocks under (null before it did; see
   * `LogInterest` in adapter.ts). Heights below block 0 (-1) mean none yet: a new chain's
   * head is still below the confirmation depth.
   */
  heights(
    chainKey: string,
  ): Promise<{ cursor: bigint; confirmed: bigint; interestMark: bigint | null } | undefined>;
  backfill(
    chainKey: string,
    from: bigint,
    to: bigint,
    onProgress?: (done: bigint) => void,
  ): Promise<{ blocks: number; inserted: number } | ChainFailure>;
  /**
   * Asks the chain's follower to rewind to block `to` (see `Follower.requestRewind`);
   * a refusal from the follower says what to do instead (its `message`).
   */
  requestRewind(
    chainKey: string,
    to: bigint,
    options?: { unverified?: boolean },
  ): Promise<true | ChainFailure>;
  /** Runs a follower and a withdrawal sender per chain, each under its own lease. */
  startFollowers(): { stop(): Promise<void> };
}

export interface ChainStatus {
  chain: string;
  chainId: number;
  /** Null before the follower processed a block. */
  cursor: bigint | null;
  /** Null while no block has `confirmations` on top (a new chain below that depth). */
  confirmed: bigint | null;
  head: bigint | null;
  lag: bigint | null;
  state: 'running' | 'halted' | 'not_started';
  haltReason: string | null;
  followerHolder: string | null;
  updatedAt: Date | null;
  endpoints: EndpointHealth[];
  /** The hot wallet withdrawals are sent from (fund it with the native asset for gas). */
  hotWallet: string | null;
  /** The nonce manager at its last check against the node; null before the first. */
  sender: {
    nextNonce: bigint;
    chainNonce: bigint | null;
    /** Why the sender cannot make progress (a nonce gap it cannot fill), or null. */
    stuck: string | null;
    checkedAt: Date | null;
  } | null;
  /** Credited deposits a reorg removed, waiting for re-inclusion or an operator. */
  reorgedAfterCredit: { count: number; onHold: number };
}

export const CHAIN_SCOPES = {
  'chains:read': 'Read chain status (head, lag, follower)',
  'chains:write': 'Operate chain followers (backfill)',
  'deposits:read': 'List your deposits',
  'deposits:write': 'Get deposit addresses',
  'withdrawals:read': 'List your withdrawals',
  'withdrawals:write': 'Request withdrawals and manage your allowlist',
  'withdrawal_approvals:write': 'Approve or reject large withdrawals (operators)',
  'deposit_reversals:write': 'Reverse credited deposits a reorg removed (operators)',
} as const satisfies Record<string, string>;

export function createChainsService(deps: {
  db: Db;
  logger: Logger;
  outbox: Pick<Outbox, 'publish'>;
  leases: Pick<LeaseManager, 'runSingleton' | 'holders'>;
  funds: ChainFunds;
  secretBox: SecretBox;
  registry: Registry;
  chains: readonly ChainSettings[];
  custody: { xpub?: string | undefined; mnemonic?: string | undefined };
  /** How long a contender waits before trying a held lease again. */
  leaseRetryMs?: number;
  /** Contracts whose every log the followers emit (webhook contract-log subscriptions). */
  logInterest?: LogInterestSource;
  /** Where operators' deposit reversals are recorded. */
  audit?: Pick<AuditLog, 'record'>;
  /** Endpoints node operations banned: every RPC pool skips them. */
  bans?: Pick<EndpointBans, 'isBanned'>;
}): ChainsService {
  const { db, logger } = deps;
  const metrics = createChainMetrics(deps.registry);
  const custody = createCustodyService({
    db,
    secretBox: deps.secretBox,
    logger,
    settings: deps.custody,
  });
  const deposits = createDepositService({
    db,
    outbox: deps.outbox,
    funds: deps.funds,
    ...(deps.audit ? { audit: deps.audit } : {}),
    chains: deps.chains,
    metrics,
    logger,
  });
  const withdrawals = createWithdrawalService({
    db,
    outbox: deps.outbox,
    funds: deps.funds,
    custody,
    chains: deps.chains,
    metrics,
  });

  const perChain = new Map(
    deps.chains.map((settings) => {
      const rpc = createRpcPool({
        chainKey: settings.key,
        urls: settings.rpcUrls,
        metrics,
        isBanned: (deps.bans ?? noEndpointBans).isBanned,
      });
      const adapter = createEvmAdapter({
        settings,
        rpc,
        onEmptyLogsRetry: () => {
          metrics.emptyLogRetries.inc({ chain: settings.key });
        },
      });
      const heads = settings.wsUrl ? webSocketHeads({ url: settings.wsUrl, logger }) : pollingHeads;
      const follower = createFollower({
        db,
        adapter,
        settings,
        outbox: deps.outbox,
        metrics,
        logger,
        hooks: [deposits],
        heads,
        logInterest: deps.logInterest,
      });
      const sender = createWithdrawalSender({
        db,
        settings,
        sender: createEvmSender({ settings, rpc }),
        custody,
        withdrawals,
        outbox: deps.outbox,
        metrics,
        logger,
      });
      return [settings.key, { settings, adapter, follower, sender, heads }] as const;
    }),
  );

  const followerLease = (key: string) => `chains.follower.${key}`;
  const senderLease = (key: string) => `chains.sender.${key}`;

  const service: ChainsService = {
    chains: deps.chains,
    custody,
    deposits,
    withdrawals,
    metrics,
    async init() {
      await custody.init();
      for (const c of deps.chains) {
        await deps.funds.ensureAsset(c.nativeAsset.code, c.nativeAsset.decimals);
        for (const t of c.tokens) await deps.funds.ensureAsset(t.code, t.decimals);
      }
    },
    chain: (key) => perChain.get(key)?.settings,
    keys: () => [...perChain.keys()],
    follower: (key) => perChain.get(key)?.follower,
    adapter: (key) => perChain.get(key)?.adapter,
    sender: (key) => perChain.get(key)?.sender,
    async depositAddress(userId, chainKey, asset) {
      const c = perChain.get(chainKey);
      if (!c) return fail(ChainError.ChainUnknown);
      if (!assetOn(c.settings, asset)) return fail(ChainError.AssetUnknown);
      const { address } = await custody.depositAddress(userId, chainKey);
      return { chain: chainKey, asset, address };
    },
    async freshDepositAddress(chainKey, asset) {
      const c = perChain.get(chainKey);
      if (!c) return fail(ChainError.ChainUnknown);
      if (!assetOn(c.settings, asset)) return fail(ChainError.AssetUnknown);
      const { address, index } = await custody.freshDepositAddress(chainKey);
      return { chain: chainKey, asset, address, index };
    },
    freshAddressStatements,
    async status() {
      const { rows } = await db.query<{
        chain_key: string;
        block_number: bigint;
        confirmed_number: bigint;
        head_number: bigint | null;
        status: 'running' | 'halted';
        halt_reason: string | null;
        updated_at: Date;
      }>(
        `SELECT chain_key, block_number, confirmed_number, head_number, status, halt_reason, updated_at
           FROM chain_cursors`,
      );
      const cursors = new Map(rows.map((r) => [r.chain_key, r]));
      const hotWallet = (await custody.hotWallet())?.address.toLowerCase() ?? null;
      const { rows: nonceRows } = await db.query<{
        chain_key: string;
        next_nonce: bigint;
        chain_nonce: bigint | null;
        stuck_reason: string | null;
        checked_at: Date | null;
      }>(
        `SELECT chain_key, next_nonce, chain_nonce, stuck_reason, checked_at
           FROM chain_nonces WHERE address = $1`,
        [hotWallet ?? ''],
      );
      const nonces = new Map(nonceRows.map((r) => [r.chain_key, r]));
      const { rows: reorged } = await db.query<{ chain_key: string; n: bigint; held: bigint }>(
        `SELECT chain_key, count(*) AS n, count(hold_ref) AS held FROM deposits
          WHERE status = 'reorged_after_credit' GROUP BY chain_key`,
      );
      const reorgedBy = new Map(reorged.map((r) => [r.chain_key, r]));
      const holders = new Map((await deps.leases.holders()).map((h) => [h.name, h.holder]));
      // Ask the node itself, so the lag shows even when no follower is running.
      const heads = await Promise.all(
        deps.chains.map(async (c): Promise<bigint | undefined> => {
          const adapter = perChain.get(c.key)?.adapter;
          if (!adapter) return undefined;
          // Status must answer even when a node hangs: give it two seconds.
          let timer: NodeJS.Timeout | undefined;
          const late = new Promise<undefined>((resolve) => {
            timer = setTimeout(() => {
              resolve(undefined);
            }, 2000);
          });
          const head = adapter.getHead().then(
            (h) => h.number,
            () => undefined,
          );
          return Promise.race([head, late]).finally(() => {
            clearTimeout(timer);
          });
        }),
      );
      return deps.chains.map((c, i): ChainStatus => {
        const r = cursors.get(c.key);
        const head = heads[i] ?? r?.head_number ?? null;
        return {
          chain: c.key,
          chainId: c.chainId,
          // The stored heights start below block 0 (-1) on a new chain: no block has been
          // processed or has `confirmations` on top yet, which is "none", not a number.
          cursor: r && r.block_number >= 0n ? r.block_number : null,
          confirmed: r && r.confirmed_number >= 0n ? r.confirmed_number : null,
          head,
          lag: r && head !== null ? (head > r.block_number ? head - r.block_number : 0n) : null,
          state: r ? r.status : 'not_started',
          haltReason: r?.halt_reason ?? null,
          followerHolder: holders.get(followerLease(c.key)) ?? null,
          updatedAt: r?.updated_at ?? null,
          endpoints: perChain.get(c.key)?.adapter.health() ?? [],
          hotWallet,
          sender: ((n) =>
            n
              ? {
                  nextNonce: n.next_nonce,
                  chainNonce: n.chain_nonce,
                  stuck: n.stuck_reason,
                  checkedAt: n.checked_at,
                }
              : null)(nonces.get(c.key)),
          reorgedAfterCredit: {
            count: Number(reorgedBy.get(c.key)?.n ?? 0),
            onHold: Number(reorgedBy.get(c.key)?.held ?? 0),
          },
        };
      });
    },
    async heights(chainKey) {
      const { rows } = await db.query<{
        block_number: bigint;
        confirmed_number: bigint;
        interest_mark: bigint | null;
      }>(
        'SELECT block_number, confirmed_number, interest_mark FROM chain_cursors WHERE chain_key = $1',
        [chainKey],
      );
      const r = rows[0];
      return r
        ? { cursor: r.block_number, confirmed: r.confirmed_number, interestMark: r.interest_mark }
        : undefined;
    },
    async backfill(chainKey, from, to, onProgress) {
      const c = perChain.get(chainKey);
      if (!c) return fail(ChainError.ChainUnknown);
      return c.follower.backfill(from, to, onProgress ? { onProgress } : {});
    },
    async requestRewind(chainKey, to, options = {}) {
      const c = perChain.get(chainKey);
      if (!c) return fail(ChainError.ChainUnknown);
      if (to < 0n) return fail(ChainError.BackfillRangeInvalid);
      return c.follower.requestRewind(to, options);
    },
    startFollowers() {
      const controller = new AbortController();
      const retryMs = deps.leaseRetryMs ?? 2000;
      const singleton = (
        name: string,
        work: (ctx: {
          signal: AbortSignal;
          fence: () => Promise<void>;
          token: bigint;
          holder: string;
        }) => Promise<void>,
      ) =>
        (async () => {
          while (!controller.signal.aborted) {
            try {
              const r = await deps.leases.runSingleton(
                name,
                async ({ signal, fence, lease }) => {
                  logger.info({ lease: name, token: String(lease.token) }, 'took lease');
                  await work({ signal, fence, token: lease.token, holder: lease.holder });
                },
                { signal: controller.signal },
              );
              if (!r.acquired) await sleep(retryMs, controller.signal);
            } catch (err) {
              const level = err instanceof CursorConflictError ? 'error' : 'warn';
              logger[level]({ err, lease: name }, 'chain work under lease ended; contending again');
              await sleep(retryMs, controller.signal);
            }
          }
        })();
      const loops: Promise<void>[] = [];
      for (const [key, c] of perChain) {
        loops.push(singleton(followerLease(key), (ctx) => c.follower.run(ctx)));
        if (c.settings.withdrawals.enabled) {
          loops.push(singleton(senderLease(key), (ctx) => c.sender.run(ctx)));
        }
      }
      return {
        async stop() {
          controller.abort();
          await Promise.allSettled(loops);
          await Promise.allSettled([...perChain.values()].map((c) => c.heads.close()));
        },
      };
    },
  };
  return service;
}
