import { z } from 'zod';
import type { Hrs } from './sign-bytes.js';

/**
 * A chain's high-water mark: the last height/round/step signed, with the block id and the
 * exact bytes signed there. Shared by every region (it lives in etcd), it is the fence:
 * nothing at or below it is signed again, except the very same request.
 */
export interface Mark extends Hrs {
  blockId: string;
  /** Base64 of the bytes signed at this HRS: a repeat gets the signature over these. */
  signBytes: string;
  /** Region that signed it, and when (ms since the epoch), for operators. */
  region: string;
  at: number;
}

export function compareHrs(a: Hrs, b: Hrs): number {
  if (a.height !== b.height) return a.height < b.height ? -1 : 1;
  if (a.round !== b.round) return a.round < b.round ? -1 : 1;
  return a.step === b.step ? 0 : a.step < b.step ? -1 : 1;
}

/** What a sign request is, against the current mark. */
export type MarkDecision =
  | { kind: 'advance' }
  | { kind: 'repeat'; mark: Mark }
  | { kind: 'regression'; mark: Mark }
  | { kind: 'double_sign'; mark: Mark };

/** Pure: the one rule the signer applies before every signature. */
export function decide(mark: Mark | undefined, req: Hrs & { blockId: string }): MarkDecision {
  if (!mark) return { kind: 'advance' };
  const c = compareHrs(req, mark);
  if (c > 0) return { kind: 'advance' };
  if (c < 0) return { kind: 'regression', mark };
  return req.blockId === mark.blockId ? { kind: 'repeat', mark } : { kind: 'double_sign', mark };
}

const MarkJson = z.object({
  height: z.string().regex(/^\d{1,19}$/),
  round: z.number().int().min(0),
  step: z.number().int().min(0).max(255),
  block_id: z.string().max(300),
  sign_bytes: z.string().max(20_000),
  region: z.string().max(100),
  at: z.number().int(),
});

export function markToJson(m: Mark): z.infer<typeof MarkJson> {
  return {
    height: m.height.toString(),
    round: m.round,
    step: m.step,
    block_id: m.blockId,
    sign_bytes: m.signBytes,
    region: m.region,
    at: m.at,
  };
}

export function markFromJson(raw: string): Mark {
  const j = MarkJson.parse(JSON.parse(raw));
  return {
    height: BigInt(j.height),
    round: j.round,
    step: j.step,
    blockId: j.block_id,
    signBytes: j.sign_bytes,
    region: j.region,
    at: j.at,
  };
}

/**
 * The interchange file (`vaultwire producer export-mark`), after EIP-3076's idea: the
 * validator's public key and, per chain, the last signed HRS, so a validator moved between
 * signers (or from TMKMS / Horcrux) never signs below where it was.
 */
export const MarkInterchange = z.object({
  format: z.literal('vaultwire.producer.mark.v1'),
  chain: z.string().min(1).max(64),
  public_key: z.string().max(200).optional(),
  mark: z.object({
    height: z.string().regex(/^\d{1,19}$/, 'must be a decimal height'),
    round: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1),
    step: z.number().int().min(0).max(3),
    block_id: z.string().max(300).default(''),
  }),
});
export type MarkInterchange = z.infer<typeof MarkInterchange>;
