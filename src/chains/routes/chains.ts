import { z } from '@hono/zod-openapi';
import { ANY_ROLE, defineRoute } from '../../platform/http/access.js';
import type { HttpApp } from '../../platform/http/app.js';
import { jsonResponse as json, requireUser as caller } from '../../platform/http/route-helpers.js';
import { ChainError, chainApiError } from '../errors.js';
import { chainJson } from '../json.js';
import { ChainKey, ChainStatusSchema } from '../schemas.js';
import type { ChainsService } from '../service.js';
import { isStaff } from './common.js';

/** Chains and their followers. */
export function registerChainStatusRoutes(app: HttpApp, deps: { chains: ChainsService }): void {
  const { chains } = deps;

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/chains',
      tags: ['Chains'],
      summary: 'Chains and their followers',
      description:
        'Every configured chain: the follower cursor, the node head and the lag. Operators also see the lease holder and RPC endpoint health.',
      access: { roles: ANY_ROLE, scope: 'chains:read' },
      responses: {
        200: json(
          'Chains',
          z.object({ object: z.literal('list'), data: z.array(ChainStatusSchema) }),
        ),
      },
    }),
    async (c) => {
      const staff = isStaff(caller(c));
      const list = await chains.status();
      return c.json({ object: 'list' as const, data: list.map((s) => chainJson(s, staff)) }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/chains/{chain}',
      tags: ['Chains'],
      summary: 'One chain',
      access: { roles: ANY_ROLE, scope: 'chains:read' },
      request: {
        params: z.object({ chain: ChainKey.openapi({ param: { name: 'chain', in: 'path' } }) }),
      },
      responses: { 200: json('The chain', ChainStatusSchema), 404: json('No such chain', z.any()) },
    }),
    async (c) => {
      const { chain } = c.req.valid('param');
      const s = (await chains.status()).find((x) => x.chain === chain);
      if (!s) throw chainApiError(ChainError.ChainUnknown);
      return c.json(chainJson(s, isStaff(caller(c))), 200);
    },
  );
}
