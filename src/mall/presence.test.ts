import { describe, expect, it } from 'vitest';
import { isFailure } from '../platform/failure.js';
import { createPresenceHub, PresenceError, type PresenceFrame, type Visitor } from './presence.js';

const AT = { level: 0, x: 1, z: 2, yaw: 0.5 };

function hub(limits: Partial<Parameters<typeof createPresenceHub>[0]> = {}) {
  const clock = { now: 1_000_000 };
  const h = createPresenceHub(
    { maxVisitors: 10, perVisitorPerSecond: 5, totalPerSecond: 100, ...limits },
    () => clock.now,
  );
  const join = (): Visitor => {
    const v = h.join();
    if (isFailure(v)) throw new Error(v.code);
    return v;
  };
  return { h, clock, join };
}

describe('presence in the mall: positions only, every rate bounded', () => {
  it('refuses the visitor after the cap, and lets one in again when someone leaves', () => {
    const { h, join } = hub({ maxVisitors: 3 });
    const first = join();
    join();
    join();
    const fourth = h.join();
    expect(isFailure(fourth) && fourth.code).toBe(PresenceError.Full);
    h.leave(first.id);
    expect(isFailure(h.join())).toBe(false);
    expect(h.visitors()).toBe(3);
  });

  it('takes at most the per-visitor rate (a one-second burst), then the steady rate', () => {
    const { h, clock, join } = hub({ perVisitorPerSecond: 5 });
    const v = join();
    const results = Array.from({ length: 20 }, () => h.move(v.id, v.token, AT));
    expect(results.filter((r) => r === undefined)).toHaveLength(5);
    expect(
      results.slice(5).every((r) => isFailure(r) && r.code === PresenceError.RateLimited),
    ).toBe(true);
    clock.now += 400; // 2 tokens back at 5 a second
    const later = Array.from({ length: 5 }, () => h.move(v.id, v.token, AT));
    expect(later.filter((r) => r === undefined)).toHaveLength(2);
  });

  it('caps all visitors together at the total rate, whoever sends', () => {
    const { h, clock, join } = hub({ maxVisitors: 50, perVisitorPerSecond: 5, totalPerSecond: 30 });
    const visitors = Array.from({ length: 50 }, join);
    let accepted = 0;
    for (const v of visitors) if (h.move(v.id, v.token, AT) === undefined) accepted += 1;
    expect(accepted).toBe(30);
    // A refusal by the total bound does not spend the visitor's own budget.
    clock.now += 100; // 3 total tokens back
    const late = visitors[49] as Visitor;
    expect(h.move(late.id, late.token, AT)).toBeUndefined();
  });

  it('moves a visitor only with its own token', () => {
    const { h, join } = hub();
    const a = join();
    const b = join();
    const wrong = h.move(a.id, b.token, { ...AT, x: 99 });
    expect(isFailure(wrong) && wrong.code).toBe(PresenceError.UnknownVisitor);
    const gone = h.move('vis_nobody', a.token, AT);
    expect(isFailure(gone) && gone.code).toBe(PresenceError.UnknownVisitor);
    expect(h.snapshot().moved).toEqual([]);
  });

  it('sends one frame per tick with only who moved or left, and nothing when nobody did', () => {
    const { h, join } = hub();
    const frames: PresenceFrame[] = [];
    h.subscribe((f) => frames.push(f));
    const a = join();
    const b = join();
    // Four updates from a between two ticks: one entry, the last position.
    for (const x of [1, 2, 3, 4]) expect(h.move(a.id, a.token, { ...AT, x })).toBeUndefined();
    h.tick();
    expect(frames).toEqual([{ moved: [{ id: a.id, ...AT, x: 4 }], left: [] }]);
    h.tick();
    expect(frames).toHaveLength(1);
    h.leave(b.id);
    h.tick();
    expect(frames[1]).toEqual({ moved: [], left: [b.id] });
  });

  it('holds and sends no personal data: an opaque id and a position, nothing else', () => {
    const { h, join } = hub();
    const a = join();
    expect(a.id).toMatch(/^vis_[A-Za-z0-9_-]{12}$/);
    h.move(a.id, a.token, AT);
    const [entry] = h.snapshot().moved;
    expect(Object.keys(entry ?? {}).sort()).toEqual(['id', 'level', 'x', 'yaw', 'z']);
    expect(h.snapshot(a.id).moved).toEqual([]);
  });
});
