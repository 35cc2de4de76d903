import { describe, expect, it } from 'vitest';
import {
  base32Decode,
  base32Encode,
  hotp,
  otpauthUri,
  totp,
  totpStep,
  verifyTotp,
  type TotpAlgorithm,
} from './totp.js';

// RFC 6238 appendix B: seeds are the ASCII digits repeated to the hash's block size.
const SEEDS: Record<TotpAlgorithm, Buffer> = {
  sha1: Buffer.from('12345678901234567890'),
  sha256: Buffer.from('12345678901234567890123456789012'),
  sha512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234'),
};

const RFC6238: [number, string, TotpAlgorithm][] = [
  [59, '94287082', 'sha1'],
  [59, '46119246', 'sha256'],
  [59, '90693936', 'sha512'],
  [1111111109, '07081804', 'sha1'],
  [1111111109, '68084774', 'sha256'],
  [1111111109, '25091201', 'sha512'],
  [1111111111, '14050471', 'sha1'],
  [1111111111, '67062674', 'sha256'],
  [1111111111, '99943326', 'sha512'],
  [1234567890, '89005924', 'sha1'],
  [1234567890, '91819424', 'sha256'],
  [1234567890, '93441116', 'sha512'],
  [2000000000, '69279037', 'sha1'],
  [2000000000, '90698825', 'sha256'],
  [2000000000, '38618901', 'sha512'],
  [20000000000, '65353130', 'sha1'],
  [20000000000, '77737706', 'sha256'],
  [20000000000, '47863826', 'sha512'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(RFC6238)('at %i s gives %s with %s', (seconds, expected, algorithm) => {
    expect(totp(SEEDS[algorithm], seconds * 1000, { digits: 8, algorithm })).toBe(expected);
  });

  it('matches the RFC 4226 HOTP values for counters 0 to 9', () => {
    const expected = [
      '755224',
      '287082',
      '359152',
      '969429',
      '338314',
      '254676',
      '287922',
      '162583',
      '399871',
      '520489',
    ];
    expect(expected.map((_, i) => hotp(SEEDS.sha1, i))).toEqual(expected);
  });

  it('accepts a code one step early or late, not two', () => {
    const t = 1_700_000_000_000;
    const secret = SEEDS.sha1;
    const step = totpStep(t);
    expect(verifyTotp(secret, totp(secret, t), t)).toBe(step);
    expect(verifyTotp(secret, totp(secret, t - 30_000), t)).toBe(step - 1);
    expect(verifyTotp(secret, totp(secret, t + 30_000), t)).toBe(step + 1);
    expect(verifyTotp(secret, totp(secret, t - 60_000), t)).toBeUndefined();
    expect(verifyTotp(secret, totp(secret, t + 60_000), t)).toBeUndefined();
  });

  it('refuses a code from a step at or before the last one used', () => {
    const t = 1_700_000_000_000;
    const code = totp(SEEDS.sha1, t);
    const step = totpStep(t);
    expect(verifyTotp(SEEDS.sha1, code, t, { afterStep: step })).toBeUndefined();
    expect(verifyTotp(SEEDS.sha1, code, t, { afterStep: step - 1 })).toBe(step);
  });

  it('refuses malformed codes without throwing', () => {
    const t = 1_700_000_000_000;
    for (const code of ['', '12345', '1234567', 'abcdef', ' 12345', '１２３４５６']) {
      expect(verifyTotp(SEEDS.sha1, code, t)).toBeUndefined();
    }
  });

  it('round-trips base32 as authenticator apps write it', () => {
    expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    expect(base32Decode('mzxw 6ytb oi======').toString()).toBe('foobar');
    const secret = Buffer.from('0123456789abcdefghij');
    expect(base32Decode(base32Encode(secret))).toEqual(secret);
    expect(() => base32Decode('not base32!')).toThrow();
  });

  it('builds an otpauth URI with issuer, account and secret', () => {
    const uri = new URL(
      otpauthUri({ issuer: 'Vaultwire', account: 'ada@example.com', secret: SEEDS.sha1 }),
    );
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Vaultwire:ada@example.com');
    expect(uri.searchParams.get('secret')).toBe(base32Encode(SEEDS.sha1));
    expect(uri.searchParams.get('issuer')).toBe('Vaultwire');
    expect(uri.searchParams.get('digits')).toBe('6');
    expect(uri.searchParams.get('period')).toBe('30');
  });
});
