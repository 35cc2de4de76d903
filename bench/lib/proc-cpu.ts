/**
 * CPU of this process and of the PostgreSQL backends serving one database, from /proc
 * (Linux): what a benchmark's work costs in CPU, a figure a shared machine's load blurs
 * far less than a rate does.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const CLK_TCK =
  Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** CPU seconds (user + system) process `pid` has used so far. */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/**
 * CPU seconds so far of each backend serving `database`, found by its process title
 * (`postgres: … <user> <database> <client> …`). Backends that exit between two readings
 * drop out, so the pool must stay open while measuring.
 */
export function databaseCpu(database: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const title = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!title.startsWith('postgres:') || !title.includes(` ${database} `)) continue;
      out.set(Number(entry), processCpuSeconds(Number(entry)));
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

export interface CpuSpent {
  /** This process (the services and the driver), user + system. */
  nodeSeconds: number;
  /** The database's backends. */
  databaseSeconds: number;
}

/** Starts counting; the returned function gives the CPU spent since. */
export function cpuSince(database: string | undefined): () => CpuSpent {
  const node = process.cpuUsage();
  const db = database === undefined ? new Map<number, number>() : databaseCpu(database);
  return () => {
    const n = process.cpuUsage(node);
    let databaseSeconds = 0;
    if (database !== undefined) {
      for (const [pid, cpu] of databaseCpu(database)) databaseSeconds += cpu - (db.get(pid) ?? 0);
    }
    return { nodeSeconds: (n.user + n.system) / 1e6, databaseSeconds };
  };
}
