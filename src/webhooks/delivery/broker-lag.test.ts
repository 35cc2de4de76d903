import { describe, expect, it } from 'vitest';
import { createBrokerLag } from './broker-lag.js';

describe('queue lag of messages waiting in the broker', () => {
  it('reports the age of the message each first attempt sends, per endpoint', () => {
    let t = 100_000;
    const lag = createBrokerLag({ now: () => t });
    lag.attempted('whe_a', t - 2_500);
    lag.attempted('whe_b', t - 40);
    expect(lag.snapshot()).toEqual(
      new Map([
        ['whe_a', 2.5],
        ['whe_b', 0.04],
      ]),
    );
    // A newer attempt replaces the figure: the backlog has shrunk.
    t += 1_000;
    lag.attempted('whe_a', t - 100);
    expect(lag.snapshot().get('whe_a')).toBe(0.1);
  });

  it('forgets an endpoint once its messages stop coming while others flow', () => {
    let t = 0;
    const lag = createBrokerLag({ staleMs: 30_000, now: () => t });
    lag.attempted('whe_a', t - 9_000);
    t += 31_000;
    lag.attempted('whe_b', t - 10);
    expect([...lag.snapshot().keys()]).toEqual(['whe_b']);
  });

  it('forgets everything when the consumer is idle with room, keeps it when saturated', () => {
    let t = 0;
    let room = false;
    const lag = createBrokerLag({ staleMs: 30_000, now: () => t });
    lag.setIdleCheck(() => room);
    lag.attempted('whe_a', t - 60_000);
    t += 45_000;
    // Every slot busy (a stalled receiver, too few workers): the lag must not read zero.
    expect(lag.snapshot().get('whe_a')).toBe(60);
    room = true;
    expect(lag.snapshot().size).toBe(0);
  });
});
