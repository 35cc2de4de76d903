import { formatAmount } from '../ledger/money.js';
import { isFailure } from '../platform/failure.js';
import { chainApiError } from './errors.js';
import type { ChainsService } from './service.js';

/**
 * The `vaultwire chains …` commands as functions returning an exit code (0 done,
 * 1 refused, 2 bad usage); src/bin/vaultwire.ts only wires them to commander.
 */
export interface ChainsCliOutput {
  out(line: string): void;
  err(line: string): void;
}

/** `vaultwire chains status`: cursor, head, lag, state and endpoints per chain. */
export async function runChainsStatus(
  chains: ChainsService,
  io: ChainsCliOutput,
  opts: { json?: boolean },
): Promise<number> {
  const list = await chains.status();
  if (opts.json) {
    for (const s of list) {
      io.out(JSON.stringify(s, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
    }
    return 0;
  }
  if (list.length === 0) {
    io.out('No chains configured (set `chains:` in the config file or VW_CHAINS).');
    return 0;
  }
  for (const s of list) {
    const n = (v: bigint | null) => (v === null ? '-' : v.toString());
    io.out(
      `${s.chain.padEnd(12)} chain ${String(s.chainId).padEnd(8)} ${s.state.padEnd(11)} ` +
        `cursor ${n(s.cursor)}  confirmed ${n(s.confirmed)}  head ${n(s.head)}  lag ${n(s.lag)}  ` +
        `holder ${s.followerHolder ?? '-'}`,
    );
    if (s.haltReason) io.out(`  HALTED: ${s.haltReason}`);
    const banned = s.endpoints.filter((e) => e.banned);
    if (banned.length > 0) {
      const all = banned.length === s.endpoints.length;
      io.out(
        `  ${all ? 'EVERY RPC ENDPOINT BANNED' : 'banned RPC endpoints'} (node operations): ` +
          banned.map((e) => e.url).join(', '),
      );
    }
    if (s.hotWallet) {
      const sn = s.sender;
      io.out(
        `  hot wallet ${s.hotWallet}  next nonce ${sn ? sn.nextNonce : '-'}  ` +
          `node nonce ${sn?.chainNonce ?? '-'}`,
      );
      if (sn?.stuck) io.out(`  SENDER STUCK: ${sn.stuck}`);
    }
    if (s.reorgedAfterCredit.count > 0) {
      io.out(
        `  REORGED AFTER CREDIT: ${s.reorgedAfterCredit.count} deposit(s), ` +
          `${s.reorgedAfterCredit.onHold} on hold (GET /v1/deposits?status=reorged_after_credit)`,
      );
    }
  }
  return 0;
}

/** `vaultwire chains backfill --chain <key> --from <n> --to <n>`. */
export async function runChainsBackfill(
  chains: ChainsService,
  io: ChainsCliOutput,
  opts: { chain: string; from: bigint; to: bigint },
): Promise<number> {
  const started = performance.now();
  const r = await chains.backfill(opts.chain, opts.from, opts.to, (done) => {
    io.err(`… up to block ${done}`);
  });
  if (isFailure(r)) {
    io.err(`Cannot backfill: ${chainApiError(r.code).message}`);
    return 1;
  }
  const s = (performance.now() - started) / 1000;
  io.out(
    `Backfilled ${opts.chain} blocks ${opts.from}..${opts.to}: ${r.blocks} blocks read, ` +
      `${r.inserted} new events stored, in ${formatAmount(BigInt(Math.round(s * 10)), 1)} s.`,
  );
  return 0;
}

/** `vaultwire chains xpub`: the deposit account's xpub (for a watch-only replica or auditor). */
export async function runChainsXpub(chains: ChainsService, io: ChainsCliOutput): Promise<number> {
  io.out(await chains.custody.depositXpub());
  return 0;
}

/** `vaultwire chains export-seed --yes`: the mnemonic, for an offline backup. */
export async function runChainsExportSeed(
  chains: ChainsService,
  io: ChainsCliOutput,
  opts: { yes?: boolean },
): Promise<number> {
  if (!opts.yes) {
    io.err(
      'This prints the wallet seed, which controls every deposit and the hot wallet. Add --yes.',
    );
    return 2;
  }
  const words = await chains.custody.exportMnemonic();
  if (words === undefined) {
    io.err('Watch-only custody: there is no seed on this deployment.');
    return 1;
  }
  io.out(words);
  return 0;
}

/** `vaultwire chains rewind --chain <key> --to <n>`: the running follower carries it out. */
export async function runChainsRewind(
  chains: ChainsService,
  io: ChainsCliOutput,
  opts: { chain: string; to: bigint; unverified?: boolean },
): Promise<number> {
  const r = await chains.requestRewind(opts.chain, opts.to, { unverified: opts.unverified });
  if (isFailure(r)) {
    // The follower's refusal says what to do instead; the others are the catalog's.
    io.err(
      r.message !== undefined
        ? `Cannot rewind to ${opts.to}: ${r.message}`
        : `Cannot rewind: ${chainApiError(r.code).message}`,
    );
    return 1;
  }
  io.out(
    `Asked the ${opts.chain} follower to rewind to block ${opts.to}: events above it will be ` +
      'marked removed and the blocks read again. Watch `vaultwire chains status`.',
  );
  return 0;
}
