import { spawn } from 'node:child_process';

/**
 * The region's producer adapter: what Vaultwire runs when this region becomes active
 * (start the block producer) or stops being active (stop it). Commands run with
 * `/bin/sh -c`, with VW_PRODUCER_CHAIN, VW_PRODUCER_REGION and VW_PRODUCER_REASON set;
 * one at a time per chain, in order, each under a timeout.
 */
export interface ProducerControl {
  activated(chain: string, reason: string): Promise<HookResult | undefined>;
  deactivated(chain: string, reason: string): Promise<HookResult | undefined>;
}

export interface ProducerHooks {
  startCommand?: string | undefined;
  stopCommand?: string | undefined;
}

export interface HookResult {
  command: string;
  exitCode: number | null;
  timedOut: boolean;
  output: string;
}

export function runCommand(
  command: string,
  env: Record<string, string>,
  timeoutMs: number,
): Promise<HookResult> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (d: Buffer) => {
      output = (output + d.toString('utf8')).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ command, exitCode: null, timedOut, output: err.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ command, exitCode: code, timedOut, output });
    });
  });
}

export function createCommandControl(o: {
  region: string;
  hooks: (chain: string) => ProducerHooks;
  timeoutMs: number;
  onResult?: (chain: string, event: 'start' | 'stop', r: HookResult) => void;
}): ProducerControl {
  const queues = new Map<string, Promise<unknown>>();
  const enqueue = <T>(chain: string, fn: () => Promise<T>): Promise<T> => {
    const prev = queues.get(chain) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    queues.set(
      chain,
      next.catch(() => {}),
    );
    return next;
  };
  const run = (chain: string, event: 'start' | 'stop', reason: string) =>
    enqueue(chain, async () => {
      const h = o.hooks(chain);
      const command = event === 'start' ? h.startCommand : h.stopCommand;
      if (!command) return undefined;
      const r = await runCommand(
        command,
        { VW_PRODUCER_CHAIN: chain, VW_PRODUCER_REGION: o.region, VW_PRODUCER_REASON: reason },
        o.timeoutMs,
      );
      o.onResult?.(chain, event, r);
      return r;
    });
  return {
    activated: (chain, reason) => run(chain, 'start', reason),
    deactivated: (chain, reason) => run(chain, 'stop', reason),
  };
}
