import { describe, expect, it } from 'vitest';
import { encodeSignBytes, parseSignBytes, SignBytesError } from './sign-bytes.js';

// CometBFT types/vote_test.go, TestVoteSignBytesTestVectors: cases 1 and 2 (zero time,
// empty chain id) and 4 (a vote with no type, chain id "test_chain_id").
const precommitH1R1 = Uint8Array.from([
  0x21, 0x8, 0x2, 0x11, 0x1, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0, 0x19, 0x1, 0x0, 0x0, 0x0, 0x0, 0x0,
  0x0, 0x0, 0x2a, 0xb, 0x8, 0x80, 0x92, 0xb8, 0xc3, 0x98, 0xfe, 0xff, 0xff, 0xff, 0x1,
]);
const prevoteH1R1 = Uint8Array.from([
  0x21, 0x8, 0x1, 0x11, 0x1, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0, 0x19, 0x1, 0x0, 0x0, 0x0, 0x0, 0x0,
  0x0, 0x0, 0x2a, 0xb, 0x8, 0x80, 0x92, 0xb8, 0xc3, 0x98, 0xfe, 0xff, 0xff, 0xff, 0x1,
]);
const untypedWithChainId = Uint8Array.from([
  0x21, 0x11, 0x1, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0, 0x19, 0x1, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0,
  0x32, 0xd, 0x74, 0x65, 0x73, 0x74, 0x5f, 0x63, 0x68, 0x61, 0x69, 0x6e, 0x5f, 0x69, 0x64,
]);

describe('CometBFT sign bytes', () => {
  it('reads the height, round and step of the CometBFT test vectors', () => {
    expect(parseSignBytes(precommitH1R1)).toMatchObject({
      kind: 'precommit',
      height: 1n,
      round: 1,
      step: 3,
      blockId: '',
      chainId: '',
      timestamp: { seconds: -62135596800n, nanos: 0 },
    });
    expect(parseSignBytes(prevoteH1R1)).toMatchObject({ kind: 'prevote', step: 2 });
  });

  it('writes the same bytes CometBFT writes', () => {
    const b = { height: 1n, round: 1, blockId: '', chainId: '' };
    expect(encodeSignBytes({ kind: 'precommit', ...b })).toEqual(precommitH1R1);
    expect(encodeSignBytes({ kind: 'prevote', ...b })).toEqual(prevoteH1R1);
  });

  it('round-trips a proposal and a vote for a block', () => {
    const blockId = `${'ab'.repeat(32)}:2:${'cd'.repeat(32)}`;
    const m = {
      height: 123456789n,
      round: 3,
      blockId,
      chainId: 'cosmoshub-4',
      timestamp: { seconds: 1_700_000_000n, nanos: 5 },
    };
    expect(parseSignBytes(encodeSignBytes({ kind: 'proposal', polRound: -1, ...m }))).toEqual({
      kind: 'proposal',
      step: 1,
      ...m,
    });
    expect(parseSignBytes(encodeSignBytes({ kind: 'precommit', ...m }))).toEqual({
      kind: 'precommit',
      step: 3,
      ...m,
    });
  });

  it('refuses a message without a known type, truncated bytes and a wrong length', () => {
    expect(() => parseSignBytes(untypedWithChainId)).toThrow(/unknown message type 0/);
    expect(() => parseSignBytes(precommitH1R1.subarray(0, 20))).toThrow(SignBytesError);
    const longer = Uint8Array.from([...precommitH1R1, 0]);
    expect(() => parseSignBytes(longer)).toThrow(/length prefix/);
    expect(() => parseSignBytes(new Uint8Array())).toThrow(SignBytesError);
  });
});
