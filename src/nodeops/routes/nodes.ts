import { z } from '@hono/zod-openapi';
import { defineRoute } from '../../platform/http/access.js';
import type { HttpApp } from '../../platform/http/app.js';
import { unwrap } from '../../platform/http/errors.js';
import {
  jsonBody as body,
  jsonResponse as json,
  requireUser,
} from '../../platform/http/route-helpers.js';
import type { Alert } from '../alerts.js';
import { nodeopsApiError } from '../errors.js';
import type { NodeopsService } from '../service.js';
import { alertJson, nodeJson } from './json.js';
import { actorOf, AlertSchema, IdParam, NodeBody, NodeSchema, READ, WRITE } from './schemas.js';

/** Nodes of the fleet: register, fleet status, detail with recent alerts, remove, ban, unban. */
export function registerNodeRoutes(app: HttpApp, nodeops: NodeopsService): void {
  const lastAlerts = async (nodeId?: string) => {
    const recent = await nodeops.alerts.list({ node: nodeId, limit: nodeId ? 20 : 100 });
    const byNode = new Map<string, Alert>();
    for (const a of recent) if (a.nodeId && !byNode.has(a.nodeId)) byNode.set(a.nodeId, a);
    return { recent, byNode };
  };

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/nodeops/nodes',
      tags: ['Node operations'],
      summary: 'Register a node',
      description:
        'A node of a registered chain, with its RPC URL (CometBFT RPC or EVM JSON-RPC). The URL must resolve to public addresses unless its range is in `nodeops.ssrfAllow`.',
      access: WRITE,
      request: body(NodeBody),
      responses: { 201: json('The node', NodeSchema) },
    }),
    async (c) => {
      const b = c.req.valid('json');
      const node = unwrap(
        await nodeops.fleet.createNode(
          {
            name: b.name,
            chain: b.chain,
            region: b.region,
            role: b.role,
            url: b.url,
            validatorAddress: b.validator_address,
            producerName: b.producer_name,
          },
          actorOf(requireUser(c)),
        ),
        nodeopsApiError,
      );
      return c.json(nodeJson(node), 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/nodeops/nodes',
      tags: ['Node operations'],
      summary: 'Fleet status: one entry per node',
      description:
        'Height, lag, peers, state, ban and last alert of every node (or of one chain, or only banned ones).',
      access: READ,
      request: {
        query: z.object({
          chain: z.string().max(40).optional(),
          banned: z.enum(['true', 'false']).optional(),
        }),
      },
      responses: {
        200: json('Nodes', z.object({ object: z.literal('list'), data: z.array(NodeSchema) })),
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const nodes = await nodeops.fleet.listNodes({
        chain: q.chain,
        banned: q.banned === undefined ? undefined : q.banned === 'true',
      });
      const { byNode } = await lastAlerts();
      return c.json(
        { object: 'list' as const, data: nodes.map((n) => nodeJson(n, byNode.get(n.id))) },
        200,
      );
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/nodeops/nodes/{id}',
      tags: ['Node operations'],
      summary: 'A node, with its recent alerts',
      access: READ,
      request: { params: IdParam('nod_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y') },
      responses: {
        200: json('The node', NodeSchema.extend({ recent_alerts: z.array(AlertSchema) })),
      },
    }),
    async (c) => {
      const node = unwrap(await nodeops.fleet.getNode(c.req.valid('param').id), nodeopsApiError);
      const { recent } = await lastAlerts(node.id);
      return c.json({ ...nodeJson(node, recent[0]), recent_alerts: recent.map(alertJson) }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/v1/nodeops/nodes/{id}',
      tags: ['Node operations'],
      summary: 'Remove a node (and its alerts)',
      access: WRITE,
      request: { params: IdParam('nod_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y') },
      responses: { 200: json('Removed', z.object({ id: z.string(), deleted: z.literal(true) })) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      unwrap(await nodeops.fleet.removeNode(id, actorOf(requireUser(c))), nodeopsApiError);
      return c.json({ id, deleted: true as const }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/nodeops/nodes/{id}/ban',
      tags: ['Node operations'],
      summary: 'Ban a node',
      description:
        'Recorded with its reason and audited; a `nodeops.node.banned` event is published.',
      access: WRITE,
      request: {
        params: IdParam('nod_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y'),
        ...body(z.strictObject({ reason: z.string().min(1).max(500) })),
      },
      responses: { 200: json('The node', NodeSchema) },
    }),
    async (c) => {
      const node = unwrap(
        await nodeops.fleet.ban(
          c.req.valid('param').id,
          c.req.valid('json').reason,
          actorOf(requireUser(c)),
        ),
        nodeopsApiError,
      );
      return c.json(nodeJson(node), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/nodeops/nodes/{id}/unban',
      tags: ['Node operations'],
      summary: 'Lift a node’s ban',
      description: 'Audited; a `nodeops.node.unbanned` event is published.',
      access: WRITE,
      request: { params: IdParam('nod_01JD7Q4Z8B2M5Q9K6T3V0W1X2Y') },
      responses: { 200: json('The node', NodeSchema) },
    }),
    async (c) => {
      const node = unwrap(
        await nodeops.fleet.unban(c.req.valid('param').id, actorOf(requireUser(c))),
        nodeopsApiError,
      );
      return c.json(nodeJson(node), 200);
    },
  );
}
