/**
 * Group commit for single writes, the way TigerBeetle's client batches: calls that
 * arrive while earlier batches are in flight wait in a queue and go to the database
 * together as the next batch. Nothing waits on a timer: an idle batcher sends the
 * first call at once (after the current turn of the event loop, so calls made in the
 * same turn travel together), and the batch size grows only with the load. N
 * concurrent callers therefore cost about N / batch-size database transactions.
 *
 * `run` receives the items in arrival order and returns one result per item in the
 * same order. If it throws, every item of that batch rejects with the error. Its
 * `lane` (0 to maxInFlight - 1) is not used by any other batch in flight at the same
 * time, so batches can be given separate resources.
 */

export interface BatcherOptions {
  /** Most items per batch. */
  maxBatch: number;
  /** Batches in flight at once (each holds one database connection). */
  maxInFlight: number;
  /**
   * When several slots are free, the queue is spread over them (so one batch commits
   * while the next executes) but no batch is made smaller than this.
   */
  minBatch?: number;
  /**
   * While any batch is in flight, another goes only once this many items wait (default
   * 1); fewer wait until none is in flight and then go with whatever arrived meanwhile.
   * An idle batcher still sends its first item at once.
   */
  openLaneAt?: number;
}

export interface BatcherStats {
  batches: number;
  items: number;
  /** Largest batch sent so far. */
  largest: number;
}

export interface Batcher<I, O> {
  submit(item: I): Promise<O>;
  /** Resolves once everything submitted so far has settled. */
  drain(): Promise<void>;
  stats(): BatcherStats;
}

interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (reason: unknown) => void;
}

export function createBatcher<I, O>(
  run: (items: I[], lane: number) => Promise<O[]>,
  options: BatcherOptions,
): Batcher<I, O> {
  if (options.maxBatch < 1 || options.maxInFlight < 1) {
    throw new RangeError('maxBatch and maxInFlight must be at least 1');
  }
  const queue: Waiting<I, O>[] = [];
  let inFlight = 0;
  const lanes: boolean[] = Array.from({ length: options.maxInFlight }, () => false);
  let scheduled = false;
  const stats: BatcherStats = { batches: 0, items: 0, largest: 0 };
  let idle: (() => void)[] = [];

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    // setImmediate, not a microtask: callers whose previous call just resolved submit
    // their next one in microtasks of this turn, and should ride in the same batch.
    setImmediate(flush);
  }

  function flush(): void {
    scheduled = false;
    while (inFlight < options.maxInFlight && queue.length > 0) {
      if (inFlight > 0 && queue.length < (options.openLaneAt ?? 1)) break;
      const free = options.maxInFlight - inFlight;
      const size = Math.min(
        options.maxBatch,
        Math.max(options.minBatch ?? options.maxBatch, Math.ceil(queue.length / free)),
      );
      const batch = queue.splice(0, size);
      const lane = lanes.indexOf(false);
      lanes[lane] = true;
      inFlight++;
      stats.batches++;
      stats.items += batch.length;
      stats.largest = Math.max(stats.largest, batch.length);
      void send(batch, lane);
    }
  }

  async function send(batch: Waiting<I, O>[], lane: number): Promise<void> {
    try {
      const results = await run(
        batch.map((w) => w.item),
        lane,
      );
      if (results.length !== batch.length) {
        throw new Error(`batch returned ${results.length} results for ${batch.length} items`);
      }
      batch.forEach((w, i) => {
        w.resolve(results[i] as O);
      });
    } catch (err) {
      for (const w of batch) w.reject(err);
    } finally {
      lanes[lane] = false;
      inFlight--;
      if (queue.length > 0) schedule();
      else if (inFlight === 0) {
        const waiters = idle;
        idle = [];
        for (const done of waiters) done();
      }
    }
  }

  return {
    submit(item) {
      return new Promise<O>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        schedule();
      });
    },
    drain() {
      if (queue.length === 0 && inFlight === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        idle.push(resolve);
      });
    },
    stats: () => ({ ...stats }),
  };
}
