import { createHmac, timingSafeEqual } from 'node:crypto';
import { derivePurposeKey } from '../crypto/master-key.js';

/**
 * Anchors: the audit chain head exported where the database operator cannot rewrite it.
 *
 * The hash chain alone proves only that the rows agree with each other: whoever can write
 * the database can rewrite a tail and recompute every later hash, or cut the newest
 * events off and move the head back. An anchor pins (seq, hash) of the head at a moment
 * outside the database, so a later chain that no longer holds that hash at that seq, or
 * ends before it, is caught (`AuditLog.verify({ anchors })`). Each anchor carries an HMAC
 * under a key derived from the master key, so a forged or edited anchor line is refused
 * too. Events newer than the last anchor are protected only once the next one is taken.
 *
 * One anchor is one line of JSON:
 * `{"type":"vaultwire.audit_anchor.v1","seq":"42","hash":"…","occurred_at":"…",
 *   "anchored_at":"…","key_id":"…","hmac":"…"}`
 */

/** The anchor format; a later format gets a new type and can live beside this one. */
export const ANCHOR_TYPE = 'vaultwire.audit_anchor.v1';

export interface AuditAnchor {
  seq: bigint;
  /** Hash of the event at `seq`. */
  hash: string;
  /** When the event at `seq` happened. */
  occurredAt: Date;
  anchoredAt: Date;
  /** Names the key the HMAC is under (not the key): tells a rotated master key apart. */
  keyId: string;
  /** HMAC-SHA256, hex, over the fields above. */
  hmac: string;
}

/** Holds the anchor key; the key itself never leaves this object. */
export interface AnchorSigner {
  readonly keyId: string;
  sign(head: { seq: bigint; hash: string; occurredAt: Date }, anchoredAt: Date): AuditAnchor;
  /** True when the anchor's HMAC is ours and matches its fields. */
  verifies(anchor: AuditAnchor): boolean;
}

export function createAnchorSigner(masterKey: Buffer): AnchorSigner {
  const key = derivePurposeKey(masterKey, 'vaultwire/audit-anchor/v1');
  const keyId = derivePurposeKey(masterKey, 'vaultwire/audit-anchor/key-id', 6).toString('hex');
  const mac = (a: Omit<AuditAnchor, 'hmac'>) =>
    createHmac('sha256', key).update(macInput(a)).digest('hex');
  return {
    keyId,
    sign(head, anchoredAt) {
      const fields = {
        seq: head.seq,
        hash: head.hash,
        occurredAt: head.occurredAt,
        anchoredAt,
        keyId,
      };
      return { ...fields, hmac: mac(fields) };
    },
    verifies(anchor) {
      if (anchor.keyId !== keyId) return false;
      const expected = Buffer.from(mac(anchor), 'hex');
      const given = Buffer.from(anchor.hmac, 'hex');
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}

/** No field can hold a newline (parse checks), so joining on it is unambiguous. */
function macInput(a: Omit<AuditAnchor, 'hmac'>): string {
  return [
    ANCHOR_TYPE,
    a.seq.toString(),
    a.hash,
    a.occurredAt.toISOString(),
    a.anchoredAt.toISOString(),
    a.keyId,
  ].join('\n');
}

/** The anchor as one line of JSON (no trailing newline). */
export function formatAnchorLine(a: AuditAnchor): string {
  return JSON.stringify({
    type: ANCHOR_TYPE,
    seq: a.seq.toString(),
    hash: a.hash,
    occurred_at: a.occurredAt.toISOString(),
    anchored_at: a.anchoredAt.toISOString(),
    key_id: a.keyId,
    hmac: a.hmac,
  });
}

const FIELDS = ['type', 'seq', 'hash', 'occurred_at', 'anchored_at', 'key_id', 'hmac'];

/**
 * Reads one anchor line, or says why it is not one. Strict: a field the HMAC does not
 * cover would be a field anyone could change.
 */
export function parseAnchorLine(line: string): AuditAnchor | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { problem: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { problem: 'not a JSON object' };
  }
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o);
  const odd = keys.find((k) => !FIELDS.includes(k)) ?? FIELDS.find((k) => !keys.includes(k));
  if (odd !== undefined) return { problem: `unexpected or missing field "${odd}"` };
  const text = (k: string) => (typeof o[k] === 'string' ? o[k] : '');
  if (text('type') !== ANCHOR_TYPE) return { problem: `type is not ${ANCHOR_TYPE}` };
  if (!/^[1-9][0-9]{0,18}$/.test(text('seq'))) return { problem: 'seq is not a positive integer' };
  if (!/^[0-9a-f]{64}$/.test(text('hash'))) return { problem: 'hash is not 64 hex digits' };
  if (!/^[0-9a-f]{12}$/.test(text('key_id'))) return { problem: 'key_id is not 12 hex digits' };
  if (!/^[0-9a-f]{64}$/.test(text('hmac'))) return { problem: 'hmac is not 64 hex digits' };
  const occurredAt = isoDate(text('occurred_at'));
  const anchoredAt = isoDate(text('anchored_at'));
  if (!occurredAt || !anchoredAt) return { problem: 'a time is not an ISO-8601 UTC timestamp' };
  return {
    seq: BigInt(text('seq')),
    hash: text('hash'),
    occurredAt,
    anchoredAt,
    keyId: text('key_id'),
    hmac: text('hmac'),
  };
}

/** Only the exact form `toISOString` writes: anything else could not have been signed. */
function isoDate(s: string): Date | undefined {
  const d = new Date(s);
  return Number.isNaN(d.getTime()) || d.toISOString() !== s ? undefined : d;
}

export interface LocatedAnchor {
  /** 1-based line number in the anchor file. */
  line: number;
  anchor: AuditAnchor;
}

/**
 * Every anchor of an anchor file, each checked against the signer; blank lines are
 * skipped. Stops at the first line that is not a genuine anchor of this deployment.
 */
export function readAnchorFile(
  text: string,
  signer: AnchorSigner,
):
  | { ok: true; anchors: LocatedAnchor[] }
  | { ok: false; line: number; seq: bigint | undefined; problem: string } {
  const anchors: LocatedAnchor[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]?.trim() ?? '';
    if (raw === '') continue;
    const parsed = parseAnchorLine(raw);
    if ('problem' in parsed)
      return { ok: false, line: i + 1, seq: undefined, problem: parsed.problem };
    if (parsed.keyId !== signer.keyId) {
      return {
        ok: false,
        line: i + 1,
        seq: parsed.seq,
        problem: `signed with anchor key ${parsed.keyId}, but this master key's anchor key is ${signer.keyId} (was VW_MASTER_KEY changed?)`,
      };
    }
    if (!signer.verifies(parsed)) {
      return {
        ok: false,
        line: i + 1,
        seq: parsed.seq,
        problem: 'its HMAC does not verify: the line was forged or altered',
      };
    }
    anchors.push({ line: i + 1, anchor: parsed });
  }
  return { ok: true, anchors };
}
