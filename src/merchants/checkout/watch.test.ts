import { describe, expect, it } from 'vitest';
import { createInvoiceWatch } from './watch.js';

/** A stand-in for the invoices table: the one query the watch makes, over a map. */
function table(rows: Map<string, { status: string; paid: string }>) {
  let queries = 0;
  return {
    get queries() {
      return queries;
    },
    query: (_sql: string, params?: unknown[]) => {
      queries++;
      const ids = (params?.[0] ?? []) as string[];
      return Promise.resolve({
        rows: ids.flatMap((id) => {
          const r = rows.get(id);
          return r
            ? [
                {
                  id,
                  status: r.status,
                  paid_value: r.paid,
                  pending_value: '0',
                  expires_at: new Date(Date.now() + 60_000),
                },
              ]
            : [];
        }),
        rowCount: ids.length,
      });
    },
  };
}

const tick = () => new Promise((r) => setTimeout(r, 40));

describe('the checkout status watch', () => {
  it('holds at most maxStreams in all and maxPerInvoice per invoice, and frees a slot on stop', () => {
    const w = createInvoiceWatch({
      db: table(new Map()) as never,
      clock: () => new Date(),
      maxStreams: 3,
      maxPerInvoice: 2,
      intervalMs: 10_000,
    });
    const a1 = w.watch('inv_a', () => {});
    expect(w.watch('inv_a', () => {})).toBeDefined();
    expect(w.watch('inv_a', () => {})).toBeUndefined();
    expect(w.watch('inv_b', () => {})).toBeDefined();
    expect(w.watch('inv_c', () => {})).toBeUndefined();
    expect(w.open).toBe(3);
    a1?.stop();
    a1?.stop();
    expect(w.open).toBe(2);
    expect(w.watch('inv_c', () => {})).toBeDefined();
    w.close();
  });

  it('tells listeners when their invoice changes, with one query a tick for all invoices', async () => {
    const rows = new Map([
      ['inv_a', { status: 'open', paid: '0' }],
      ['inv_b', { status: 'open', paid: '0' }],
    ]);
    const db = table(rows);
    const w = createInvoiceWatch({
      db: db as never,
      clock: () => new Date(),
      maxStreams: 10,
      maxPerInvoice: 10,
      intervalMs: 10,
    });
    const seen: string[] = [];
    w.watch('inv_a', () => seen.push('a'));
    w.watch('inv_b', () => seen.push('b'));
    await tick();
    // The first tick re-sends (nothing between the page and the stream is lost).
    expect(seen.sort()).toEqual(['a', 'b']);
    seen.length = 0;
    await tick();
    expect(seen).toEqual([]);
    rows.set('inv_b', { status: 'paid', paid: '100' });
    await tick();
    expect(seen).toEqual(['b']);
    const before = db.queries;
    await tick();
    // Two invoices watched, about one query per 10 ms tick (not one per invoice).
    expect(db.queries - before).toBeLessThanOrEqual(6);
    w.close();
  });
});
