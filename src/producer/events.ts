import { defineEvents } from '../platform/events/registry.js';

const none = () => [];

/** The producer module's events: operators act on every one of them. */
export const PRODUCER_EVENT_REGISTRY = defineEvents('producer', [
  {
    type: 'producer.region.activated',
    description:
      'A region became the active block producer of a chain (it holds the etcd lease and may sign)',
    payload: 'chain, region, reason',
    owners: none,
    visibility: 'public',
    operator: true,
  },
  {
    type: 'producer.region.deactivated',
    description:
      'A region stopped being the active producer of a chain: switchover, shutdown, or an involuntary loss (renewal failed, lease expired, fence failed)',
    payload: 'chain, region, reason',
    owners: none,
    visibility: 'public',
    operator: true,
  },
  {
    type: 'producer.double_sign_attempt',
    description:
      'The signer refused a different block id at a height/round/step already signed: two producers were live at once. Page someone',
    payload: 'chain, region, height, round, step, block_id, signed_block_id, signed_region',
    owners: none,
    visibility: 'public',
    operator: true,
  },
  {
    type: 'producer.failover.health',
    description:
      'The active region handed the producer role to a healthy region because the node-ops checks found its validator node out of consensus (or banned) for longer than producerFailoverAfterSeconds',
    payload: 'chain, from, to, reason, decided_at',
    owners: none,
    visibility: 'public',
    operator: true,
  },
  {
    type: 'producer.switchover.requested',
    description: 'An operator asked for a switchover (drain one region, promote another)',
    payload: 'chain, to, from, by',
    owners: none,
    visibility: 'public',
    operator: true,
  },
  {
    type: 'producer.mark.imported',
    description: "A chain's high-water mark was raised by an import",
    payload: 'chain, height, round, step, by',
    owners: none,
    visibility: 'public',
    operator: true,
  },
]);
