// Finds, or installs and starts, the services the tests need: PostgreSQL, NATS with
// JetStream, promtool and etcd. The one implementation behind `npm test` (scripts/test.mjs)
// and so behind CI (.ci/run runs `npm test`).
//
// Each ensure* function first looks for the service where the tests look (the URL in the
// environment, else the default address), and only when nothing answers there gets it from
// Debian: single-binary tools (promtool, nats-server, etcd) are extracted from the package
// with `apt-get download` + `dpkg-deb -x` into .test-data/tools, which needs no root and
// starts no system service; PostgreSQL is installed with `apt-get install` (root only) and
// started with `pg_ctlcluster`. Each returns what it did in a few words for the one-line
// summary, and the environment the tests need (URLs, PATH).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import pg from 'pg';

export const TOOLS_DIR = resolve('.test-data/tools');
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

export class ServiceError extends Error {}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(probe, timeoutMs) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v || Date.now() > until) return v;
    await sleep(250);
  }
}

function hostPort(url, defaultPort) {
  const u = new URL(url);
  return { host: u.hostname || '127.0.0.1', port: Number(u.port || defaultPort) };
}

// A server is started only on this machine's loopback: a remote address that does not
// answer is a misconfiguration to report, not something to start here.
const loopback = (host) => host === '127.0.0.1' || host === 'localhost' || host === '[::1]';

// --- finding ---------------------------------------------------------------------------

/** The server version when `url` is a PostgreSQL server that accepts us, else undefined. */
export async function probePostgres(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    const { rows } = await client.query('SHOW server_version');
    return String(rows[0].server_version).split(' ')[0];
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => {});
  }
}

/** The INFO a NATS server sends on connect, or undefined when nothing (or not NATS) answers. */
export function probeNats(url) {
  const { host, port } = hostPort(url.replace(/^nats:/, 'http:'), 4222);
  return new Promise((done) => {
    const sock = connect({ host, port });
    let buf = '';
    const finish = (v) => {
      sock.destroy();
      done(v);
    };
    sock.setTimeout(3000, () => finish(undefined));
    sock.on('error', () => finish(undefined));
    sock.on('data', (d) => {
      buf += d.toString('utf8');
      const line = buf.split('\r\n')[0];
      if (buf.includes('\r\n')) {
        try {
          finish(line.startsWith('INFO ') ? JSON.parse(line.slice(5)) : undefined);
        } catch {
          finish(undefined);
        }
      }
    });
  });
}

/** etcd's version when an etcd server answers at `url` (its HTTP /version), else undefined. */
export async function probeEtcd(url) {
  try {
    const r = await fetch(new URL('/version', url), { signal: AbortSignal.timeout(3000) });
    if (!r.ok) return undefined;
    return (await r.json()).etcdserver;
  } catch {
    return undefined;
  }
}

function onPath(name, pathEnv = process.env.PATH ?? '') {
  for (const dir of [TOOLS_DIR, ...pathEnv.split(delimiter)]) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.error || r.status !== 0) {
    throw new ServiceError(
      `${cmd} ${args.join(' ')} failed: ${r.error?.message ?? (r.stderr || r.stdout).trim()}`,
    );
  }
  return r.stdout;
}

/**
 * A program from a Debian package: on the PATH, in .test-data/tools, or extracted there from
 * the package (no root needed, no service started). Returns its path and how it was had.
 */
export function debianTool(name, pkg) {
  const found = onPath(name);
  if (found) return { path: found, how: 'found' };
  mkdirSync(TOOLS_DIR, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), `vw-${pkg}-`));
  let download = spawnSync('apt-get', ['download', '-q', pkg], { cwd: work, encoding: 'utf8' });
  if (download.status !== 0 && isRoot) {
    // A fresh image has empty package lists.
    run('apt-get', ['update', '-qq']);
    download = spawnSync('apt-get', ['download', '-q', pkg], { cwd: work, encoding: 'utf8' });
  }
  if (download.error || download.status !== 0) {
    throw new ServiceError(
      `${name} not found and Debian's ${pkg} package could not be downloaded ` +
        `(${(download.stderr ?? download.error?.message ?? '').trim()}); as root run apt-get update, or install ${name}`,
    );
  }
  const deb = readdirSync(work).find((f) => f.endsWith('.deb'));
  run('dpkg-deb', ['-x', join(work, deb), join(work, 'root')]);
  for (const dir of ['usr/bin', 'usr/sbin', 'bin']) {
    const p = join(work, 'root', dir, name);
    if (existsSync(p)) {
      run('cp', [p, join(TOOLS_DIR, name)]);
      return {
        path: join(TOOLS_DIR, name),
        how: `extracted from Debian's ${pkg} into .test-data/tools`,
      };
    }
  }
  throw new ServiceError(`Debian's ${pkg} package holds no ${name}`);
}

/** Starts `cmd` detached so it outlives this process (the next `npm test` finds it). */
function daemon(cmd, args, logFile) {
  const out = openSync(logFile, 'a');
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', out, out] });
  child.unref();
  return child.pid;
}

