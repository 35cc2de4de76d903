import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../db/db.js';
import type { Logger } from '../observability/logger.js';
import type { AuditLog } from './audit.js';

/** A running sealer loop; `stop` ends it after a last pass. */
export interface AuditSealer {
  stop(): Promise<void>;
}

/**
 * Links `enqueue`d audit events into the chain every `intervalMs`, in every process that
 * runs it (the api role): passes from several processes queue on the chain head, so no
 * lease is needed, and an event waits at most about one interval when its process dies.
 */
export function startAuditSealer(deps: {
  db: Db;
  audit: Pick<AuditLog, 'seal'>;
  logger: Logger;
  intervalMs: number;
}): AuditSealer {
  const logger = deps.logger.child({ module: 'audit-sealer' });
  const stopping = new AbortController();
  const pass = async () => {
    // A look without a lock first, so an idle deployment never takes the head's lock.
    const { rows } = await deps.db.query('SELECT 1 FROM audit_pending LIMIT 1');
    if (rows.length === 0) return;
    while ((await deps.audit.seal({ limit: 500 })) === 500) {
      // A backlog: keep going without waiting.
    }
  };
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      try {
        await pass();
      } catch (err) {
        logger.error({ err }, 'sealing audit events failed; retrying');
      }
      await sleep(deps.intervalMs, undefined, { signal: stopping.signal }).catch(() => undefined);
    }
    // The last requests' events, before the pool closes.
    await pass().catch((err: unknown) => {
      logger.error({ err }, 'sealing audit events at stop failed; the next process seals them');
    });
  })();
  return {
    async stop() {
      stopping.abort();
      await loop;
    },
  };
}
