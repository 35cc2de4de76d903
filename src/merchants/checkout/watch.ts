import type { Db } from '../../platform/db/db.js';

/**
 * Who is watching which invoice, for the checkout's live status. One query a tick for all
 * watched invoices of this process (not one per open page): a change in status, amount
 * paid or pending, or the expiry passing, calls that invoice's listeners.
 */
export interface InvoiceWatch {
  /**
   * Starts watching; `undefined` when the process already holds `maxStreams` streams or
   * the invoice `maxPerInvoice` (the caller answers 503). Call `stop` when the stream ends.
   */
  watch(invoiceId: string, onChange: () => void): { stop(): void } | undefined;
  readonly open: number;
  close(): void;
}

interface Snapshot {
  key: string;
}

export function createInvoiceWatch(deps: {
  db: Pick<Db, 'query'>;
  clock: () => Date;
  maxStreams: number;
  maxPerInvoice: number;
  intervalMs: number;
}): InvoiceWatch {
  const listeners = new Map<string, Set<() => void>>();
  const last = new Map<string, Snapshot>();
  let open = 0;
  let timer: NodeJS.Timeout | undefined;
  let polling = false;

  const poll = async () => {
    if (polling || listeners.size === 0) return;
    polling = true;
    try {
      const ids = [...listeners.keys()];
      const { rows } = await deps.db.query<{
        id: string;
        status: string;
        paid_value: string;
        pending_value: string;
        expires_at: Date;
      }>(
        `SELECT id, status, paid_value::text AS paid_value, pending_value::text AS pending_value, expires_at
           FROM merchant_invoices WHERE id = ANY($1::text[])`,
        [ids],
      );
      const now = deps.clock();
      for (const r of rows) {
        const key = `${r.status}|${r.paid_value}|${r.pending_value}|${now >= r.expires_at}`;
        const before = last.get(r.id);
        last.set(r.id, { key });
        // The first tick after a watch starts re-sends: nothing between the page and the stream is lost.
        if (before?.key !== key) {
          for (const fn of listeners.get(r.id) ?? []) fn();
        }
      }
    } catch {
      // A failed tick is retried by the next one; the page also falls back to reloading.
    } finally {
      polling = false;
    }
  };

  const ensureTimer = () => {
    if (timer || listeners.size === 0) return;
    timer = setInterval(() => void poll(), deps.intervalMs);
    timer.unref();
  };

  return {
    watch(invoiceId, onChange) {
      const set = listeners.get(invoiceId) ?? new Set();
      if (open >= deps.maxStreams || set.size >= deps.maxPerInvoice) return undefined;
      set.add(onChange);
      listeners.set(invoiceId, set);
      open++;
      ensureTimer();
      let stopped = false;
      return {
        stop() {
          if (stopped) return;
          stopped = true;
          open--;
          set.delete(onChange);
          if (set.size === 0) {
            listeners.delete(invoiceId);
            last.delete(invoiceId);
          }
          if (listeners.size === 0 && timer) {
            clearInterval(timer);
            timer = undefined;
          }
        },
      };
    },
    get open() {
      return open;
    },
    close() {
      if (timer) clearInterval(timer);
      timer = undefined;
      listeners.clear();
    },
  };
}
