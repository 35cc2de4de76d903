import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SecretBox } from '../platform/crypto/secret-box.js';
import type { Db } from '../platform/db/db.js';

/**
 * Signs and checks refund links: `<refund id>.<expiry, unix seconds>.<HMAC-SHA256>`,
 * base64url. The key is 32 random bytes made on first use and kept sealed by the
 * platform's envelope encryption in `merchant_secrets`; every process reads the same one.
 * A valid signature only names a refund and an expiry: the refund row decides whether the
 * link is still the current one, unexpired and unused.
 */
export interface RefundLinkSigner {
  sign(refundId: string, expiresAt: Date): Promise<string>;
  /** The refund and expiry a token names, or undefined when it is malformed or forged. */
  verify(token: string): Promise<{ refundId: string; expiresAt: Date } | undefined>;
}

const KEY_NAME = 'refund_link_hmac';
const SEAL_CONTEXT = 'merchants:refund_link_hmac';
const TOKEN = /^(re_[0-9A-Za-z]{1,40})\.([0-9]{1,12})\.([0-9A-Za-z_-]{43})$/;

export function createRefundLinkSigner(deps: { db: Db; secretBox: SecretBox }): RefundLinkSigner {
  let key: Promise<Buffer> | undefined;

  const load = async (): Promise<Buffer> => {
    const sealed = await deps.secretBox.encrypt(randomBytes(32), SEAL_CONTEXT);
    // The first process to get here stores its key; every other one reads that one.
    await deps.db.query(
      'INSERT INTO merchant_secrets (name, sealed) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING',
      [KEY_NAME, sealed],
    );
    const { rows } = await deps.db.query<{ sealed: string }>(
      'SELECT sealed FROM merchant_secrets WHERE name = $1',
      [KEY_NAME],
    );
    const stored = rows[0]?.sealed;
    if (!stored) throw new Error('refund link key vanished');
    return deps.secretBox.decrypt(stored, SEAL_CONTEXT);
  };

  const theKey = (): Promise<Buffer> => {
    key ??= load().catch((err: unknown) => {
      key = undefined;
      throw err;
    });
    return key;
  };

  const mac = async (refundId: string, exp: number) =>
    createHmac('sha256', await theKey())
      .update(`${refundId}.${exp}`)
      .digest('base64url');

  return {
    async sign(refundId, expiresAt) {
      const exp = Math.floor(expiresAt.getTime() / 1000);
      return `${refundId}.${exp}.${await mac(refundId, exp)}`;
    },

    async verify(token) {
      const m = TOKEN.exec(token);
      if (!m) return undefined;
      const [, refundId = '', expText = '', sig = ''] = m;
      const exp = Number(expText);
      const want = Buffer.from(await mac(refundId, exp));
      const got = Buffer.from(sig);
      if (want.length !== got.length || !timingSafeEqual(want, got)) return undefined;
      return { refundId, expiresAt: new Date(exp * 1000) };
    },
  };
}
