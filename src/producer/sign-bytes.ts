/**
 * CometBFT's canonical sign bytes (`CanonicalVote`, `CanonicalProposal`, as
 * `protoio.MarshalDelimited` writes them: a uvarint length, then the message), read far
 * enough to fence them: the type, height, round, block id and chain id. The protobuf wire
 * format is read by hand because these two messages are all we need and no well-kept npm
 * package ships CometBFT's canonical types; the reader refuses anything it does not
 * understand rather than guessing.
 */

/** Height/round/step, the order a signer may only move forward in. */
export interface Hrs {
  height: bigint;
  round: number;
  /** 1 proposal, 2 prevote, 3 precommit (TMKMS and CometBFT privval order). */
  step: number;
}

export interface CanonicalMessage extends Hrs {
  kind: 'proposal' | 'prevote' | 'precommit';
  /** `<hash hex>:<parts total>:<parts hash hex>`, or '' for a vote for nil. */
  blockId: string;
  chainId: string;
  /** The timestamp field (seconds, nanos), which may differ between two repeats. */
  timestamp: { seconds: bigint; nanos: number } | undefined;
}

export class SignBytesError extends Error {
  override name = 'SignBytesError';
}

const TYPE_PREVOTE = 1;
const TYPE_PRECOMMIT = 2;
const TYPE_PROPOSAL = 32;

class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}
  get done() {
    return this.pos >= this.buf.length;
  }
  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.buf.length) throw new SignBytesError('truncated varint');
      const b = this.buf[this.pos++] ?? 0;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
    }
    throw new SignBytesError('varint too long');
  }
  fixed64(): bigint {
    if (this.pos + 8 > this.buf.length) throw new SignBytesError('truncated fixed64');
    const v = Buffer.from(this.buf.subarray(this.pos, this.pos + 8)).readBigInt64LE();
    this.pos += 8;
    return v;
  }
  bytes(): Uint8Array {
    const len = Number(this.varint());
    if (this.pos + len > this.buf.length) throw new SignBytesError('truncated field');
    const v = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return v;
  }
  skip(wire: number) {
    if (wire === 0) this.varint();
    else if (wire === 1) this.fixed64();
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw new SignBytesError(`unsupported wire type ${wire}`);
    if (this.pos > this.buf.length) throw new SignBytesError('truncated field');
  }
  fields(each: (field: number, wire: number) => void) {
    while (!this.done) {
      const tag = Number(this.varint());
      each(tag >>> 3, tag & 7);
    }
  }
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function expectWire(field: number, wire: number, want: number) {
  if (wire !== want) throw new SignBytesError(`field ${field}: wire type ${wire}, want ${want}`);
}

function readBlockId(buf: Uint8Array): string {
  let hash = '';
  let total = 0n;
  let partsHash = '';
  const r = new Reader(buf);
  r.fields((f, w) => {
    if (f === 1) {
      expectWire(f, w, 2);
      hash = hex(r.bytes());
    } else if (f === 2) {
      expectWire(f, w, 2);
      const p = new Reader(r.bytes());
      p.fields((pf, pw) => {
        if (pf === 1) {
          expectWire(pf, pw, 0);
          total = p.varint();
        } else if (pf === 2) {
          expectWire(pf, pw, 2);
          partsHash = hex(p.bytes());
        } else p.skip(pw);
      });
    } else r.skip(w);
  });
  return hash === '' && total === 0n && partsHash === '' ? '' : `${hash}:${total}:${partsHash}`;
}

function readTimestamp(buf: Uint8Array): { seconds: bigint; nanos: number } {
  let seconds = 0n;
  let nanos = 0;
  const r = new Reader(buf);
  r.fields((f, w) => {
    if (f === 1) {
      expectWire(f, w, 0);
      seconds = BigInt.asIntN(64, r.varint());
    } else if (f === 2) {
      expectWire(f, w, 0);
      nanos = Number(BigInt.asIntN(32, r.varint()));
    } else r.skip(w);
  });
  return { seconds, nanos };
}

/**
 * Reads length-delimited canonical sign bytes. Throws `SignBytesError` on anything
 * malformed, an unknown message type, a negative height or round, or trailing bytes.
 */
