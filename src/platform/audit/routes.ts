import { z } from '@hono/zod-openapi';
import { defineRoute } from '../http/access.js';
import type { HttpApp } from '../http/app.js';
import { checkCursor, PaginationQuery, pageSchema } from '../http/pagination.js';
import type { AnchorRecord, AuditAnchorer } from './anchorer.js';
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

const AnchorSinkName = z.enum(['file', 'url']);

const AuditAnchorStatusSchema = z
  .object({
    object: z.literal('audit_anchor_status'),
    enabled: z.boolean().openapi({
      description:
        'False when no sink is configured (`VW_AUDIT_ANCHOR_FILE`, `VW_AUDIT_ANCHOR_URL`)',
    }),
    sinks: z.array(AnchorSinkName).openapi({ description: 'The configured sinks' }),
    last: z
      .object({
        seq: z.string().openapi({ description: 'Chain position anchored (decimal string)' }),
        hash: z.string().openapi({ description: 'Hash of the event at `seq`' }),
        occurred_at: z.string().openapi({ format: 'date-time' }),
        anchored_at: z.string().openapi({ format: 'date-time' }),
        key_id: z.string().openapi({ description: 'Names the anchor key (not the key)' }),
        hmac: z.string(),
        sinks: z.array(z.string()).openapi({ description: 'Sinks that have taken this anchor' }),
      })
      .nullable()
      .openapi({
        description:
          'The last anchor taken, as exported (null before the first). Read from the database, so every process shows the anchor writer’s work.',
      }),
    sinks_behind: z.array(AnchorSinkName).openapi({
      description:
        'Configured sinks that have not taken the last anchor yet (refusing it, or added since); it is offered to them again every interval.',
    }),
  })
  .openapi('AuditAnchorStatus');

function anchorStatusJson(
  sinks: readonly z.infer<typeof AnchorSinkName>[],
  last: AnchorRecord | undefined,
): z.infer<typeof AuditAnchorStatusSchema> {
  return {
    object: 'audit_anchor_status',
    enabled: sinks.length > 0,
    sinks: [...sinks],
    last: last
      ? {
          seq: last.seq.toString(),
          hash: last.hash,
          occurred_at: last.occurredAt.toISOString(),
          anchored_at: last.anchoredAt.toISOString(),
          key_id: last.keyId,
          hmac: last.hmac,
          sinks: last.sinks,
        }
      : null,
    sinks_behind: last ? sinks.filter((s) => !last.sinks.includes(s)) : [],
  };
}

/**
 * GET /v1/audit_events (the audit log, newest first) and GET /v1/audit_anchors/status
 * (where its head was last exported), for admins.
 */
export function registerAuditRoutes(
  app: HttpApp,
  deps: { audit: AuditLog; anchorer: Pick<AuditAnchorer, 'last' | 'sinks'> },
): void {
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
  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/audit_anchors/status',
      tags: ['Audit'],
      summary: 'Audit anchoring status',
      description:
        'Whether the audit chain head is exported to anchor sinks, the last anchor taken and ' +
        'the sinks that still owe it a copy. `enabled: false` when anchoring is off. ' +
        '`vaultwire audit verify --anchors <file>` checks the chain against the exported anchors.',
      access: { roles: ['admin'], scope: 'audit:read' },
      responses: {
        200: {
          description: 'The anchoring status',
          content: { 'application/json': { schema: AuditAnchorStatusSchema } },
        },
      },
    }),
    async (c) => {
      // Shown even when anchoring is off now: the last anchor taken stays the newest
      // point the exported copies can vouch for.
      const last = await deps.anchorer.last();
      return c.json(anchorStatusJson(deps.anchorer.sinks, last), 200);
    },
  );
}
