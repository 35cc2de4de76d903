import { createHash, randomBytes } from 'node:crypto';
import type { LedgerService } from '../ledger/service.js';
import type { Db } from '../platform/db/db.js';
import { fail } from '../platform/failure.js';
import { newId } from '../platform/ids.js';
import { fieldWithCardNumber, MerchantError, type MerchantFailure } from './errors.js';
import type { Invoice, InvoiceService } from './invoices.js';
import type { AuditLog } from '../platform/audit/audit.js';
import type { Actor, MerchantAccount } from './model.js';

export interface PosTerminal {
  id: string;
  accountId: string;
  merchantId: string;
  livemode: boolean;
  name: string;
  currency: string;
  assets: string[] | null;
  hint: string;
  createdBy: string;
  createdAt: Date;
  revokedAt: Date | null;
}

/**
 * Point-of-sale terminals: a shop's till at `/pos/{token}`. The token is a secret of its
 * own kind (`pos_…`, only its SHA-256 kept) that can do two things for one merchant
 * account: create an invoice, and read the invoices it created. It is not an API key.
 */
export interface PosTerminalService {
  create(
    actor: Actor,
    account: MerchantAccount,
    input: { name: string; currency: string; assets?: string[] | undefined },
  ): Promise<{ terminal: PosTerminal; token: string } | MerchantFailure>;
  list(accountId: string, q: { limit: number; startingAfter?: string }): Promise<PosTerminal[]>;
  get(accountId: string, id: string): Promise<PosTerminal | undefined>;
  revoke(actor: Actor, accountId: string, id: string): Promise<PosTerminal | MerchantFailure>;
  /** The live (not revoked) terminal of a token. */
  authenticate(token: string): Promise<PosTerminal | undefined>;
  /** An invoice of `amount` in the terminal's currency, made for the till. */
  charge(
    terminal: PosTerminal,
    input: { amount: string; description?: string | undefined },
  ): Promise<Invoice | MerchantFailure>;
  /** An invoice this terminal created, else `undefined`. */
  invoice(terminal: PosTerminal, invoiceId: string): Promise<Invoice | undefined>;
}

interface TerminalRow {
  id: string;
  account_id: string;
  merchant_id: string;
  livemode: boolean;
  name: string;
  currency: string;
  assets: string[] | null;
  hint: string;
  created_by: string;
  created_at: Date;
  revoked_at: Date | null;
}

const COLUMNS = `id, account_id, merchant_id, livemode, name, currency, assets, hint, created_by,
  created_at, revoked_at`;
const TOKEN = /^pos_[A-Za-z0-9_-]{43}$/;
const hashToken = (token: string) => createHash('sha256').update(token).digest();

/** How long a till's invoice stays payable. */
const POS_INVOICE_SECONDS = 15 * 60;

export function createPosTerminalService(deps: {
  db: Db;
  ledger: Pick<LedgerService, 'getAsset'>;
  invoices: Pick<InvoiceService, 'create' | 'get'>;
  audit: Pick<AuditLog, 'record'>;
}): PosTerminalService {
  const { db } = deps;
  const audit = (actor: Actor, action: string, t: PosTerminal) =>
    deps.audit.record({
      action,
      actorType: 'user',
      actorId: actor.userId,
      credentialId: actor.credentialId,
      ip: actor.ip,
      requestId: actor.requestId,
      targetType: 'merchant',
      targetId: t.merchantId,
      data: { pos_terminal: t.id, livemode: t.livemode, name: t.name },
    });
  const one = async (sql: string, params: unknown[]) => {
    const { rows } = await db.query<TerminalRow>(sql, params);
    return rows[0] ? toTerminal(rows[0]) : undefined;
  };
  return {
    async create(actor, account, input) {
      if (fieldWithCardNumber({ name: input.name })) {
        return fail(MerchantError.CardNumberInText, { param: 'name' });
      }
      if (!(await deps.ledger.getAsset(input.currency))) {
        return fail(MerchantError.CurrencyUnknown, { param: 'currency' });
      }
      for (const a of input.assets ?? []) {
        if (!(await deps.ledger.getAsset(a))) {
          return fail(MerchantError.AssetUnknown, { param: 'assets' });
        }
      }
      const token = `pos_${randomBytes(32).toString('base64url')}`;
      return db.transaction(async () => {
        const terminal = await one(
          `INSERT INTO merchant_pos_terminals (id, account_id, merchant_id, livemode, name, currency,
                assets, token_hash, hint, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${COLUMNS}`,
          [
            newId('pos'),
            account.id,
            account.merchantId,
            account.livemode,
            input.name,
            input.currency,
            input.assets ?? null,
            hashToken(token),
            token.slice(-4),
            actor.userId,
          ],
        );
        if (!terminal) throw new Error('terminal insert returned nothing');
        await audit(actor, 'merchant.pos_terminal_created', terminal);
        return { terminal, token };
      });
    },
    async list(accountId, q) {
      const { rows } = await db.query<TerminalRow>(
        `SELECT ${COLUMNS} FROM merchant_pos_terminals
          WHERE account_id = $1 AND ($2::text IS NULL OR id < $2) ORDER BY id DESC LIMIT $3`,
        [accountId, q.startingAfter ?? null, q.limit],
      );
      return rows.map(toTerminal);
    },
    get: (accountId, id) =>
      one(`SELECT ${COLUMNS} FROM merchant_pos_terminals WHERE id = $1 AND account_id = $2`, [
        id,
        accountId,
      ]),
    async revoke(actor, accountId, id) {
      return db.transaction(async () => {
        const t = await one(
          `UPDATE merchant_pos_terminals SET revoked_at = coalesce(revoked_at, now())
          WHERE id = $1 AND account_id = $2 RETURNING ${COLUMNS}`,
          [id, accountId],
        );
        if (!t) return fail(MerchantError.PosTerminalNotFound, { param: 'terminal' });
        await audit(actor, 'merchant.pos_terminal_revoked', t);
        return t;
      });
    },
    async authenticate(token) {
      if (!TOKEN.test(token)) return undefined;
      return one(
        `SELECT ${COLUMNS} FROM merchant_pos_terminals WHERE token_hash = $1 AND revoked_at IS NULL`,
        [hashToken(token)],
      );
    },
    charge(terminal, input) {
      return deps.invoices.create(
        { id: terminal.accountId, merchantId: terminal.merchantId, livemode: terminal.livemode },
        {
          currency: terminal.currency,
          amount: input.amount,
          assets: terminal.assets ?? undefined,
          description: input.description ?? terminal.name,
          expiresInSeconds: POS_INVOICE_SECONDS,
          posTerminalId: terminal.id,
          // A till revoked while this request ran makes no invoice.
          guard: async () => {
            const { rows } = await db.query(
              `SELECT 1 FROM merchant_pos_terminals WHERE id = $1 AND revoked_at IS NULL FOR SHARE`,
              [terminal.id],
            );
            return rows.length === 1 ? undefined : fail(MerchantError.PosTerminalNotFound);
          },
        },
      );
    },
    async invoice(terminal, invoiceId) {
      const inv = await deps.invoices.get(terminal.accountId, invoiceId);
      return inv?.posTerminalId === terminal.id ? inv : undefined;
    },
  };
}

function toTerminal(r: TerminalRow): PosTerminal {
  return {
    id: r.id,
    accountId: r.account_id,
    merchantId: r.merchant_id,
    livemode: r.livemode,
    name: r.name,
    currency: r.currency,
    assets: r.assets,
    hint: r.hint,
    createdBy: r.created_by,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
  };
}
