import { describe, expect, it } from 'vitest';
import {
  generateRecoveryCode,
  hashRecoveryCode,
  hashToken,
  issueToken,
  tokenKind,
} from './tokens.js';

describe('bearer tokens', () => {
  it('issues recognisable, checksummed tokens and stores only a hash', () => {
    const key = issueToken('vwk');
    expect(key.token).toMatch(/^vwk_[0-9A-Za-z]{49}$/);
    expect(tokenKind(key.token)).toBe('vwk');
    expect(key.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(key.hash).toBe(hashToken(key.token));
    expect(key.hash).not.toContain(key.token.slice(4, 20));
    expect(key.last4).toBe(key.token.slice(-4));
    const session = issueToken('vws');
    expect(tokenKind(session.token)).toBe('vws');
  });

  it('never issues the same token twice', () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => issueToken('vwk').token));
    expect(tokens.size).toBe(1000);
  });

  it('rejects a token with a changed character, prefix or length', () => {
    const { token } = issueToken('vwk');
    const flipped = token.slice(0, 10) + (token[10] === 'a' ? 'b' : 'a') + token.slice(11);
    expect(tokenKind(flipped)).toBeUndefined();
    expect(tokenKind(`vws_${token.slice(4)}`)).toBeUndefined();
    expect(tokenKind(token.slice(0, -1))).toBeUndefined();
    expect(tokenKind(`${token}x`)).toBeUndefined();
    expect(tokenKind('vwk_')).toBeUndefined();
    expect(tokenKind('')).toBeUndefined();
  });

  it('makes recovery codes that survive retyping', () => {
    const code = generateRecoveryCode();
    expect(code).toMatch(/^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$/);
    expect(hashRecoveryCode(code.toUpperCase().replace(/-/g, ' '))).toBe(hashRecoveryCode(code));
    expect(hashRecoveryCode(generateRecoveryCode())).not.toBe(hashRecoveryCode(code));
  });
});
