import type { Logger } from '../../../platform/observability/logger.js';
import type { DeliveryEngine, EngineConsumer } from '../engine.js';

/**
 * An engine whose connection is made on first use (API-only processes never connect).
 * A failed connection is retried on the next use; a consumer keeps retrying until it
 * connects or is stopped.
 */
export function lazyNats(make: () => Promise<DeliveryEngine>, logger: Logger): DeliveryEngine {
  let engine: Promise<DeliveryEngine> | undefined;
  const get = () => {
    engine ??= make().catch((err: unknown) => {
      engine = undefined;
      throw err;
    });
    return engine;
  };
  return {
    kind: 'nats',
    initialState: 'queued',
    defersRows: true,
    async dispatch(items) {
      await (await get()).dispatch(items);
    },
    consume(options) {
      let inner: EngineConsumer | undefined;
      let stopped = false;
      // A function, so the checks after an await are not narrowed away.
      const isStopped = () => stopped;
      const started = (async () => {
        for (let failures = 1; !isStopped(); failures++) {
          try {
            const e = await get();
            if (!e.consume) throw new Error('engine cannot consume');
            if (!isStopped()) inner = e.consume(options);
            return;
          } catch (err) {
            logger.error({ err, failures }, 'cannot reach NATS; retrying');
            await new Promise((r) =>
              setTimeout(r, Math.min(30_000, 500 * 2 ** Math.min(failures, 6))),
            );
          }
        }
      })();
      return {
        async stop() {
          stopped = true;
          await started;
          await inner?.stop();
        },
      };
    },
    async backlog() {
      const e = await get();
      return e.backlog ? e.backlog() : { pending: 0, ackPending: 0 };
    },
    async close() {
      const e = engine ? await engine.catch(() => undefined) : undefined;
      await e?.close();
    },
  };
}
