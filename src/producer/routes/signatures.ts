import { defineRoute } from '../../platform/http/access.js';
import type { HttpApp } from '../../platform/http/app.js';
import { jsonBody, jsonResponse as json } from '../../platform/http/route-helpers.js';
import { unwrap } from '../../platform/http/errors.js';
import { producerApiError } from '../errors.js';
import { signatureJson } from '../json.js';
import { ChainParam, SignatureSchema, SignRequestSchema } from '../schemas.js';
import type { ProducerService } from '../service.js';
import { PRODUCER_ROLES } from './roles.js';

/** The remote signer: a producer asks for each vote and proposal. */
export function registerSignatureRoutes(app: HttpApp, deps: { producer: ProducerService }): void {
  app.openapi(
    defineRoute({
      method: 'post',
      path: '/v1/producer/chains/{chain}/signatures',
      tags: ['Producer'],
      summary: 'Sign a vote or proposal',
      description:
        'Signs only in the active region and only above the chain’s shared high-water mark, which is advanced in the same etcd transaction that checks this region still holds the lease. The same request again returns the same signature; a different block at a signed height/round/step is refused (`double_sign_attempt`) and alerts.',
      access: { roles: PRODUCER_ROLES, scope: 'producer_signatures:write' },
      request: { params: ChainParam, ...jsonBody(SignRequestSchema) },
      responses: { 200: json('The signature', SignatureSchema) },
    }),
    async (c) => {
      const { chain } = c.req.valid('param');
      const body = c.req.valid('json');
      const r = await deps.producer.sign(chain, {
        signBytes: Buffer.from(body.sign_bytes, 'base64'),
        height: body.height === undefined ? undefined : BigInt(body.height),
        round: body.round,
        step: body.step,
        blockId: body.block_id,
      });
      return c.json(signatureJson(unwrap(r, producerApiError)), 200);
    },
  );
}
