import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSync } from 'node:fs';

/**
 * The fault test's and the benchmark's world: a 3-member etcd cluster of their own (so
 * killing members disturbs no other test) and region processes (region-process.ts), with
 * the faults they inject and the checks they run on the signature log.
 */

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

export function etcdBinary(): string {
  for (const dir of [
    resolve(REPO, '.test-data/tools'),
    ...(process.env['PATH'] ?? '').split(delimiter),
  ]) {
    if (dir && existsSync(join(dir, 'etcd'))) return join(dir, 'etcd');
  }
  throw new Error('no etcd binary: run `npm test` once (it installs Debian’s etcd-server)');
}

export interface Member {
  name: string;
  url: string;
  proc: ChildProcess | undefined;
  paused: boolean;
}

export interface Cluster {
  urls: string[];
  members: Member[];
  kill(i: number): void;
  start(i: number): void;
  pause(i: number): void;
  resume(i: number): void;
  healthy(i: number): Promise<boolean>;
  waitHealthy(): Promise<void>;
  stopAll(): Promise<void>;
}

/** A fresh 3-member cluster on `basePort`..`basePort+5`, data under .test-data. */
export async function startCluster(basePort: number): Promise<Cluster> {
  const bin = etcdBinary();
  const dataRoot = resolve(REPO, `.test-data/etcd-faults-${basePort}`);
  rmSync(dataRoot, { recursive: true, force: true });
  mkdirSync(dataRoot, { recursive: true });
  const defs = [0, 1, 2].map((i) => ({
    name: `f${i}`,
    client: basePort + 2 * i,
    peer: basePort + 2 * i + 1,
  }));
  const initial = defs.map((d) => `${d.name}=http://127.0.0.1:${d.peer}`).join(',');
  const members: Member[] = defs.map((d) => ({
    name: d.name,
    url: `http://127.0.0.1:${d.client}`,
    proc: undefined,
    paused: false,
  }));
  const args = (i: number) => {
    const d = defs[i];
    if (!d) throw new Error(`no member ${i}`);
    return [
      '--name',
      d.name,
      '--data-dir',
      join(dataRoot, d.name),
      '--listen-client-urls',
      `http://127.0.0.1:${d.client}`,
      '--advertise-client-urls',
      `http://127.0.0.1:${d.client}`,
      '--listen-peer-urls',
      `http://127.0.0.1:${d.peer}`,
      '--initial-advertise-peer-urls',
      `http://127.0.0.1:${d.peer}`,
      '--initial-cluster',
      initial,
      '--initial-cluster-token',
      `faults-${basePort}`,
      '--initial-cluster-state',
      'new',
      '--heartbeat-interval',
      '100',
      '--election-timeout',
      '1000',
    ];
  };
  const member = (i: number): Member => {
    const m = members[i];
    if (!m) throw new Error(`no member ${i}`);
    return m;
  };
  const cluster: Cluster = {
    urls: members.map((m) => m.url),
    members,
    start(i) {
      const m = member(i);
      if (m.proc) return;
      const out = openSync(join(dataRoot, `${m.name}.log`), 'a');
      m.proc = spawn(bin, args(i), { stdio: ['ignore', out, out] });
      m.paused = false;
      const p = m.proc;
      p.on('exit', () => {
        if (m.proc === p) m.proc = undefined;
      });
    },
    kill(i) {
      const m = member(i);
      m.proc?.kill('SIGKILL');
      m.proc = undefined;
      m.paused = false;
    },
    pause(i) {
      const m = member(i);
      if (m.proc && !m.paused) {
        m.proc.kill('SIGSTOP');
        m.paused = true;
      }
    },
    resume(i) {
      const m = member(i);
      if (m.proc && m.paused) {
        m.proc.kill('SIGCONT');
        m.paused = false;
      }
    },
    async healthy(i) {
      try {
        const r = await fetch(`${member(i).url}/health`, { signal: AbortSignal.timeout(1000) });
        return ((await r.json()) as { health?: string }).health === 'true';
      } catch {
        return false;
      }
    },
    async waitHealthy() {
      const end = Date.now() + 30_000;
      while (Date.now() < end) {
        const h = await Promise.all(members.map((_, i) => cluster.healthy(i)));
        if (h.every(Boolean)) return;
        await sleep(200);
      }
      throw new Error('etcd fault cluster did not become healthy');
    },
    async stopAll() {
      for (let i = 0; i < members.length; i++) {
        cluster.resume(i);
        cluster.kill(i);
      }
      await sleep(200);
      rmSync(dataRoot, { recursive: true, force: true });
    },
  };
  for (let i = 0; i < 3; i++) cluster.start(i);
  await cluster.waitHealthy();
  return cluster;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface RegionOptions {
  region: string;
  etcd: string[];
  root: string;
  log: string;
  epoch: number;
  key: string;
  ttl?: number;
  lockDelayMs?: number;
  clockRate?: number;
  clockMargin?: number;
  blockMs?: number;
  pollMs?: number;
}

export interface RegionProcess {
  readonly region: string;
  running(): boolean;
  paused(): boolean;
  start(): void;
  kill(): void;
  pause(): void;
  resume(): void;
  partition(): void;
  heal(): void;
  terminate(): Promise<void>;
}

export function regionProcess(o: RegionOptions): RegionProcess {
  let proc: ChildProcess | undefined;
  let isPaused = false;
  const script = fileURLToPath(new URL('./region-process.ts', import.meta.url));
  const env = {
    ...process.env,
    PRODUCER_REGION: o.region,
    PRODUCER_ETCD: o.etcd.join(','),
    PRODUCER_ROOT: o.root,
    PRODUCER_LOG: o.log,
    PRODUCER_EPOCH: String(o.epoch),
    PRODUCER_KEY: o.key,
    PRODUCER_TTL: String(o.ttl ?? 2),
    PRODUCER_LOCK_DELAY_MS: String(o.lockDelayMs ?? 500),
    PRODUCER_CLOCK_RATE: String(o.clockRate ?? 1),
    PRODUCER_CLOCK_MARGIN: String(o.clockMargin ?? 0.2),
    PRODUCER_BLOCK_MS: String(o.blockMs ?? 300),
    PRODUCER_POLL_MS: String(o.pollMs ?? 50),
  };
  const r: RegionProcess = {
    region: o.region,
    running: () => proc !== undefined,
    paused: () => isPaused,
    start() {
      if (proc) return;
      const p = spawn(process.execPath, ['--import', 'tsx', script], {
        cwd: REPO,
        env,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      proc = p;
      isPaused = false;
      p.on('exit', () => {
        if (proc === p) proc = undefined;
      });
    },
    kill() {
      proc?.kill('SIGKILL');
      proc = undefined;
      isPaused = false;
    },
    pause() {
      if (proc && !isPaused) {
        proc.kill('SIGSTOP');
        isPaused = true;
      }
    },
    resume() {
      if (proc && isPaused) {
        proc.kill('SIGCONT');
        isPaused = false;
      }
    },
    partition() {
      proc?.kill('SIGUSR1');
    },
    heal() {
      proc?.kill('SIGUSR2');
    },
    async terminate() {
      r.resume();
      const p = proc;
      if (!p) return;
      const exited = new Promise<void>((res) =>
        p.once('exit', () => {
          res();
        }),
      );
      p.kill('SIGTERM');
      await Promise.race([exited, sleep(3000)]);
      r.kill();
    },
  };
  return r;
}

export interface LogSignature {
  g: string;
  h: string;
  r: number;
  s: number;
  b: string;
  sig: string;
  rep: boolean;
  t: number;
}

export function readSignatures(file: string): LogSignature[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{"g"'))
    .map((l) => JSON.parse(l) as LogSignature);
}

/** Every height/round/step signed with two block ids (over every pair of signatures). */
export function doubleSigns(sigs: readonly LogSignature[]): string[] {
  const byHrs = new Map<string, Set<string>>();
  for (const s of sigs) {
    const k = `${s.h}/${s.r}/${s.s}`;
    const set = byHrs.get(k) ?? new Set<string>();
    set.add(s.b);
    byHrs.set(k, set);
  }
  return [...byHrs].filter(([, ids]) => ids.size > 1).map(([k]) => k);
}

/** Milliseconds between the last signature of one region and the first of the next. */
export function failoverGaps(sigs: readonly LogSignature[]): number[] {
  const sorted = [...sigs].sort((a, b) => a.t - b.t);
  const gaps: number[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    const cur = sorted[i];
    if (prev && cur && prev.g !== cur.g) gaps.push(cur.t - prev.t);
  }
  return gaps;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? Number.NaN;
}

/** Writes a switchover request, as `vaultwire producer switchover` does. */
export async function requestSwitchover(etcdUrl: string, root: string, chain: string, to: string) {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  await fetch(`${etcdUrl}/v3/kv/put`, {
    method: 'POST',
    body: JSON.stringify({
      key: b64(`${root}/${chain}/switchover`),
      value: b64(JSON.stringify({ to, until: Date.now() + 10_000, by: 'fault-test' })),
    }),
    signal: AbortSignal.timeout(2000),
  }).catch(() => undefined);
}

export function touch(file: string) {
  writeFileSync(file, '');
}
