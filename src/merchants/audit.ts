import type { AuditEntry, AuditLog, JsonValue } from '../platform/audit/audit.js';
import type { Statement } from '../platform/db/db.js';
import type { Actor } from './model.js';

/**
 * Records a merchant action in the platform's hash-chained audit log, in the caller's
 * transaction (so it commits with the change). `actor` is a member (`usr_…`) or a merchant
 * API key (`mca_…` account, the key as credential); `anonymous` is a payer acting through
 * a link (their IP is kept); `system` a job of the module.
 */
export function recordMerchantAction(
  audit: Pick<AuditLog, 'record'>,
  actor: MerchantActor,
  action: string,
  target: { type: string; id: string },
  data: Record<string, JsonValue>,
): Promise<unknown> {
  return audit.record(merchantAuditEntry(actor, action, target, data));
}

/**
 * The same, through the chain's waiting list (`AuditLog.enqueue`), as a statement to embed
 * in the change it records (`embed`): for invoice creation, which runs far more often than
 * one chain lock per commit allows. The entry commits or is refused with the change; it
 * is chained a moment later.
 */
export function enqueueMerchantActionStatement(
  audit: Pick<AuditLog, 'enqueueStatement'>,
  actor: MerchantActor,
  action: string,
  target: { type: string; id: string },
  data: Record<string, JsonValue>,
): Statement {
  return audit.enqueueStatement(merchantAuditEntry(actor, action, target, data));
}

type MerchantActor =
  Actor | { anonymous: true; ip?: string | undefined; requestId?: string | undefined } | 'system';

function merchantAuditEntry(
  actor: MerchantActor,
  action: string,
  target: { type: string; id: string },
  data: Record<string, JsonValue>,
): AuditEntry {
  const who: Pick<AuditEntry, 'actorType' | 'actorId' | 'credentialId' | 'ip' | 'requestId'> =
    actor === 'system'
      ? { actorType: 'system', actorId: 'merchants' }
      : 'anonymous' in actor
        ? { actorType: 'anonymous', ip: actor.ip, requestId: actor.requestId }
        : {
            actorType: 'user',
            actorId: actor.userId,
            credentialId: actor.credentialId,
            ip: actor.ip,
            requestId: actor.requestId,
          };
  return { action, ...who, targetType: target.type, targetId: target.id, data };
}
