import { describe, expect, it } from 'vitest';
import { decideFailover, mayCampaign, type RegionHealth } from './health.js';

const policy = {
  unhealthyForMs: 30_000,
  healthyForMs: 10_000,
  cooldownMs: 300_000,
  whenAllUnhealthy: false,
};
const NOW = 1_000_000;
const sick = (region: string, forMs: number, reason = 'stalled'): RegionHealth => ({
  region,
  state: 'unhealthy',
  banned: false,
  since: NOW - forMs,
  reason,
});
const well = (region: string): RegionHealth => ({ region, state: 'healthy', banned: false });
const decide = (
  regions: RegionHealth[],
  o: { healthyForMs?: Record<string, number>; last?: number; whenAllUnhealthy?: boolean } = {},
) =>
  decideFailover({
    self: 'eu',
    regions,
    healthySince: new Map(
      Object.entries(o.healthyForMs ?? { us: 60_000, ap: 60_000 }).map(([r, ms]) => [r, NOW - ms]),
    ),
    lastFailoverAt: o.last,
    now: NOW,
    policy: { ...policy, whenAllUnhealthy: o.whenAllUnhealthy ?? false },
  });

describe('the health failover decision', () => {
  it('hands over to a healthy region only once the active one was out of consensus long enough', () => {
    expect(decide([sick('eu', 29_000), well('us')])).toEqual({ action: 'stay', why: 'not_yet' });
    expect(decide([sick('eu', 31_000), well('us')])).toEqual({
      action: 'hand_over',
      to: 'us',
      reason: 'out of consensus for 31 s (stalled)',
    });
  });

  it('needs the target healthy for a while, and keeps the cooldown between failovers', () => {
    expect(decide([sick('eu', 60_000), well('us')], { healthyForMs: { us: 2000 } })).toEqual({
      action: 'stay',
      why: 'no_target',
    });
    expect(decide([sick('eu', 60_000), well('us')], { last: NOW - 100_000 })).toEqual({
      action: 'stay',
      why: 'cooldown',
    });
  });

  it('stays while every other region is unhealthy, unless configured; never picks a banned one', () => {
    const regions = [sick('eu', 60_000), sick('us', 50_000), sick('ap', 5_000)];
    expect(decide(regions)).toEqual({ action: 'stay', why: 'no_target' });
    expect(decide(regions, { whenAllUnhealthy: true })).toMatchObject({
      action: 'hand_over',
      to: 'ap',
    });
    const bannedUs = { ...well('us'), banned: true };
    expect(decide([sick('eu', 60_000), bannedUs])).toEqual({ action: 'stay', why: 'no_target' });
  });

  it('a banned active region hands over at once; unknown health moves nothing', () => {
    expect(
      decide([{ region: 'eu', state: 'unhealthy', banned: true, reason: 'ops' }, well('us')]),
    ).toMatchObject({ action: 'hand_over', to: 'us', reason: 'banned: ops' });
    expect(decide([{ region: 'eu', state: 'unknown', banned: false }, well('us')])).toEqual({
      action: 'stay',
      why: 'unknown',
    });
  });

  it('gates campaigns: never banned, not unhealthy while another region is healthy', () => {
    expect(mayCampaign('eu', [{ region: 'eu', state: 'healthy', banned: true }])).toBe(false);
    expect(mayCampaign('eu', [sick('eu', 1), well('us')])).toBe(false);
    expect(mayCampaign('eu', [sick('eu', 1), sick('us', 1)])).toBe(true);
    expect(mayCampaign('eu', [{ region: 'eu', state: 'unknown', banned: false }])).toBe(true);
    expect(mayCampaign('eu', [])).toBe(true);
  });
});
