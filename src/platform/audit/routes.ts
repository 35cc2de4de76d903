import { z } from '@hono/zod-openapi';
import { defineRoute } from '../http/access.js';
import type { HttpApp } from '../http/app.js';
import { checkCursor, PaginationQuery, pageSchema } from '../http/pagination.js';
import type { AuditEvent, AuditLog } from './audit.js';

const AuditEventSchema = z
  .object({
    id: z.string().openapi({ example: 'aud_01JD7Q4Z8R3M5N6P7Q8R9S0T1V' }),
    object: z.literal('audit_event'),
    seq: z
      .string()
      .openapi({ description: 'Position in the chain (decimal string)', example: '42' }),
    occurred_at: z.string().openapi({ format: 'date-time' }),
    action: z.string().openapi({ example: 'api_key.revoked' }),
    actor: z.object({
      type: z.enum(['user', 'system', 'anonymous']),
      id: z.string().nullable(),
      credential_id: z.string().nullable(),
    }),
    target: z.object({ type: z.string().nullable(), id: z.string().nullable() }),
    ip: z.string().nullable(),
    request_id: z.string().nullable(),
    data: z.record(z.string(), z.unknown()),
    prev_hash: z.string(),
    hash: z.string().openapi({ description: 'SHA-256 over prev_hash and this event' }),
  })
  .openapi('AuditEvent');

function auditEventJson(e: AuditEvent): z.infer<typeof AuditEventSchema> {
  return {
    id: e.id,
    object: 'audit_event',
    seq: e.seq.toString(),
    occurred_at: e.occurredAt.toISOString(),
    action: e.action,
    actor: { type: e.actorType, id: e.actorId, credential_id: e.credentialId },
    target: { type: e.targetType, id: e.targetId },
    ip: e.ip,
    request_id: e.requestId,
    data: e.data,
    prev_hash: e.prevHash,
    hash: e.hash,
  };
}

// NUL cannot reach PostgreSQL text; refuse it here rather than fail in the database.
const filter = (max: number) =>
  z
    .string()
    .max(max)
    .refine((v) => !v.includes('\u0000'), 'must not contain NUL');

const AuditQuery = PaginationQuery.extend({
  starting_after: filter(64).optional().openapi({
    description: 'Return events older than this one (the `next_cursor` of the previous page)',
  }),
  action: filter(100).optional().openapi({ example: 'auth.login_failed' }),
  actor_id: filter(200).optional(),
  target_id: filter(200).optional(),
});

/** GET /v1/audit_events: the audit log for admins, newest first. */
export function registerAuditRoutes(app: HttpApp, deps: { audit: AuditLog }): void {
  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/audit_events',
      tags: ['Audit'],
      summary: 'List audit events',
      description:
        'Security-relevant actions, newest first, filterable by action, actor or target. ' +
        'Each event carries the hash chain fields; `vaultwire audit verify` checks the whole chain.',
      access: { roles: ['admin'], scope: 'audit:read' },
      request: { query: AuditQuery },
      responses: {
        200: {
          description: 'A page of events',
          content: { 'application/json': { schema: pageSchema(AuditEventSchema) } },
        },
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const { events, hasMore } = await deps.audit.list({
        limit: q.limit,
        startingAfter: checkCursor(q.starting_after, 'aud'),
        action: q.action,
        actorId: q.actor_id,
        targetId: q.target_id,
      });
      return c.json(
        {
          object: 'list' as const,
          data: events.map(auditEventJson),
          has_more: hasMore,
          next_cursor: hasMore ? (events[events.length - 1]?.id ?? null) : null,
        },
        200,
      );
    },
  );
}
