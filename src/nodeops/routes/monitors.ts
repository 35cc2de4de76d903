import { z } from '@hono/zod-openapi';
import { defineRoute } from '../../platform/http/access.js';
import { validationError, type HttpApp } from '../../platform/http/app.js';
import { unwrap } from '../../platform/http/errors.js';
import {
  jsonBody as body,
  jsonResponse as json,
  requireUser,
} from '../../platform/http/route-helpers.js';
import { nodeopsApiError } from '../errors.js';
import type { NewMonitor } from '../monitors.js';
import type { NodeopsService } from '../service.js';
import { MonitorSettingsSchema } from '../settings.js';
import { alertJson, backupGroupJson, monitorJson } from './json.js';
import {
  actorOf,
  AlertSchema,
  BackupGroupSchema,
  IdParam,
  MonitorBody,
  MonitorSchema,
  READ,
  WRITE,
} from './schemas.js';

const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const snake = (k: string) => k.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`);

/**
 * Monitors that are not chain nodes (backup freshness, uptime, heartbeats), the backup
 * freshness view by chain and region, and the push endpoint jobs call in at.
 */
export function registerMonitorRoutes(app: HttpApp, nodeops: NodeopsService): void {
  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/nodeops/monitors',
      tags: ['Node operations'],
      summary: 'Add a backup, uptime or heartbeat monitor',
      description:
        'kind `backup` (a `path` under `nodeops.backupPathRoots`, or an HTTP(S) `url` whose `Last-Modified` is the backup time; `max_age_seconds`), `http` (uptime of a web service: status, `keyword`, `json_pointer`/`json_equals`, `max_latency_ms`, `cert_expiry_days`) or `push` (a heartbeat: the answer carries the `push_token`, shown only here). URLs must resolve to public addresses unless their range is in `nodeops.ssrfAllow`. Audited.',
      access: WRITE,
      request: body(MonitorBody),
      responses: {
        201: json(
          'The monitor',
          MonitorSchema.extend({
            push_token: z
              .string()
              .optional()
              .openapi({ description: 'push: the token to call in with; shown only once' }),
          }),
        ),
      },
    }),
    async (c) => {
      const b = c.req.valid('json') as Record<string, unknown>;
      const camelBody = Object.fromEntries(Object.entries(b).map(([k, v]) => [camel(k), v]));
      // The API body has the shapes; the settings schema adds the rules across fields.
      const parsed = MonitorSettingsSchema.safeParse(
        b['kind'] === 'push' ? { ...camelBody, token: 'x'.repeat(24) } : camelBody,
      );
      if (!parsed.success) {
        throw validationError(
          parsed.error.issues.map((i) => ({ ...i, path: i.path.map((p) => snake(String(p))) })),
        );
      }
      const input = parsed.data;
      const newMonitor: NewMonitor =
        input.kind === 'push' ? (({ token: _t, ...rest }) => rest)(input) : input;
      const r = unwrap(
        await nodeops.monitors.create(newMonitor, actorOf(requireUser(c))),
        nodeopsApiError,
      );
      return c.json(
        {
          ...monitorJson(r.monitor),
          ...(r.pushToken === undefined ? {} : { push_token: r.pushToken }),
        },
        201,
      );
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/nodeops/monitors',
      tags: ['Node operations'],
      summary: 'Monitors with their last check',
      access: READ,
      request: {
        query: z.object({
          kind: z.enum(['backup', 'http', 'push']).optional(),
          chain: z.string().max(40).optional(),
        }),
      },
      responses: {
        200: json(
          'Monitors',
          z.object({ object: z.literal('list'), data: z.array(MonitorSchema) }),
        ),
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const list = await nodeops.monitors.list({ kind: q.kind, chain: q.chain });
      return c.json({ object: 'list' as const, data: list.map((m) => monitorJson(m)) }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/nodeops/monitors/{id}',
      tags: ['Node operations'],
      summary: 'A monitor, with its recent alerts',
      access: READ,
      request: { params: IdParam('nmo_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y') },
      responses: {
        200: json('The monitor', MonitorSchema.extend({ recent_alerts: z.array(AlertSchema) })),
      },
    }),
    async (c) => {
      const m = unwrap(await nodeops.monitors.get(c.req.valid('param').id), nodeopsApiError);
      const recent = await nodeops.alerts.list({ monitor: m.id, limit: 20 });
      return c.json({ ...monitorJson(m), recent_alerts: recent.map(alertJson) }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/v1/nodeops/monitors/{id}',
      tags: ['Node operations'],
      summary: 'Remove a monitor (and its alerts)',
      access: WRITE,
      request: { params: IdParam('nmo_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y') },
      responses: { 200: json('Removed', z.object({ id: z.string(), deleted: z.literal(true) })) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      unwrap(await nodeops.monitors.remove(id, actorOf(requireUser(c))), nodeopsApiError);
      return c.json({ id, deleted: true as const }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/nodeops/backups',
      tags: ['Node operations'],
      summary: 'Backup freshness by chain and region',
      description:
        'For each chain (and for backups of no chain): every region’s newest backup, its age and height where known, whether its check fires, and the region holding the freshest backup.',
      access: READ,
      request: { query: z.object({ chain: z.string().max(40).optional() }) },
      responses: {
        200: json(
          'Backups',
          z.object({ object: z.literal('list'), data: z.array(BackupGroupSchema) }),
        ),
      },
    }),
    async (c) => {
      const groups = await nodeops.monitors.backupStatus({ chain: c.req.valid('query').chain });
      return c.json({ object: 'list' as const, data: groups.map(backupGroupJson) }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/nodeops/push',
      tags: ['Node operations'],
      summary: 'A heartbeat from a job',
      description:
        'The job’s push monitor is found by its token (header `x-push-token`); a call resets its `heartbeat_missed` check. No session: the token is the credential.',
      access: { public: true },
      request: {
        headers: z.object({
          'x-push-token': z.string().min(1).max(200).openapi({ example: 'k3J…' }),
        }),
      },
      responses: {
        200: json('Received', z.object({ monitor: z.string(), received_at: z.string() })),
      },
    }),
    async (c) => {
      const token = c.req.valid('header')['x-push-token'];
      const monitor = unwrap(await nodeops.monitors.push(token), nodeopsApiError);
      return c.json(
        { monitor: monitor.name, received_at: (monitor.lastPushAt ?? new Date()).toISOString() },
        200,
      );
    },
  );
}
