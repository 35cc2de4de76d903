import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface VaultwireProcess {
  proc: ChildProcess;
  /** Every stdout/stderr line so far. */
  lines: string[];
  /** Resolves with the first JSON log line (already seen or still to come) whose `msg` matches. */
  waitForLog(msg: string | RegExp, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string>;
  kill(signal?: NodeJS.Signals): void;
}

/**
 * Runs `src/bin/vaultwire.ts` (or another entry) from source in a child process with
 * the given environment, collecting its JSON log lines (or a compiled entry, `built`).
 */
export function spawnVaultwire(
  args: string[],
  env: Record<string, string>,
  entry = 'src/bin/vaultwire.ts',
  /** A compiled tree elsewhere: its folder, and node's flags instead of `--import tsx`. */
  built?: { cwd: string; nodeArgs: string[] },
): VaultwireProcess {
  const nodeArgs = built ? built.nodeArgs : ['--import', 'tsx'];
  const proc = spawn(process.execPath, [...nodeArgs, entry, ...args], {
    cwd: built?.cwd ?? REPO_ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: {
    match: (l: Record<string, unknown>) => boolean;
    resolve: (l: Record<string, unknown>) => void;
  }[] = [];
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      lines.push(line);
      let parsed: Record<string, unknown> | undefined;
      try {
        parsed = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      for (const w of [...waiters]) {
        if (w.match(parsed)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(parsed);
        }
      }
    }
  };
  proc.stdout.on('data', onData);
  proc.stderr.on('data', onData);
  const exited = new Promise<number | string>((resolve) => {
    proc.once('exit', (code, signal) => {
      resolve(code ?? signal ?? 'unknown');
    });
  });
  return {
    proc,
    lines,
    exited,
    kill: (signal = 'SIGTERM') => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    },
    waitForLog(msg, timeoutMs = 60_000) {
      const test = (m: unknown) =>
        typeof msg === 'string' ? m === msg : typeof m === 'string' && msg.test(m);
      for (const line of lines) {
        try {
          const parsed = JSON.parse(line) as Record<string, unknown>;
          if (test(parsed['msg'])) return Promise.resolve(parsed);
        } catch {
          // not a JSON line
        }
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(
            new Error(
              `no log "${String(msg)}" within ${timeoutMs} ms; output:\n${lines.slice(-30).join('\n')}`,
            ),
          );
        }, timeoutMs);
        void exited.then((code) => {
          clearTimeout(timer);
          reject(
            new Error(
              `process exited (${code}) before logging "${String(msg)}":\n${lines.slice(-30).join('\n')}`,
            ),
          );
        });
        waiters.push({
          match: (l) => test(l['msg']),
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
      });
    },
  };
}
