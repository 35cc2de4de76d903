import { z } from '@hono/zod-openapi';
import type { LedgerService } from '../../ledger/service.js';
import { defineRoute } from '../../platform/http/access.js';
import type { HttpApp } from '../../platform/http/app.js';
import { unwrap } from '../../platform/http/errors.js';
import type { Db } from '../../platform/db/db.js';
import { merchantApiError } from '../errors.js';
import type { MerchantsService } from '../service.js';
import { MERCHANT_TAG } from '../schemas.js';
import { createSettlementReports, settlementCsv, settlementJson } from '../settlements.js';
import { accountOf, keyAccess } from './common.js';

const Line = {
  asset: z.string(),
  gross: z.string(),
  fees: z.string(),
  refunds: z.string(),
  payouts: z.string(),
  other: z.string(),
  net: z.string(),
};

const SettlementSchema = z
  .object({
    object: z.literal('settlement_report'),
    from: z.string(),
    to: z.string(),
    days: z.array(z.object({ date: z.string(), ...Line })),
    totals: z.array(
      z.object({ ...Line, opening_balance: z.string(), closing_balance: z.string() }),
    ),
  })
  .openapi('SettlementReport');

const SettlementQuery = z.object({
  from: z.iso.datetime({ offset: true }).openapi({ example: '2026-11-01T00:00:00Z' }),
  to: z.iso.datetime({ offset: true }).openapi({ example: '2026-12-01T00:00:00Z' }),
  format: z.enum(['json', 'csv']).default('json'),
});

/** The settlement report of the key's merchant account, in JSON or CSV. */
export function registerSettlementRoutes(
  app: HttpApp,
  deps: { merchants: MerchantsService; db: Db; ledger: LedgerService },
): void {
  const reports = createSettlementReports({ db: deps.db, ledger: deps.ledger });
  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/settlements',
      tags: [MERCHANT_TAG],
      summary: 'Settlement report',
      description:
        'Per UTC day and asset over [from, to): gross paid, fees, refunds, payouts and net, from the merchant balance’s ledger entries; per asset a total with the opening and closing balance (net = closing − opening). `format=csv` answers `text/csv`.',
      access: keyAccess('merchant_balance:read'),
      request: { query: SettlementQuery },
      responses: {
        200: {
          description: 'The report',
          content: {
            'application/json': { schema: SettlementSchema },
            'text/csv': { schema: z.string() },
          },
        },
      },
    }),
    async (c) => {
      const account = await accountOf(c, deps.merchants);
      const q = c.req.valid('query');
      const r = unwrap(
        await reports.report(account.id, { from: new Date(q.from), to: new Date(q.to) }),
        merchantApiError,
      );
      if (q.format === 'csv') {
        c.header('content-type', 'text/csv; charset=utf-8');
        c.header('content-disposition', 'attachment; filename="settlements.csv"');
        return c.body(settlementCsv(r), 200);
      }
      return c.json(settlementJson(r), 200);
    },
  );
}
