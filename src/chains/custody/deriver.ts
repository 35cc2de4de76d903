import { Worker } from 'node:worker_threads';
import type { Logger } from '../../platform/observability/logger.js';
import type { DeriveReply, DeriveRequest } from './derive-worker.js';
import { depositAddressFromXpub } from './hd.js';

/**
 * Deposit-address derivation off the event loop. One address is ~0.3 ms of elliptic-curve
 * arithmetic; at a thousand invoice creations a second that was a third of the API
 * process's CPU (profiled), all of it on the thread that serves the requests. A worker
 * thread does it instead, in batches, for the custody service's pool of ready addresses.
 */
export interface AddressDeriver {
  /** The addresses of `indexes` under the account-level `xpub`, in the same order. */
  derive(xpub: string, indexes: readonly number[]): Promise<string[]>;
  /** Starts its worker now, so the first refill does not wait for it (else: on first use). */
  start(): void;
}

/** Addresses derived per turn of the event loop when there is no worker. */
const INLINE_SLICE = 4;

/** On this thread, a few per turn of the event loop so requests interleave. */
async function deriveInline(xpub: string, indexes: readonly number[]): Promise<string[]> {
  const out: string[] = [];
  for (const index of indexes) {
    out.push(depositAddressFromXpub(xpub, index));
    if (out.length % INLINE_SLICE === 0) {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  return out;
}

/**
 * The worker for this build: the compiled `derive-worker.js` beside this file, or, when
 * running from TypeScript sources (tsx, tests), the `.ts` file behind tsx's loader, which a
 * worker does not inherit from its parent.
 */
function spawnWorker(): Worker {
  const here = import.meta.url;
  if (here.endsWith('.js')) return new Worker(new URL('./derive-worker.js', here));
  const source = new URL('./derive-worker.ts', here).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  return new Worker(
    `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(source)}); });`,
    { eval: true },
  );
}

/**
 * A deriver on one worker thread, started on first use, keeping the process alive only
 * while it owes answers. If the worker cannot start or dies, it derives on this thread from then on
 * (logged once): slower, never wrong.
 */
export function createAddressDeriver(logger: Logger): AddressDeriver {
  let worker: Worker | undefined;
  let failed = false;
  let nextId = 0;
  const waiting = new Map<
    number,
    { xpub: string; indexes: readonly number[]; done: (r: Promise<string[]>) => void }
  >();

  const giveUp = (err: unknown) => {
    if (failed) return;
    failed = true;
    worker = undefined;
    logger.warn({ err }, 'deposit-address worker unavailable; deriving on the main thread');
    // What the worker held is derived here instead.
    for (const w of waiting.values()) w.done(deriveInline(w.xpub, w.indexes));
    waiting.clear();
  };

  const start = (): Worker | undefined => {
    try {
      const w = spawnWorker();
      w.on('message', (reply: DeriveReply) => {
        const entry = waiting.get(reply.id);
        if (!entry) return;
        waiting.delete(reply.id);
        if (waiting.size === 0) w.unref();
        entry.done(
          'addresses' in reply
            ? Promise.resolve(reply.addresses)
            : Promise.reject(new Error(`deposit-address worker: ${reply.error}`)),
        );
      });
      w.on('error', giveUp);
      w.on('exit', (code) => {
        giveUp(new Error(`deposit-address worker exited with code ${code}`));
      });
      // Held (ref'd) only while it owes answers: an idle worker must not keep a stopping
      // process alive, and one with work pending must not let it exit under an await.
      // After the listeners, since adding a 'message' listener refs the worker again.
      w.unref();
      return w;
    } catch (err) {
      giveUp(err);
      return undefined;
    }
  };

  return {
    start() {
      if (!failed) worker ??= start();
    },
    derive(xpub, indexes) {
      if (failed) return deriveInline(xpub, indexes);
      worker ??= start();
      const w = worker;
      if (!w) return deriveInline(xpub, indexes);
      return new Promise<string[]>((resolve, reject) => {
        const id = nextId++;
        if (waiting.size === 0) w.ref();
        waiting.set(id, { xpub, indexes, done: (r) => void r.then(resolve, reject) });
        const request: DeriveRequest = { id, xpub, indexes: [...indexes] };
        w.postMessage(request);
      });
    },
  };
}
