import { formatAmount } from '../ledger/money.js';
import type { LedgerService } from '../ledger/service.js';
import type { Db } from '../platform/db/db.js';
import { fail } from '../platform/failure.js';
import { newId } from '../platform/ids.js';
import { amountError, fieldWithCardNumber, MerchantError, type MerchantFailure } from './errors.js';
import type { Invoice, InvoiceService } from './invoices.js';
import type { AuditLog } from '../platform/audit/audit.js';
import type { Actor, MerchantAccount } from './model.js';

export interface PaymentLink {
  id: string;
  accountId: string;
  merchantId: string;
  livemode: boolean;
  currency: string;
  currencyScale: number;
  /** Minor units of `currency`; `null`: the visitor keys in the amount. */
  amount: bigint | null;
  assets: string[] | null;
  description: string | null;
  maxUses: number | null;
  uses: number;
  active: boolean;
  expiresInSeconds: number;
  createdAt: Date;
}

export interface PaymentLinkInput {
  currency: string;
  amount?: string | undefined;
  assets?: string[] | undefined;
  description?: string | undefined;
  maxUses?: number | undefined;
  expiresInSeconds: number;
}

/**
 * Payment links: reusable pages (`/pay/l/{id}`) that make an invoice for each visitor.
 * Each use is counted by one guarded statement in the transaction that inserts the
 * invoice, so no invoice is made past the limit of uses or after the link is deactivated.
 *
 * @example
 * const link = await links.create(account, { currency: 'USD', amount: '5.00', expiresInSeconds: 900 });
 * const inv = await links.use(link.id, {}); // an invoice of 5.00 USD, or a failure
 */
export interface PaymentLinkService {
  create(
    actor: Actor,
    account: MerchantAccount,
    input: PaymentLinkInput,
  ): Promise<PaymentLink | MerchantFailure>;
  get(accountId: string, id: string): Promise<PaymentLink | undefined>;
  /** A link by id for its visitors, whatever its account. */
  find(id: string): Promise<PaymentLink | undefined>;
  list(accountId: string, q: { limit: number; startingAfter?: string }): Promise<PaymentLink[]>;
  update(
    actor: Actor,
    accountId: string,
    id: string,
    patch: { active?: boolean | undefined; description?: string | null | undefined },
  ): Promise<PaymentLink | MerchantFailure>;
  /** Makes the visitor's invoice (with `amount` for an open-amount link). */
  use(id: string, input: { amount?: string | undefined }): Promise<Invoice | MerchantFailure>;
}

interface LinkRow {
  id: string;
  account_id: string;
  merchant_id: string;
  livemode: boolean;
  currency: string;
  amount: string | null;
  assets: string[] | null;
  description: string | null;
  max_uses: number | null;
  uses: number;
  active: boolean;
  expires_in_seconds: number;
  created_at: Date;
}

const COLUMNS = `id, account_id, merchant_id, livemode, currency, amount::text AS amount, assets,
  description, max_uses, uses, active, expires_in_seconds, created_at`;