export function parseSignBytes(signBytes: Uint8Array): CanonicalMessage {
  const outer = new Reader(signBytes);
  const len = Number(outer.varint());
  if (outer.pos + len !== signBytes.length) {
    throw new SignBytesError('length prefix does not match the message');
  }
  const r = new Reader(signBytes.subarray(outer.pos));
  let type = 0;
  let height = 0n;
  let round = 0n;
  let blockId = '';
  let chainId = '';
  let timestamp: CanonicalMessage['timestamp'];
  let isProposal: boolean | undefined;
  r.fields((f, w) => {
    if (f === 1) {
      expectWire(f, w, 0);
      type = Number(r.varint());
      isProposal = type === TYPE_PROPOSAL;
    } else if (f === 2) {
      expectWire(f, w, 1);
      height = r.fixed64();
    } else if (f === 3) {
      expectWire(f, w, 1);
      round = r.fixed64();
    }
    // Vote: 4 block_id, 5 timestamp, 6 chain_id. Proposal: 4 pol_round, 5 block_id,
    // 6 timestamp, 7 chain_id. The type comes first in both, so `isProposal` is known.
    else if (isProposal === true && f === 4) {
      expectWire(f, w, 0);
      r.varint();
    } else if ((isProposal !== true && f === 4) || (isProposal === true && f === 5)) {
      expectWire(f, w, 2);
      blockId = readBlockId(r.bytes());
    } else if ((isProposal !== true && f === 5) || (isProposal === true && f === 6)) {
      expectWire(f, w, 2);
      timestamp = readTimestamp(r.bytes());
    } else if ((isProposal !== true && f === 6) || (isProposal === true && f === 7)) {
      expectWire(f, w, 2);
      chainId = Buffer.from(r.bytes()).toString('utf8');
    } else r.skip(w);
  });
  const kind =
    type === TYPE_PROPOSAL
      ? 'proposal'
      : type === TYPE_PREVOTE
        ? 'prevote'
        : type === TYPE_PRECOMMIT
          ? 'precommit'
          : undefined;
  if (!kind) throw new SignBytesError(`unknown message type ${type}`);
  if (height < 0n || round < 0n || round > 0x7fffffffn) {
    throw new SignBytesError('negative height or round');
  }
  const step = kind === 'proposal' ? 1 : kind === 'prevote' ? 2 : 3;
  return { kind, height, round: Number(round), step, blockId, chainId, timestamp };
}

// --- writing (the test harness and the benchmark play CometBFT with it) ----------------

function varint(n: bigint): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, n);
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}

function field(num: number, wire: number): number[] {
  return varint(BigInt((num << 3) | wire));
}

function lenField(num: number, body: number[]): number[] {
  return body.length === 0 ? [] : [...field(num, 2), ...varint(BigInt(body.length)), ...body];
}

function fixed64Field(num: number, v: bigint): number[] {
  if (v === 0n) return [];
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(v);
  return [...field(num, 1), ...b];
}

/** Writes canonical sign bytes as CometBFT does (proto3: zero fields are left out). */
export function encodeSignBytes(m: {
  kind: CanonicalMessage['kind'];
  height: bigint;
  round: number;
  blockId: string;
  chainId: string;
  timestamp?: { seconds: bigint; nanos: number };
  polRound?: number;
}): Uint8Array {
  const type =
    m.kind === 'proposal' ? TYPE_PROPOSAL : m.kind === 'prevote' ? TYPE_PREVOTE : TYPE_PRECOMMIT;
  const p = m.kind === 'proposal';
  let blockId: number[] = [];
  if (m.blockId !== '') {
    const [hash = '', total = '0', partsHash = ''] = m.blockId.split(':');
    const parts = [
      ...(BigInt(total) === 0n ? [] : [...field(1, 0), ...varint(BigInt(total))]),
      ...lenField(2, [...Buffer.from(partsHash, 'hex')]),
    ];
    blockId = [...lenField(1, [...Buffer.from(hash, 'hex')]), ...lenField(2, parts)];
  }
  const ts = m.timestamp ?? { seconds: -62135596800n, nanos: 0 };
  const timestamp = [
    ...(ts.seconds === 0n ? [] : [...field(1, 0), ...varint(ts.seconds)]),
    ...(ts.nanos === 0 ? [] : [...field(2, 0), ...varint(BigInt(ts.nanos))]),
  ];
  const body = [
    ...field(1, 0),
    ...varint(BigInt(type)),
    ...fixed64Field(2, m.height),
    ...fixed64Field(3, BigInt(m.round)),
    ...(p ? [...field(4, 0), ...varint(BigInt(m.polRound ?? -1))] : []),
    ...lenField(p ? 5 : 4, blockId),
    ...lenField(p ? 6 : 5, timestamp),
    ...lenField(p ? 7 : 6, [...Buffer.from(m.chainId, 'utf8')]),
  ];
  return Uint8Array.from([...varint(BigInt(body.length)), ...body]);
}
