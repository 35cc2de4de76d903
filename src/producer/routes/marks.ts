import { defineRoute } from '../../platform/http/access.js';
import type { HttpApp } from '../../platform/http/app.js';
import {
  jsonBody,
  jsonResponse as json,
  requireUser as caller,
} from '../../platform/http/route-helpers.js';
import { unwrap } from '../../platform/http/errors.js';
import { producerApiError } from '../errors.js';
import { ChainParam, MarkInterchangeSchema } from '../schemas.js';
import type { ProducerService } from '../service.js';
import { PRODUCER_ROLES } from './roles.js';

/** The high-water mark, exported and imported in the interchange format. */
export function registerMarkRoutes(app: HttpApp, deps: { producer: ProducerService }): void {
  app.openapi(
    defineRoute({
      method: 'get',
      path: '/v1/producer/chains/{chain}/mark',
      tags: ['Producer'],
      summary: 'Export the high-water mark',
      access: { roles: PRODUCER_ROLES, scope: 'producer:read' },
      request: { params: ChainParam },
      responses: { 200: json('The mark', MarkInterchangeSchema) },
    }),
    async (c) => {
      const { chain } = c.req.valid('param');
      return c.json(unwrap(await deps.producer.exportMark(chain), producerApiError), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'put',
      path: '/v1/producer/chains/{chain}/mark',
      tags: ['Producer'],
      summary: 'Import a high-water mark',
      description:
        'Raises the mark (after moving a validator in from another signer). A mark at or below the current one is refused (`mark_stale`). Audited.',
      access: { roles: ['admin'], scope: 'producer:write' },
      request: { params: ChainParam, ...jsonBody(MarkInterchangeSchema) },
      responses: { 200: json('The mark now', MarkInterchangeSchema) },
    }),
    async (c) => {
      const { chain } = c.req.valid('param');
      const r = await deps.producer.importMark(chain, c.req.valid('json'), {
        type: 'user',
        id: caller(c).userId,
      });
      return c.json(unwrap(r, producerApiError), 200);
    },
  );
}
