import { webSocket } from 'viem';
import type { Logger } from '../../platform/observability/logger.js';
import { sleep } from '../sleep.js';

/**
 * What a caught-up follower waits on before polling again. Polling stays the source of
 * truth (every block is still read and linked by parent hash); a WebSocket `newHeads`
 * subscription only wakes the follower the moment a block appears instead of up to
 * `pollMs` later. When the socket fails, waits simply run to their timeout.
 */
export interface HeadSignal {
  /** Resolves on the next new head, after `ms`, or when `signal` aborts. */
  wait(ms: number, signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export const pollingHeads: HeadSignal = {
  wait: sleep,
  close: () => Promise.resolve(),
};

export function webSocketHeads(options: { url: string; logger: Logger }): HeadSignal {
  const log = options.logger.child({ ws: new URL(options.url).host });
  const transport = webSocket(options.url, {
    reconnect: { attempts: 1_000_000, delay: 2000 },
    keepAlive: { interval: 30_000 },
    retryCount: 0,
  })({ retryCount: 0 });
  const ws = transport.value;
  if (!ws) throw new Error('viem webSocket transport has no subscribe');
  let waiters: (() => void)[] = [];
  let subscription: Promise<{ unsubscribe: () => Promise<unknown> } | undefined> | undefined;
  let closed = false;

  const wakeAll = () => {
    const now = waiters;
    waiters = [];
    for (const w of now) w();
  };
  const subscribe = () => {
    subscription ??= ws
      .subscribe({
        params: ['newHeads'],
        onData: wakeAll,
        onError: (err: unknown) => {
          log.warn({ err }, 'newHeads subscription error; polling meanwhile');
        },
      })
      .catch((err: unknown) => {
        log.warn({ err }, 'cannot subscribe to newHeads; polling meanwhile');
        subscription = undefined;
        return undefined;
      });
  };

  return {
    wait(ms, signal) {
      if (!closed) subscribe();
      return new Promise<void>((resolve) => {
        if (signal.aborted) {
          resolve();
          return;
        }
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          waiters = waiters.filter((w) => w !== done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        signal.addEventListener('abort', done, { once: true });
        waiters.push(done);
      });
    },
    async close() {
      closed = true;
      wakeAll();
      const sub = await subscription;
      await sub?.unsubscribe().catch(() => undefined);
      const socket = await ws.getRpcClient().catch(() => undefined);
      socket?.close();
    },
  };
}