// --- the services ----------------------------------------------------------------------

export const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const PASSWORD_POSTGRES_URL = 'postgres://postgres:postgres@127.0.0.1:5432/postgres';

/**
 * PostgreSQL at TEST_DATABASE_URL, else on 127.0.0.1:5432; else Debian's cluster, installed
 * (root) and started.
 */
export async function ensurePostgres({ url = process.env.TEST_DATABASE_URL } = {}) {
  if (url) {
    const v = await probePostgres(url);
    if (!v)
      throw new ServiceError(`TEST_DATABASE_URL is set but ${new URL(url).host} does not answer`);
    return {
      say: `PostgreSQL ${v} at ${new URL(url).host} (found)`,
      env: { TEST_DATABASE_URL: url },
    };
  }
  for (const u of [DEFAULT_POSTGRES_URL, PASSWORD_POSTGRES_URL]) {
    const v = await probePostgres(u);
    if (v)
      return { say: `PostgreSQL ${v} at 127.0.0.1:5432 (found)`, env: { TEST_DATABASE_URL: u } };
  }
  let how = 'started';
  if (!onPath('pg_ctlcluster', '/usr/bin:/usr/sbin')) {
    if (!isRoot) {
      throw new ServiceError(
        'no PostgreSQL on 127.0.0.1:5432 and not root to install one: run as root, or `apt-get install postgresql`, or set TEST_DATABASE_URL',
      );
    }
    run('apt-get', ['update', '-qq']);
    run('apt-get', ['install', '-y', '-qq', 'postgresql'], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    how = 'installed with apt-get as root, started';
  }
  const version = readdirSync('/etc/postgresql')
    .sort((a, b) => Number(a) - Number(b))
    .at(-1);
  spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], {
    stdio: 'ignore',
  });
  const up = await waitFor(() => probePostgres(DEFAULT_POSTGRES_URL), 3000);
  if (up)
    return {
      say: `PostgreSQL ${up} at 127.0.0.1:5432 (${how})`,
      env: { TEST_DATABASE_URL: DEFAULT_POSTGRES_URL },
    };
  // A stock Debian cluster wants a password over TCP: give the postgres role one.
  if (isRoot) {
    spawnSync('su', ['postgres', '-c', `psql -Atqc "ALTER USER postgres PASSWORD 'postgres'"`], {
      stdio: 'ignore',
    });
  }
  const v = await waitFor(() => probePostgres(PASSWORD_POSTGRES_URL), 30_000);
  if (!v) throw new ServiceError(`cannot connect to PostgreSQL ${version} on 127.0.0.1:5432`);
  return {
    say: `PostgreSQL ${v} at 127.0.0.1:5432 (${how})`,
    env: { TEST_DATABASE_URL: PASSWORD_POSTGRES_URL },
  };
}

/** NATS with JetStream at NATS_URL, else 127.0.0.1:4222, else nats-server -js started there. */
export async function ensureNats({ url = process.env.NATS_URL } = {}) {
  const target = url ?? 'nats://127.0.0.1:4222';
  const { host, port } = hostPort(target.replace(/^nats:/, 'http:'), 4222);
  const info = await probeNats(target);
  if (info?.jetstream) {
    return { say: `NATS ${info.version} at ${host}:${port} (found)`, env: { NATS_URL: target } };
  }
  if (info) throw new ServiceError(`NATS at ${target} runs without JetStream; start it with -js`);
  if (!loopback(host)) throw new ServiceError(`nothing answers at NATS_URL ${target}`);
  const tool = debianTool('nats-server', 'nats-server');
  const dir = mkdtempSync(join(tmpdir(), 'vw-nats-'));
  const pid = daemon(
    tool.path,
    ['-js', '-a', host, '-p', String(port), '-sd', dir],
    join(dir, 'nats.log'),
  );
  const up = await waitFor(() => probeNats(target), 15_000);
  if (!up?.jetstream) throw new ServiceError(`nats-server did not start (see ${dir}/nats.log)`);
  const how = tool.how === 'found' ? 'started' : `${tool.how}, started`;
  return { say: `NATS ${up.version} at ${host}:${port} (${how})`, env: { NATS_URL: target }, pid };
}

/** etcd at ETCD_URL, else 127.0.0.1:2379, else Debian's etcd started there. */
export async function ensureEtcd({ url = process.env.ETCD_URL } = {}) {
  const target = url ?? 'http://127.0.0.1:2379';
  const v = await probeEtcd(target);
  if (v) return { say: `etcd ${v} at ${new URL(target).host} (found)`, env: { ETCD_URL: target } };
  const { host, port } = hostPort(target, 2379);
  if (!loopback(host)) throw new ServiceError(`nothing answers at ETCD_URL ${target}`);
  const tool = debianTool('etcd', 'etcd-server');
  const dir = mkdtempSync(join(tmpdir(), 'vw-etcd-'));
  const client = `http://${host}:${port}`;
  const pid = daemon(
    tool.path,
    [
      '--data-dir',
      dir,
      '--listen-client-urls',
      client,
      '--advertise-client-urls',
      client,
      // The peer port is never used by a single member; any free one will do.
      '--listen-peer-urls',
      `http://${host}:${port + 1}`,
      '--initial-advertise-peer-urls',
      `http://${host}:${port + 1}`,
      '--initial-cluster',
      `default=http://${host}:${port + 1}`,
    ],
    join(dir, 'etcd.log'),
  );
  const up = await waitFor(() => probeEtcd(target), 15_000);
  if (!up) throw new ServiceError(`etcd did not start (see ${dir}/etcd.log)`);
  const how = tool.how === 'found' ? 'started' : `${tool.how}, started`;
  return { say: `etcd ${up} at ${host}:${port} (${how})`, env: { ETCD_URL: target }, pid };
}

