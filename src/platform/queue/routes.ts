import { z } from '@hono/zod-openapi';
import type { AuditLog } from '../audit/audit.js';
import { defineRoute, hasScope, type Principal } from '../http/access.js';
import type { HttpApp } from '../http/app.js';
import { ApiError, ErrorSchema } from '../http/errors.js';
import { checkCursor, pageSchema, PaginationQuery, toPage } from '../http/pagination.js';
import { IdParam, jsonResponse as json, requireUser } from '../http/route-helpers.js';
import type { Outbox } from '../outbox/outbox.js';
import { errorMessage, errorTrace } from './error-text.js';
import type { JobInfo, JobQueue } from './queue.js';

const STAFF = ['operator', 'admin'] as const;
const TAGS = ['Operations'];

const QueueDepthSchema = z
  .object({
    queue: z.string().openapi({ example: 'outbox.webhooks.platform' }),
    state: z.enum(['queued', 'scheduled', 'running', 'dead']).openapi({
      description: '`scheduled`: queued but not due yet',
    }),
    count: z.number().int(),
    oldest_age_seconds: z.number().openapi({ description: 'Age of the oldest due job (queued)' }),
  })
  .openapi('QueueDepth');

const QueuesSchema = z
  .object({
    object: z.literal('queues'),
    queues: z.array(QueueDepthSchema),
    outbox: z.object({
      pending: z.number().int().openapi({ description: 'Events not yet relayed to subscribers' }),
      oldest_age_seconds: z.number(),
    }),
  })
  .openapi('Queues');

const DeadJobSchema = z
  .object({
    object: z.literal('job'),
    id: z.string().openapi({ example: 'job_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y' }),
    queue: z.string(),
    state: z.enum(['queued', 'running', 'done', 'dead']),
    attempts: z.number().int(),
    max_attempts: z.number().int(),
    last_error: z.string().nullable().openapi({
      description: 'What went wrong on the last attempt: the error message (one line)',
    }),
    last_error_trace: z.string().nullable().openapi({
      description:
        'Where it went wrong: the stack frames, one per line, with file locations relative to the install (never absolute paths). Only for callers with the `jobs:write` scope (who can retry the job); null for others and for errors without a stack.',
    }),
    created_at: z.string().openapi({ format: 'date-time' }),
    updated_at: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Job');

/**
 * A job as operators see it: its state and last error, never its payload. The stored error
 * is the worker's whole stack; every operator gets its message, and the frames (without
 * the server's paths) go only to those who may retry the job, since they decide on it.
 */
function jobJson(j: JobInfo, principal: Principal): z.infer<typeof DeadJobSchema> {
  return {
    object: 'job',
    id: j.id,
    queue: j.queue,
    state: j.state,
    attempts: j.attempts,
    max_attempts: j.maxAttempts,
    last_error: errorMessage(j.lastError),
    last_error_trace: hasScope(principal, 'jobs:write') ? errorTrace(j.lastError) : null,
    created_at: j.createdAt.toISOString(),
    updated_at: j.updatedAt.toISOString(),
  };
}

/**
 * The platform's job queues and outbox for operators: depth per queue and state, the
 * outbox backlog, dead jobs (paged, oldest first) and retrying one (audited). Payloads
 * are never shown: they carry other people's data.
 */
export function registerQueueRoutes(
  app: HttpApp,
  deps: {
    jobs: Pick<JobQueue, 'depth' | 'listDead' | 'requeueDead' | 'get'>;
    outbox: Pick<Outbox, 'pending'>;
    audit: Pick<AuditLog, 'record'>;
  },
): void {
  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/ops/queues',
      tags: TAGS,
      summary: 'Job queues and the outbox backlog',
      description:
        'Jobs per queue and state (with the age of the oldest due one) and the events waiting in the outbox. Operators and admins.',
      access: { roles: STAFF, scope: 'jobs:read' },
      responses: { 200: json('Depths', QueuesSchema) },
    }),
    async (c) => {
      const [depth, pending] = await Promise.all([deps.jobs.depth(), deps.outbox.pending()]);
      return c.json(
        {
          object: 'queues' as const,
          queues: depth.map((d) => ({
            queue: d.queue,
            state: d.state,
            count: d.count,
            oldest_age_seconds: d.oldestAgeSeconds,
          })),
          outbox: { pending: pending.count, oldest_age_seconds: pending.oldestAgeSeconds },
        },
        200,
      );
    },
  );

  const DeadQuery = PaginationQuery.extend({
    queue: z.string().max(200).optional().openapi({ example: 'outbox.webhooks.platform' }),
  });
  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/ops/jobs/dead',
      tags: TAGS,
      summary: 'Dead jobs (out of attempts), oldest first',
      access: { roles: STAFF, scope: 'jobs:read' },
      request: { query: DeadQuery },
      responses: { 200: json('Dead jobs', pageSchema(DeadJobSchema)) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const cursor = checkCursor(q.starting_after, 'job');
      const rows = await deps.jobs.listDead({
        limit: q.limit + 1,
        ...(q.queue !== undefined ? { queue: q.queue } : {}),
        ...(cursor !== undefined ? { startingAfter: cursor } : {}),
      });
      const principal = c.get('principal');
      return c.json(
        toPage(rows, q.limit, (j) => jobJson(j, principal)),
        200,
      );
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/ops/jobs/{id}/retry',
      tags: TAGS,
      summary: 'Retry a dead job',
      description:
        'Puts a dead job back in its queue with fresh attempts. 404 for no such job, 409 `job_not_dead` for one that is not dead (already retried, or never failed). Audited.',
      access: { roles: STAFF, scope: 'jobs:write' },
      request: { params: IdParam('job_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y') },
      responses: {
        200: json('The job, queued again', DeadJobSchema),
        404: json('No such job', ErrorSchema),
        409: json('Not dead', ErrorSchema),
      },
    }),
    async (c) => {
      const id = c.req.valid('param').id;
      const job = await deps.jobs.get(id);
      if (!job) throw new ApiError(404, 'not_found_error', 'job_not_found', 'No such job', 'id');
      // One statement decides (state = 'dead'): two operators retrying at once requeue once.
      if (!(await deps.jobs.requeueDead(id))) {
        throw new ApiError(
          409,
          'conflict_error',
          'job_not_dead',
          `The job is ${job.state === 'dead' ? 'no longer dead' : job.state}, not dead`,
          'id',
        );
      }
      const user = requireUser(c);
      await deps.audit.record({
        action: 'job.retried',
        actorType: 'user',
        actorId: user.userId,
        credentialId: user.credentialId,
        targetType: 'job',
        targetId: id,
        ip: c.get('clientIp'),
        requestId: c.get('requestId'),
        data: { queue: job.queue },
      });
      const after = await deps.jobs.get(id);
      return c.json(jobJson(after ?? job, c.get('principal')), 200);
    },
  );
}
