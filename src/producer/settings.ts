import { z } from 'zod';
import { KubernetesTargetSchema } from './kubernetes.js';

export const RegionName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'must be lower-case letters, digits and -, up to 32');

/** One chain this region may produce for. */
export const ProducerChainSchema = z.object({
  key: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be lower-case letters, digits and -'),
  /** Ed25519 for CometBFT validators; secp256k1 where a chain needs it. */
  algorithm: z.enum(['ed25519', 'secp256k1']).default('ed25519'),
  /**
   * `cometbft`: requests carry canonical sign bytes, read for the HRS and block id.
   * `raw`: requests give height/round/step/block_id and the payload to sign.
   */
  format: z.enum(['cometbft', 'raw']).default('cometbft'),
  /** For `cometbft`: the chain id the sign bytes must name (unchecked when unset). */
  chainId: z.string().max(64).optional(),
  /** Run when this region becomes active (start the block producer). */
  startCommand: z.string().max(2000).optional(),
  /** Run when this region stops being active (stop it), before the lease is released. */
  stopCommand: z.string().max(2000).optional(),
  /**
   * The producer as a Kubernetes Deployment/StatefulSet of this region: scaled up when the
   * region becomes active, to 0 (and waited for) when it stops. Instead of the commands.
   */
  kubernetes: KubernetesTargetSchema.optional(),
  /** The node-ops chain whose `validator` nodes are this chain's producers (default: `key`). */
  nodeopsChain: z.string().max(64).optional(),
});
export type ProducerChain = z.infer<typeof ProducerChainSchema>;

export const ProducerChainsSchema = z.array(ProducerChainSchema).max(100);

/** The module's settings as its service takes them. */
export interface ProducerSettings {
  region: string | undefined;
  etcdEndpoints: string[];
  etcdPrefix: string;
  chains: ProducerChain[];
  leaseTtlSeconds: number;
  lockDelayMs: number;
  clockMarginPercent: number;
  pollMs: number;
  hookTimeoutMs: number;
  /** Health-driven failover (see health.ts); `unhealthyForMs` 0 turns it off. */
  healthFailover: {
    unhealthyForMs: number;
    healthyForMs: number;
    cooldownMs: number;
    whenAllUnhealthy: boolean;
    /** Node checks older than this count as unknown (the monitor is not running). */
    staleMs: number;
    /** How often each region looks at the checks. */
    pollMs: number;
  };
}

export const DEFAULT_PRODUCER_SETTINGS: ProducerSettings = {
  region: undefined,
  etcdEndpoints: [],
  etcdPrefix: '/vaultwire/producer',
  chains: [],
  leaseTtlSeconds: 5,
  lockDelayMs: 2000,
  clockMarginPercent: 20,
  pollMs: 250,
  hookTimeoutMs: 30_000,
  healthFailover: {
    unhealthyForMs: 30_000,
    healthyForMs: 30_000,
    cooldownMs: 300_000,
    whenAllUnhealthy: false,
    staleMs: 60_000,
    pollMs: 2_000,
  },
};
