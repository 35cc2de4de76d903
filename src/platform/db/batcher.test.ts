import { describe, expect, it } from 'vitest';
import { createBatcher } from './batcher.js';

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('createBatcher', () => {
  it('sends calls made in the same turn as one batch, results in order', async () => {
    const batches: number[][] = [];
    const b = createBatcher<number, number>(
      (items) => {
        batches.push(items);
        return Promise.resolve(items.map((x) => x * 10));
      },
      { maxBatch: 100, maxInFlight: 1 },
    );
    const results = await Promise.all([1, 2, 3, 4].map((x) => b.submit(x)));
    expect(results).toEqual([10, 20, 30, 40]);
    expect(batches).toEqual([[1, 2, 3, 4]]);
  });

  it('opens a second lane only once openLaneAt calls wait; fewer ride the next batch', async () => {
    const gates: ReturnType<typeof deferred<undefined>>[] = [];
    const batches: number[][] = [];
    const b = createBatcher<number, number>(
      async (items) => {
        batches.push(items);
        const gate = deferred<undefined>();
        gates.push(gate);
        await gate.promise;
        return items;
      },
      { maxBatch: 100, maxInFlight: 2, openLaneAt: 3 },
    );
    const turn = () => new Promise((r) => setImmediate(r));
    // An idle batcher sends at once, alone.
    const all = [b.submit(1)];
    await turn();
    expect(batches).toEqual([[1]]);
    // Two wait while the first is in flight: the second lane stays shut.
    all.push(b.submit(2), b.submit(3));
    await turn();
    expect(batches).toEqual([[1]]);
    // A third: three wait, and they go together on the second lane.
    all.push(b.submit(4));
    await turn();
    expect(batches).toEqual([[1], [2, 3, 4]]);
    // One more waits: while any batch is in flight, one call alone does not go.
    all.push(b.submit(5));
    gates[0]?.resolve(undefined);
    for (let i = 0; i < 20; i++) await turn();
    expect(batches).toHaveLength(2);
    // Nothing in flight: it goes at once.
    gates[1]?.resolve(undefined);
    for (let i = 0; i < 20 && batches.length < 3; i++) await turn();
    expect(batches).toEqual([[1], [2, 3, 4], [5]]);
    for (const g of gates) g.resolve(undefined);
    expect(await Promise.all(all)).toEqual([1, 2, 3, 4, 5]);
  });

  it('queues calls that arrive while a batch is in flight into the next one', async () => {
    const gate = deferred<undefined>();
    const batches: number[][] = [];
    const b = createBatcher<number, number>(
      async (items) => {
        batches.push(items);
        if (batches.length === 1) await gate.promise;
        return items;
      },
      { maxBatch: 100, maxInFlight: 1 },
    );
    const first = b.submit(1);
    await new Promise((r) => setImmediate(r));
    const rest = [2, 3, 4].map((x) => b.submit(x));
    await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([[1]]); // 2, 3, 4 wait for the lane
    gate.resolve(undefined);
    expect(await Promise.all([first, ...rest])).toEqual([1, 2, 3, 4]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
    expect(b.stats()).toEqual({ batches: 2, items: 4, largest: 3 });
  });

  it('caps batch size and keeps lanes distinct among batches in flight', async () => {
    const inFlightLanes = new Set<number>();
    const seenTogether: number[][] = [];
    const sizes: number[] = [];
    const b = createBatcher<number, number>(
      async (items, lane) => {
        expect(inFlightLanes.has(lane)).toBe(false);
        inFlightLanes.add(lane);
        seenTogether.push([...inFlightLanes]);
        sizes.push(items.length);
        await new Promise((r) => setTimeout(r, 5));
        inFlightLanes.delete(lane);
        return items;
      },
      { maxBatch: 3, maxInFlight: 2 },
    );
    const all = await Promise.all(Array.from({ length: 20 }, (_, i) => b.submit(i)));
    expect(all).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(Math.max(...sizes)).toBe(3);
    expect(Math.max(...seenTogether.map((l) => l.length))).toBe(2);
    for (const lanes of seenTogether) for (const l of lanes) expect([0, 1]).toContain(l);
  });

  it('spreads a queue over free lanes down to minBatch', async () => {
    const sizes: number[] = [];
    const b = createBatcher<number, number>(
      (items) => {
        sizes.push(items.length);
        return Promise.resolve(items);
      },
      { maxBatch: 100, maxInFlight: 4, minBatch: 2 },
    );
    await Promise.all(Array.from({ length: 8 }, (_, i) => b.submit(i)));
    expect(sizes).toEqual([2, 2, 2, 2]);
  });

  it('rejects every item of a batch whose run fails, and keeps serving', async () => {
    let fail = true;
    const b = createBatcher<number, number>(
      (items) => (fail ? Promise.reject(new Error('db down')) : Promise.resolve(items)),
      { maxBatch: 10, maxInFlight: 1 },
    );
    const failed = await Promise.allSettled([b.submit(1), b.submit(2)]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await b.submit(3)).toBe(3);
  });

  it('drain waits for everything submitted', async () => {
    const done: number[] = [];
    const b = createBatcher<number, number>(
      async (items) => {
        await new Promise((r) => setTimeout(r, 10));
        done.push(...items);
        return items;
      },
      { maxBatch: 2, maxInFlight: 1 },
    );
    for (let i = 0; i < 5; i++) void b.submit(i);
    await b.drain();
    expect(done).toEqual([0, 1, 2, 3, 4]);
    await b.drain(); // idle: resolves at once
  });
});
