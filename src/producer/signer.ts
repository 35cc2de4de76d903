import { fail, type Failure } from '../platform/failure.js';
import type { RegionElection } from './election.js';
import { chainKeys } from './election.js';
import type { EtcdClient, EtcdKv } from './etcd.js';
import { EtcdUnavailableError } from './etcd.js';
import type { SigningKey } from './keys.js';
import { compareHrs, decide, markFromJson, markToJson, type Mark } from './mark.js';
import type { Hrs } from './sign-bytes.js';

/** What signing refuses, as values (mapped to HTTP once, in errors.ts). */
export type SignRefusal =
  | 'chain_unknown'
  | 'key_missing'
  | 'region_not_active'
  | 'mark_regression'
  | 'double_sign_attempt'
  | 'already_signed'
  | 'etcd_unavailable';

export interface SignRequest extends Hrs {
  blockId: string;
  /** The exact bytes to sign (CometBFT sign bytes, or a chain's own payload). */
  signBytes: Uint8Array;
}

export interface Signature {
  chain: string;
  height: bigint;
  round: number;
  step: number;
  blockId: string;
  signature: Uint8Array;
  /** The bytes signed: the request's, or on a repeat those signed the first time. */
  signedBytes: Uint8Array;
  repeat: boolean;
  region: string;
}

/** Something the signer refused that operators must hear about (events, metrics). */
export interface Refusal {
  chain: string;
  region: string;
  reason: SignRefusal;
  request: Hrs & { blockId: string };
  mark?: Mark | undefined;
}

export interface ChainSigner {
  sign(req: SignRequest): Promise<Signature | Failure<SignRefusal>>;
  /** The shared mark (read from etcd). */
  mark(): Promise<Mark | undefined>;
  /**
   * Raises the mark to `to` when it is above the current one (import after moving a
   * validator in); refuses a mark at or below the current one.
   */
  raiseMark(to: Mark): Promise<{ mark: Mark } | Failure<'mark_stale' | 'etcd_unavailable'>>;
}

export interface ChainSignerOptions {
  etcd: EtcdClient;
  root: string;
  chain: string;
  region: string;
  election: Pick<RegionElection, 'signingLease' | 'fenceFailed'>;
  key: () => Promise<SigningKey | undefined>;
  onRefusal?: (r: Refusal) => void;
  now?: () => number;
}

const readMark = (kv: EtcdKv | undefined) => (kv ? markFromJson(kv.value) : undefined);

/**
 * The remote signer of one chain. Every new signature first advances the chain's mark in
 * ONE etcd transaction whose compares are: the leader key still carries this region's
 * lease (the fencing token), and the mark is still the one the decision was made on.
 * Only when it commits are the bytes signed. So a height/round/step is signed at most
 * once across every region and process, whatever pauses or lease expiries happen; a
 * repeat of the same request gets the signature over the bytes signed the first time.
 */
export function createChainSigner(o: ChainSignerOptions): ChainSigner {
  const keys = chainKeys(o.root, o.chain);
  const now = o.now ?? Date.now;
  // The mark as last read or written, with its mod revision: most signatures are then
  // one transaction. A stale cache only makes the compare fail and the loop re-read.
  let cached: { mark: Mark | undefined; modRevision: string } | undefined;

  const refuse = (
    reason: SignRefusal,
    req: SignRequest,
    mark?: Mark,
    message?: string,
  ): Failure<SignRefusal> => {
    o.onRefusal?.({
      chain: o.chain,
      region: o.region,
      reason,
      request: { height: req.height, round: req.round, step: req.step, blockId: req.blockId },
      mark,
    });
    return fail(reason, message ? { message } : {});
  };

  async function load() {
    const kvs = await o.etcd.range(keys.mark);
    cached = { mark: readMark(kvs[0]), modRevision: kvs[0]?.modRevision ?? '0' };
    return cached;
  }

  return {
    async sign(req) {
      const key = await o.key();
      if (!key) return refuse('key_missing', req);
      try {
        for (let attempt = 0; attempt < 4; attempt++) {
          const lease = o.election.signingLease();
          if (!lease) return refuse('region_not_active', req);
          const current = cached ?? (await load());
          const d = decide(current.mark, req);
          if (d.kind === 'regression') return refuse('mark_regression', req, d.mark);
          if (d.kind === 'double_sign') return refuse('double_sign_attempt', req, d.mark);
          if (d.kind === 'repeat') {
            if (d.mark.signBytes === '') return refuse('already_signed', req, d.mark);
            const signed = Buffer.from(d.mark.signBytes, 'base64');
            return {
              chain: o.chain,
              height: req.height,
              round: req.round,
              step: req.step,
              blockId: req.blockId,
              signature: key.sign(signed),
              signedBytes: signed,
              repeat: true,
              region: o.region,
            };
          }
          const next: Mark = {
            height: req.height,
            round: req.round,
            step: req.step,
            blockId: req.blockId,
            signBytes: Buffer.from(req.signBytes).toString('base64'),
            region: o.region,
            at: now(),
          };
          const r = await o.etcd.txn({
            compare: [
              { key: keys.leader, target: 'LEASE', lease },
              current.modRevision === '0'
                ? { key: keys.mark, target: 'CREATE', createRevision: '0' }
                : { key: keys.mark, target: 'MOD', modRevision: current.modRevision },
            ],
            success: [{ put: { key: keys.mark, value: JSON.stringify(markToJson(next)) } }],
            failure: [{ range: { key: keys.leader } }, { range: { key: keys.mark } }],
          });
          if (r.succeeded) {
            cached = { mark: next, modRevision: r.revision };
            return {
              chain: o.chain,
              height: req.height,
              round: req.round,
              step: req.step,
              blockId: req.blockId,
              signature: key.sign(req.signBytes),
              signedBytes: req.signBytes,
              repeat: false,
              region: o.region,
            };
          }
          const [leaderKvs = [], markKvs = []] = r.ranges;
          cached = { mark: readMark(markKvs[0]), modRevision: markKvs[0]?.modRevision ?? '0' };
          if (leaderKvs[0]?.lease !== lease) {
            o.election.fenceFailed();
            return refuse('region_not_active', req);
          }
        }
        return refuse('etcd_unavailable', req, undefined, 'the mark kept changing');
      } catch (err) {
        cached = undefined;
        if (err instanceof EtcdUnavailableError || err instanceof Error) {
          return refuse('etcd_unavailable', req);
        }
        throw err;
      }
    },
    async mark() {
      return (await load()).mark;
    },
    async raiseMark(to) {
      try {
        for (let attempt = 0; attempt < 4; attempt++) {
          const current = await load();
          if (current.mark && compareHrs(to, current.mark) <= 0) {
            return fail('mark_stale', {
              message: `The mark is at ${current.mark.height}/${current.mark.round}/${current.mark.step}; an imported mark must be above it`,
            });
          }
          const r = await o.etcd.txn({
            compare: [
              current.modRevision === '0'
                ? { key: keys.mark, target: 'CREATE', createRevision: '0' }
                : { key: keys.mark, target: 'MOD', modRevision: current.modRevision },
            ],
            success: [{ put: { key: keys.mark, value: JSON.stringify(markToJson(to)) } }],
          });
          if (r.succeeded) {
            cached = undefined;
            return { mark: to };
          }
        }
        return fail('etcd_unavailable');
      } catch {
        return fail('etcd_unavailable');
      }
    },
  };
}