export function createPaymentLinkService(deps: {
  db: Db;
  ledger: Pick<LedgerService, 'parseAmount' | 'getAsset'>;
  invoices: Pick<InvoiceService, 'create'>;
  audit: Pick<AuditLog, 'record'>;
}): PaymentLinkService {
  const { db, ledger } = deps;
  const toLink = async (r: LinkRow): Promise<PaymentLink> => ({
    id: r.id,
    accountId: r.account_id,
    merchantId: r.merchant_id,
    livemode: r.livemode,
    currency: r.currency,
    currencyScale: (await ledger.getAsset(r.currency))?.scale ?? 0,
    amount: r.amount === null ? null : BigInt(r.amount),
    assets: r.assets,
    description: r.description,
    maxUses: r.max_uses,
    uses: r.uses,
    active: r.active,
    expiresInSeconds: r.expires_in_seconds,
    createdAt: r.created_at,
  });
  const one = async (sql: string, params: unknown[]) => {
    const { rows } = await db.query<LinkRow>(sql, params);
    return rows[0] ? toLink(rows[0]) : undefined;
  };
  const audit = (
    actor: Actor,
    action: string,
    link: PaymentLink,
    data: Record<string, string | boolean>,
  ) =>
    deps.audit.record({
      action,
      actorType: 'user',
      actorId: actor.userId,
      credentialId: actor.credentialId,
      ip: actor.ip,
      requestId: actor.requestId,
      targetType: 'merchant',
      targetId: link.merchantId,
      data: { payment_link: link.id, livemode: link.livemode, ...data },
    });
  const find = (id: string) =>
    one(`SELECT ${COLUMNS} FROM merchant_payment_links WHERE id = $1`, [id]);

  return {
    async create(actor, account, input) {
      if (fieldWithCardNumber({ description: input.description })) {
        return fail(MerchantError.CardNumberInText, { param: 'description' });
      }
      let amount: bigint | null = null;
      if (input.amount !== undefined) {
        const parsed = await ledger.parseAmount(input.currency, input.amount);
        if (!parsed.ok) {
          const code = amountError(parsed.code);
          return code === MerchantError.AssetUnknown
            ? fail(MerchantError.CurrencyUnknown, { param: 'currency' })
            : fail(code, { param: 'amount' });
        }
        amount = parsed.amount;
      } else if (!(await ledger.getAsset(input.currency))) {
        return fail(MerchantError.CurrencyUnknown, { param: 'currency' });
      }
      for (const a of input.assets ?? []) {
        if (!(await ledger.getAsset(a)))
          return fail(MerchantError.AssetUnknown, { param: 'assets' });
      }
      return db.transaction(async () => {
        const link = await one(
          `INSERT INTO merchant_payment_links (id, account_id, merchant_id, livemode, currency, amount,
                assets, description, max_uses, expires_in_seconds)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${COLUMNS}`,
          [
            newId('plink'),
            account.id,
            account.merchantId,
            account.livemode,
            input.currency,
            amount?.toString() ?? null,
            input.assets ?? null,
            input.description ?? null,
            input.maxUses ?? null,
            input.expiresInSeconds,
          ],
        );
        if (!link) throw new Error('payment link insert returned nothing');
        await audit(actor, 'merchant.payment_link_created', link, {});
        return link;
      });
    },

    get: (accountId, id) =>
      one(`SELECT ${COLUMNS} FROM merchant_payment_links WHERE id = $1 AND account_id = $2`, [
        id,
        accountId,
      ]),

    find,

    async list(accountId, q) {
      const { rows } = await db.query<LinkRow>(
        `SELECT ${COLUMNS} FROM merchant_payment_links
          WHERE account_id = $1 AND ($2::text IS NULL OR id < $2) ORDER BY id DESC LIMIT $3`,
        [accountId, q.startingAfter ?? null, q.limit],
      );
      return Promise.all(rows.map(toLink));
    },

    async update(actor, accountId, id, patch) {
      if (fieldWithCardNumber({ description: patch.description })) {
        return fail(MerchantError.CardNumberInText, { param: 'description' });
      }
      return db.transaction(async () => {
        const link = await one(
          `UPDATE merchant_payment_links
            SET active = coalesce($3, active),
                description = CASE WHEN $4 THEN $5 ELSE description END,
                updated_at = now()
          WHERE id = $1 AND account_id = $2 RETURNING ${COLUMNS}`,
          [
            id,
            accountId,
            patch.active ?? null,
            patch.description !== undefined,
            patch.description ?? null,
          ],
        );
        if (!link) return fail(MerchantError.PaymentLinkNotFound, { param: 'link' });
        if (patch.active !== undefined) {
          await audit(
            actor,
            link.active ? 'merchant.payment_link_activated' : 'merchant.payment_link_deactivated',
            link,
            {},
          );
        }
        return link;
      });
    },

    async use(id, input) {
      const link = await find(id);
      if (!link) return fail(MerchantError.PaymentLinkNotFound, { param: 'link' });
      // Checked again, atomically, by the guard below; this spares a deposit address.
      if (!link.active) return fail(MerchantError.PaymentLinkInactive);
      if (link.maxUses !== null && link.uses >= link.maxUses) {
        return fail(MerchantError.PaymentLinkUsedUp);
      }
      let amount: string;
      if (link.amount !== null) {
        amount = formatAmount(link.amount, link.currencyScale);
      } else {
        if (input.amount === undefined || input.amount.trim() === '') {
          return fail(MerchantError.AmountRequired, { param: 'amount' });
        }
        amount = input.amount.trim();
      }
      return deps.invoices.create(
        { id: link.accountId, merchantId: link.merchantId, livemode: link.livemode },
        {
          currency: link.currency,
          amount,
          assets: link.assets ?? undefined,
          description: link.description ?? undefined,
          expiresInSeconds: link.expiresInSeconds,
          paymentLinkId: link.id,
          guard: async () => {
            const used = await db.query(
              `UPDATE merchant_payment_links SET uses = uses + 1, updated_at = now()
                WHERE id = $1 AND active AND (max_uses IS NULL OR uses < max_uses)`,
              [link.id],
            );
            if (used.rowCount === 1) return undefined;
            // A new snapshot: sees the deactivation the guard waited for.
            const now = await find(link.id);
            return fail(
              now?.active ? MerchantError.PaymentLinkUsedUp : MerchantError.PaymentLinkInactive,
            );
          },
        },
      );
    },
  };
}
