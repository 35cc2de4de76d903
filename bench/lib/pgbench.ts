import { spawnSync } from 'node:child_process';

/**
 * PostgreSQL's own `pgbench` as a baseline measured in the same run: its built-in
 * TPC-B-like transaction (three UPDATEs, a SELECT and an INSERT in one transaction).
 */

export interface PgbenchOptions {
  /** Connection URL of the scratch database (initialised by `pgbenchInit`). */
  url: string;
  binary?: string;
}

function run(binary: string, args: string[], timeoutMs: number): string {
  const r = spawnSync(binary, args, { encoding: 'utf8', timeout: timeoutMs });
  if (r.error) throw r.error;
  if (r.status !== 0)
    throw new Error(`${binary} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return `${r.stdout}\n${r.stderr}`;
}

/** `pgbench -i -s scale`: creates and fills the pgbench tables. */
export function pgbenchInit(o: PgbenchOptions, scale: number): void {
  run(o.binary ?? 'pgbench', ['-i', '-q', '-s', String(scale), o.url], 300_000);
}

/** `pgbench -c N -j N -T seconds -n`; returns transactions per second. */
export function pgbenchTps(o: PgbenchOptions, clients: number, seconds: number): number {
  const out = run(
    o.binary ?? 'pgbench',
    ['-c', String(clients), '-j', String(clients), '-T', String(seconds), '-n', o.url],
    (seconds + 60) * 1000,
  );
  const m =
    /tps = ([0-9.]+) \((?:without initial connection time|excluding connections establishing)\)/.exec(
      out,
    );
  if (!m?.[1]) throw new Error(`could not read tps from pgbench output:\n${out}`);
  return Number(m[1]);
}
