import { z } from '@hono/zod-openapi';
import { bigintString } from '../platform/http/route-helpers.js';

export const ProducerChainKey = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/)
  .openapi({ param: { name: 'chain', in: 'path' }, example: 'cosmoshub-4' });

export const ChainParam = z.object({ chain: ProducerChainKey });

const base64 = z
  .string()
  .max(16_384)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');

export const SignRequestSchema = z
  .object({
    sign_bytes: base64.openapi({
      description:
        'The bytes to sign, base64: CometBFT canonical vote/proposal sign bytes for a `cometbft` chain (height, round, step and block id are read from them), the payload for a `raw` chain',
    }),
    height: bigintString().optional(),
    round: z.number().int().min(0).max(2_147_483_647).optional(),
    step: z.number().int().min(0).max(255).optional(),
    block_id: z.string().max(300).optional().openapi({
      description: '`<hash hex>:<parts total>:<parts hash hex>`, or empty for nil',
    }),
  })
  .openapi('ProducerSignRequest');

export const SignatureSchema = z
  .object({
    object: z.literal('producer_signature'),
    chain: z.string(),
    height: z.string(),
    round: z.number(),
    step: z.number(),
    block_id: z.string(),
    signature: z.string().openapi({ description: 'base64' }),
    signed_bytes: z.string().openapi({
      description:
        'base64 of the bytes signed: the request’s, or on a repeat those signed the first time (a CometBFT vote repeated with a new timestamp gets the first one back)',
    }),
    repeat: z.boolean(),
    region: z.string(),
  })
  .openapi('ProducerSignature');

export const MarkSchema = z
  .object({
    height: z.string(),
    round: z.number(),
    step: z.number(),
    block_id: z.string(),
    region: z.string(),
    at: z.string(),
  })
  .openapi('ProducerMark');

export const RegionHealthSchema = z
  .object({
    region: z.string(),
    state: z.enum(['healthy', 'unhealthy', 'unknown']).openapi({
      description:
        'From the node-ops checks of the region’s validator nodes; unknown: none watched, or the checks are stale',
    }),
    in_consensus: z.boolean().nullable(),
    down: z
      .boolean()
      .nullable()
      .openapi({ description: 'Every validator node of the region not banned is unreachable' }),
    banned: z.boolean().openapi({
      description: 'Every validator node of the region is banned: never made active',
    }),
    reason: z.string().nullable().openapi({ example: 'stalled,lagging' }),
    out_of_consensus_since: z.string().nullable(),
    last_healthy_at: z.string().nullable().openapi({
      description: 'Last time a check found the region in consensus',
    }),
    checked_at: z
      .string()
      .nullable()
      .openapi({ description: 'Newest check of its validator nodes' }),
  })
  .openapi('ProducerRegionHealth');

export const ChainStatusSchema = z
  .object({
    object: z.literal('producer_chain'),
    chain: z.string(),
    algorithm: z.enum(['ed25519', 'secp256k1']),
    format: z.enum(['cometbft', 'raw']),
    public_key: z.string().nullable(),
    region: z.string().nullable(),
    active_region: z.string().nullable(),
    local_state: z.string().nullable(),
    safe_for_ms: z.number().nullable(),
    mark: MarkSchema.nullable(),
    regions: z.array(RegionHealthSchema).nullable().openapi({
      description:
        'Each region’s health as the node-ops checks see it (what health-driven failover decides on); null without node-ops data',
    }),
  })
  .openapi('ProducerChain');

export const SwitchoverRequestSchema = z
  .object({
    to: z.string().max(32).optional().openapi({ description: 'Region to promote' }),
    from: z.string().max(32).optional().openapi({ description: 'Region to drain' }),
  })
  .openapi('ProducerSwitchoverRequest');

export const SwitchoverSchema = z
  .object({
    object: z.literal('producer_switchover'),
    chain: z.string(),
    to: z.string().nullable(),
    from: z.string().nullable(),
    expires_at: z.string(),
  })
  .openapi('ProducerSwitchover');

export const MarkInterchangeSchema = z
  .object({
    format: z.literal('vaultwire.producer.mark.v1'),
    chain: z.string(),
    public_key: z.string().optional(),
    mark: z.object({
      height: z.string(),
      round: z.number(),
      step: z.number(),
      block_id: z.string().optional(),
    }),
  })
  .openapi('ProducerMarkInterchange');

export const KeyRequestSchema = z
  .object({
    private_key: z.string().max(66).optional().openapi({
      description: '32 bytes, hex, to import; without it a key is generated',
    }),
  })
  .openapi('ProducerKeyRequest');

export const KeySchema = z
  .object({
    object: z.literal('producer_key'),
    chain: z.string(),
    algorithm: z.enum(['ed25519', 'secp256k1']),
    public_key: z.string(),
  })
  .openapi('ProducerKey');
