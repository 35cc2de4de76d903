import type { RegionHealth } from './health.js';
import type { Mark } from './mark.js';
import type { ChainStatus } from './service.js';
import type { Signature } from './signer.js';

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

export function signatureJson(s: Signature) {
  return {
    object: 'producer_signature' as const,
    chain: s.chain,
    height: s.height.toString(),
    round: s.round,
    step: s.step,
    block_id: s.blockId,
    signature: b64(s.signature),
    signed_bytes: b64(s.signedBytes),
    repeat: s.repeat,
    region: s.region,
  };
}

export function markJson(m: Mark) {
  return {
    height: m.height.toString(),
    round: m.round,
    step: m.step,
    block_id: m.blockId,
    region: m.region,
    at: new Date(m.at).toISOString(),
  };
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

export function regionHealthJson(r: RegionHealth) {
  return {
    region: r.region,
    state: r.state,
    in_consensus: r.state === 'unknown' ? null : r.state === 'healthy',
    down: r.down ?? null,
    banned: r.banned,
    reason: r.reason ?? null,
    out_of_consensus_since: iso(r.state === 'unhealthy' && !r.banned ? r.since : undefined),
    last_healthy_at: iso(r.lastHealthyAt),
    checked_at: iso(r.checkedAt),
  };
}

export function chainStatusJson(s: ChainStatus) {
  return {
    object: 'producer_chain' as const,
    chain: s.chain,
    algorithm: s.algorithm,
    format: s.format,
    public_key: s.publicKey ?? null,
    region: s.region ?? null,
    active_region: s.activeRegion ?? null,
    local_state: s.election?.state ?? null,
    safe_for_ms: s.election ? s.election.safeForMs : null,
    mark: s.mark ? markJson(s.mark) : null,
    regions: s.health ? s.health.map(regionHealthJson) : null,
  };
}
