import { z } from '@hono/zod-openapi';
import { defineRoute } from '../../platform/http/access.js';
import type { HttpApp } from '../../platform/http/app.js';
import { unwrap } from '../../platform/http/errors.js';
import {
  jsonBody as body,
  jsonResponse as json,
  requireUser,
} from '../../platform/http/route-helpers.js';
import { nodeopsApiError } from '../errors.js';
import type { NodeopsService } from '../service.js';
import { chainJson } from './json.js';
import { actorOf, ChainBody, ChainSchema, READ, WRITE } from './schemas.js';

const KeyParam = z.object({
  key: z
    .string()
    .max(40)
    .openapi({ param: { name: 'key', in: 'path' }, example: 'cosmoshub' }),
});

/** Chains of the fleet, with their reference endpoints and thresholds. */
export function registerChainRoutes(app: HttpApp, nodeops: NodeopsService): void {
  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/nodeops/chains',
      tags: ['Node operations'],
      summary: 'Add a chain to the fleet',
      description:
        'A chain of family `cometbft`, `evm`, `eos` or `xrpl`, with reference endpoints its nodes are compared with and thresholds (omitted ones take their defaults). Reference URLs must resolve to public addresses unless their range is in `nodeops.ssrfAllow`.',
      access: WRITE,
      request: body(ChainBody),
      responses: { 201: json('The chain', ChainSchema) },
    }),
    async (c) => {
      const b = c.req.valid('json');
      const thresholds = Object.fromEntries(
        Object.entries({
          blockTimeSeconds: b.block_time_seconds,
          lagBlocks: b.lag_blocks,
          stallSeconds: b.stall_seconds,
          minPeers: b.min_peers,
          missedConsecutive: b.missed_consecutive,
          missedWindow: b.missed_window,
          missedWindowMax: b.missed_window_max,
          banAfterSeconds: b.ban_after_seconds,
          unbanAfterSeconds: b.unban_after_seconds,
          missedRounds: b.missed_rounds,
        }).filter(([, v]) => v !== undefined),
      );
      const chain = unwrap(
        await nodeops.fleet.createChain(
          {
            key: b.key,
            family: b.family,
            references: b.references,
            lcdUrl: b.lcd_url,
            releaseFeed: b.release_feed,
            thresholds,
          },
          actorOf(requireUser(c)),
        ),
        nodeopsApiError,
      );
      return c.json(chainJson(chain), 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/nodeops/chains',
      tags: ['Node operations'],
      summary: 'Chains of the fleet',
      access: READ,
      responses: {
        200: json('Chains', z.object({ object: z.literal('list'), data: z.array(ChainSchema) })),
      },
    }),
    async (c) => {
      const chains = await nodeops.fleet.listChains();
      return c.json({ object: 'list' as const, data: chains.map(chainJson) }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/v1/nodeops/chains/{key}',
      tags: ['Node operations'],
      summary: 'Remove a chain (it must have no nodes)',
      access: WRITE,
      request: { params: KeyParam },
      responses: {
        200: json('Removed', z.object({ key: z.string(), deleted: z.literal(true) })),
      },
    }),
    async (c) => {
      const { key } = c.req.valid('param');
      unwrap(await nodeops.fleet.removeChain(key, actorOf(requireUser(c))), nodeopsApiError);
      return c.json({ key, deleted: true as const }, 200);
    },
  );
}