/** promtool for the alerting-rule tests (test/deploy). */
export function ensurePromtool() {
  const tool = debianTool('promtool', 'prometheus');
  const version = /version (\S+)/.exec(
    execFileSync(tool.path, ['--version'], { encoding: 'utf8' }),
  );
  return {
    say: `promtool ${version?.[1] ?? ''} (${tool.how})`,
    env: { PATH: `${TOOLS_DIR}${delimiter}${process.env.PATH ?? ''}` },
  };
}

/** Client and peer ports of the 3-member test cluster (ETCD_CLUSTER_URLS overrides). */
export const ETCD_CLUSTER_MEMBERS = [
  { name: 'vw0', client: 23790, peer: 23791 },
  { name: 'vw1', client: 23792, peer: 23793 },
  { name: 'vw2', client: 23794, peer: 23795 },
];

/** The URL of each member of a 3-member cluster, with the `etcd` flags to (re)start it. */
export function etcdClusterPlan({ dataRoot = resolve('.test-data/etcd-cluster') } = {}) {
  const initialCluster = ETCD_CLUSTER_MEMBERS.map(
    (m) => `${m.name}=http://127.0.0.1:${m.peer}`,
  ).join(',');
  return ETCD_CLUSTER_MEMBERS.map((m) => {
    const client = `http://127.0.0.1:${m.client}`;
    const peer = `http://127.0.0.1:${m.peer}`;
    const dataDir = join(dataRoot, m.name);
    return {
      name: m.name,
      url: client,
      dataDir,
      args: [
        '--name',
        m.name,
        '--data-dir',
        dataDir,
        '--listen-client-urls',
        client,
        '--advertise-client-urls',
        client,
        '--listen-peer-urls',
        peer,
        '--initial-advertise-peer-urls',
        peer,
        '--initial-cluster',
        initialCluster,
        '--initial-cluster-token',
        'vaultwire-test',
        '--initial-cluster-state',
        'new',
        // Short elections so a killed member's leadership moves within about a second.
        '--heartbeat-interval',
        '100',
        '--election-timeout',
        '1000',
      ],
    };
  });
}

/**
 * A 3-member etcd cluster on 127.0.0.1 (the producer module's region election and
 * high-water mark run on it): the members at ETCD_CLUSTER_URLS, else at ports
 * 23790/23792/23794, else Debian's etcd started there with data under
 * .test-data/etcd-cluster. Members that do not answer are (re)started; a cluster that
 * has no quorum after that is an error.
 */
export async function ensureEtcdCluster({ urls = process.env.ETCD_CLUSTER_URLS } = {}) {
  if (urls) {
    const list = urls.split(',');
    const versions = await Promise.all(list.map((u) => probeEtcd(u)));
    if (versions.some((v) => !v))
      throw new ServiceError(`ETCD_CLUSTER_URLS is set but ${list.join(',')} do not all answer`);
    return {
      say: `etcd ${versions[0]} cluster of ${list.length} (found)`,
      env: { ETCD_CLUSTER_URLS: urls },
    };
  }
  const plan = etcdClusterPlan();
  const env = { ETCD_CLUSTER_URLS: plan.map((m) => m.url).join(',') };
  const before = await Promise.all(plan.map((m) => probeEtcd(m.url)));
  if (before.every(Boolean)) {
    return { say: `etcd ${before[0]} cluster of 3 on 127.0.0.1:23790-23795 (found)`, env };
  }
  const tool = debianTool('etcd', 'etcd-server');
  const pids = [];
  plan.forEach((m, i) => {
    if (before[i]) return;
    mkdirSync(m.dataDir, { recursive: true });
    // A member with data rejoins with it; `new` is ignored once its data dir holds a WAL.
    pids.push(daemon(tool.path, m.args, `${m.dataDir}.log`));
  });
  const up = await Promise.all(plan.map((m) => waitFor(() => probeEtcd(m.url), 20_000)));
  if (!up.every(Boolean)) {
    throw new ServiceError(
      `etcd cluster did not start (see .test-data/etcd-cluster/*.log; remove .test-data/etcd-cluster to start afresh)`,
    );
  }
  const how = tool.how === 'found' ? 'started' : `${tool.how}, started`;
  return { say: `etcd ${up[0]} cluster of 3 on 127.0.0.1:23790-23795 (${how})`, env, pids };
}
