import type { Logger } from './observability/logger.js';

/**
 * Ordered shutdown. Components register a stop step as they start; on SIGTERM/SIGINT the
 * steps run in reverse order (last started, first stopped), each bounded by the overall
 * deadline, so the process always exits. A second signal exits at once.
 */
export interface Lifecycle {
  onStop(name: string, step: () => Promise<void>): void;
  /** True once shutdown has begun: readiness turns false, workers stop claiming. */
  readonly stopping: boolean;
  stop(reason: string): Promise<void>;
  /** Installs the signal handlers; `exit` is called with the exit code when done. */
  handleSignals(exit: (code: number) => void): void;
}

export function createLifecycle(deps: { logger: Logger; timeoutMs: number }): Lifecycle {
  const steps: { name: string; step: () => Promise<void> }[] = [];
  let stopping = false;
  let stopped: Promise<void> | undefined;

  const lifecycle: Lifecycle = {
    onStop(name, step) {
      steps.push({ name, step });
    },
    get stopping() {
      return stopping;
    },
    stop(reason) {
      if (stopped) return stopped;
      stopping = true;
      deps.logger.info({ reason }, 'shutting down');
      const deadline = Date.now() + deps.timeoutMs;
      stopped = (async () => {
        for (const { name, step } of [...steps].reverse()) {
          const left = Math.max(0, deadline - Date.now());
          let timer: NodeJS.Timeout | undefined;
          try {
            await Promise.race([
              step(),
              new Promise<void>((_, reject) => {
                timer = setTimeout(() => {
                  reject(new Error(`timed out after ${left} ms`));
                }, left);
              }),
            ]);
            deps.logger.info({ component: name }, 'stopped');
          } catch (err) {
            deps.logger.error({ err, component: name }, 'stop step failed');
          } finally {
            clearTimeout(timer);
          }
        }
      })();
      return stopped;
    },
    handleSignals(exit) {
      const onSignal = (signal: NodeJS.Signals) => {
        if (stopping) {
          deps.logger.warn({ signal }, 'second signal: exiting now');
          exit(1);
          return;
        }
        void lifecycle.stop(signal).then(() => {
          exit(0);
        });
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    },
  };
  return lifecycle;
}
