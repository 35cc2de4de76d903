import { z } from '@hono/zod-openapi';
import { defineRoute } from '../../platform/http/access.js';
import type { HttpApp } from '../../platform/http/app.js';
import {
  jsonBody,
  jsonResponse as json,
  requireUser as caller,
} from '../../platform/http/route-helpers.js';
import { unwrap } from '../../platform/http/errors.js';
import { producerApiError } from '../errors.js';
import { chainStatusJson } from '../json.js';
import {
  ChainParam,
  ChainStatusSchema,
  KeyRequestSchema,
  KeySchema,
  SwitchoverRequestSchema,
  SwitchoverSchema,
} from '../schemas.js';
import type { ProducerService } from '../service.js';
import { PRODUCER_ROLES } from './roles.js';

/** Producer chains: status, switchover and the signing key. */
export function registerProducerChainRoutes(
  app: HttpApp,
  deps: { producer: ProducerService },
): void {
  const { producer } = deps;

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/producer/chains',
      tags: ['Producer'],
      summary: 'Producer chains',
      description: 'Every producer chain: the active region, this region’s state and the mark.',
      access: { roles: PRODUCER_ROLES, scope: 'producer:read' },
      responses: {
        200: json(
          'Chains',
          z.object({ object: z.literal('list'), data: z.array(ChainStatusSchema) }),
        ),
      },
    }),
    async (c) => {
      const list = await producer.statusAll();
      return c.json({ object: 'list' as const, data: list.map(chainStatusJson) }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/producer/chains/{chain}',
      tags: ['Producer'],
      summary: 'One producer chain',
      access: { roles: PRODUCER_ROLES, scope: 'producer:read' },
      request: { params: ChainParam },
      responses: { 200: json('The chain', ChainStatusSchema) },
    }),
    async (c) => {
      const { chain } = c.req.valid('param');
      return c.json(chainStatusJson(unwrap(await producer.status(chain), producerApiError)), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/producer/chains/{chain}/switchover',
      tags: ['Producer'],
      summary: 'Switch the active region',
      description:
        'Drains the active region (its stop hook runs, then it releases the lease) and promotes `to` (or any region but `from`) without the lock delay. The request expires after 60 s. Audited.',
      access: { roles: ['admin'], scope: 'producer:write' },
      request: { params: ChainParam, ...jsonBody(SwitchoverRequestSchema) },
      responses: { 202: json('Requested', SwitchoverSchema) },
    }),
    async (c) => {
      const { chain } = c.req.valid('param');
      const body = c.req.valid('json');
      const r = unwrap(
        await producer.switchover(chain, body, { type: 'user', id: caller(c).userId }),
        producerApiError,
      );
      return c.json(
        {
          object: 'producer_switchover' as const,
          chain,
          to: r.to ?? null,
          from: r.from ?? null,
          expires_at: new Date(r.until).toISOString(),
        },
        202,
      );
    },
  );

  app.openapi(
    defineRoute({
      method: 'put',
      path: '/v1/producer/chains/{chain}/key',
      tags: ['Producer'],
      summary: 'Import or generate the signing key',
      description:
        'Stores the chain’s signing key sealed with the platform’s envelope encryption; the private key is never returned. Audited.',
      access: { roles: ['admin'], scope: 'producer:write' },
      request: { params: ChainParam, ...jsonBody(KeyRequestSchema) },
      responses: { 200: json('The key', KeySchema) },
    }),
    async (c) => {
      const { chain } = c.req.valid('param');
      const body = c.req.valid('json');
      const r = unwrap(
        await producer.setKey(chain, body.private_key, { type: 'user', id: caller(c).userId }),
        producerApiError,
      );
      return c.json(
        {
          object: 'producer_key' as const,
          chain: r.chain,
          algorithm: r.algorithm,
          public_key: r.publicKey,
        },
        200,
      );
    },
  );
}
