import type { AuditEntry, AuditLog, JsonValue } from '../platform/audit/audit.js';
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

export type MerchantActor =
  Actor | { anonymous: true; ip?: string | undefined; requestId?: string | undefined } | 'system';

/** A merchant action as the audit log's entry (`actor` as `recordMerchantAction` takes it). */
export function merchantAuditEntry(
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
