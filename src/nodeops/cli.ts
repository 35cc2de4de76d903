import type { CliActor, CliOutput } from '../platform/modules/descriptor.js';
import { isFailure } from '../platform/failure.js';
import { alertSubject } from './channels.js';
import type { MonitorCheck, MonitorKind, NewMonitor } from './monitors.js';
import type { NodeopsService } from './service.js';
import { MonitorSettingsSchema } from './settings.js';

/**
 * The `vaultwire nodes …`, `alerts …`, `monitors …` and `backups …` commands as functions returning an
 * exit code (0 done, 1 refused); module.ts wires them to commander.
 */

export async function runNodesStatus(
  s: NodeopsService,
  io: CliOutput,
  opts: { chain?: string | undefined; json?: boolean | undefined },
): Promise<number> {
  const nodes = await s.fleet.listNodes({ chain: opts.chain });
  const open = await s.alerts.open();
  for (const n of nodes) {
    const last = [...open.values()]
      .filter((a) => a.nodeId === n.id)
      .sort((a, b) => (a.id < b.id ? 1 : -1))[0];
    const st = n.lastState;
    if (opts.json) {
      io.out(JSON.stringify({ ...n, lastAlert: last?.id ?? null }));
      continue;
    }
    io.out(
      [
        n.chain.padEnd(12),
        n.name.padEnd(20),
        n.region.padEnd(10),
        n.role.padEnd(9),
        `h=${st?.height ?? '-'}`.padEnd(12),
        `lag=${st?.lag ?? '-'}`.padEnd(8),
        `peers=${st?.peers ?? '-'}`.padEnd(9),
        (st?.state ?? 'unknown').padEnd(16),
        n.bannedAt ? `BANNED (${n.banReason ?? ''})` : '',
        last ? `last alert ${last.id} ${last.kind}` : '',
      ]
        .join(' ')
        .trimEnd(),
    );
  }
  if (nodes.length === 0) io.out('No nodes.');
  return 0;
}

export async function runNodesBan(
  s: NodeopsService,
  io: CliOutput,
  opts: { node: string; reason: string; actor: CliActor },
): Promise<number> {
  const r = await s.fleet.ban(opts.node, opts.reason, opts.actor);
  if (isFailure(r)) {
    io.err(`Not banned: ${r.code}`);
    return 1;
  }
  io.out(`Banned ${r.name} (${r.id}): ${opts.reason}`);
  return 0;
}

export async function runNodesUnban(
  s: NodeopsService,
  io: CliOutput,
  opts: { node: string; actor: CliActor },
): Promise<number> {
  const r = await s.fleet.unban(opts.node, opts.actor);
  if (isFailure(r)) {
    io.err(`Not unbanned: ${r.code}`);
    return 1;
  }
  io.out(`Unbanned ${r.name} (${r.id})`);
  return 0;
}

export async function runAlertsList(
  s: NodeopsService,
  io: CliOutput,
  opts: { all?: boolean | undefined },
): Promise<number> {
  const list = await s.alerts.list({ status: opts.all ? undefined : 'open', limit: 100 });
  for (const a of list) {
    io.out(
      `${a.id}  ${a.status.padEnd(12)} ${a.severity.padEnd(8)} ${alertSubject(a)}  ${a.summary}`,
    );
  }
  if (list.length === 0) io.out(opts.all ? 'No alerts.' : 'No open alerts.');
  return 0;
}

export async function runAlertsAck(
  s: NodeopsService,
  io: CliOutput,
  opts: { alert: string; actor: CliActor },
): Promise<number> {
  const r = await s.alerts.acknowledge(opts.alert, opts.actor);
  if (isFailure(r)) {
    io.err(`Not acknowledged: ${r.code}`);
    return 1;
  }
  io.out(`Acknowledged ${r.id}`);
  return 0;
}

export async function runAlertsSilence(
  s: NodeopsService,
  io: CliOutput,
  opts: { alert: string; seconds: number; actor: CliActor },
): Promise<number> {
  const r = await s.alerts.silence(
    opts.alert,
    new Date(Date.now() + opts.seconds * 1000),
    opts.actor,
  );
  if (isFailure(r)) {
    io.err(`Not silenced: ${r.code}`);
    return 1;
  }
  io.out(`Silenced ${r.id} until ${r.silencedUntil?.toISOString() ?? ''}`);
  return 0;
}

/** What `vaultwire monitors add` takes: the monitor's settings, checked as the API checks them. */
export interface MonitorAddOptions {
  name: string;
  kind: string;
  chain?: string | undefined;
  region?: string | undefined;
  url?: string | undefined;
  path?: string | undefined;
  maxAge?: number | undefined;
  keyword?: string | undefined;
  expectStatus?: number[] | undefined;
  maxLatencyMs?: number | undefined;
  maxSilence?: number | undefined;
  interval?: number | undefined;
  actor: CliActor;
}

export async function runMonitorsList(
  s: NodeopsService,
  io: CliOutput,
  opts: { kind?: string | undefined; chain?: string | undefined; json?: boolean | undefined },
): Promise<number> {
  const kind = opts.kind as MonitorKind | undefined;
  if (kind !== undefined && !['backup', 'http', 'push'].includes(kind)) {
    io.err(`Unknown kind ${kind}: backup, http or push`);
    return 1;
  }
  const list = await s.monitors.list({ kind, chain: opts.chain });
  for (const m of list) {
    if (opts.json) {
      io.out(JSON.stringify(m));
      continue;
    }
    const st = m.lastState;
    io.out(
      [
        m.name.padEnd(20),
        m.kind.padEnd(7),
        (m.chain ?? '-').padEnd(12),
        (m.region ?? '-').padEnd(10),
        (st?.state ?? 'unknown').padEnd(16),
        target(m.settings),
      ]
        .join(' ')
        .trimEnd(),
    );
  }
  if (list.length === 0) io.out('No monitors.');
  return 0;
}

function target(c: MonitorCheck): string {
  if ('url' in c && c.url !== undefined) return c.url;
  if ('path' in c && c.path !== undefined) return c.path;
  if ('maxSilenceSeconds' in c) return `push, silent at most ${c.maxSilenceSeconds} s`;
  return '';
}

export async function runMonitorsAdd(
  s: NodeopsService,
  io: CliOutput,
  opts: MonitorAddOptions,
): Promise<number> {
  const given = {
    name: opts.name,
    kind: opts.kind,
    chain: opts.chain,
    region: opts.region,
    url: opts.url,
    path: opts.path,
    keyword: opts.keyword,
    expectStatus: opts.expectStatus,
    maxLatencyMs: opts.maxLatencyMs,
    intervalSeconds: opts.interval,
    ...(opts.kind === 'backup' ? { maxAgeSeconds: opts.maxAge } : {}),
    ...(opts.kind === 'push' ? { maxSilenceSeconds: opts.maxSilence } : {}),
  };
  // The same rules as POST /v1/nodeops/monitors; a push token is made by the service.
  const parsed = MonitorSettingsSchema.safeParse({
    ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)),
    ...(opts.kind === 'push' ? { token: 'x'.repeat(24) } : {}),
  });
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      io.err(`Not added: ${i.path.join('.') || 'monitor'}: ${i.message}`);
    }
    return 1;
  }
  const input: NewMonitor =
    parsed.data.kind === 'push' ? (({ token: _t, ...rest }) => rest)(parsed.data) : parsed.data;
  const r = await s.monitors.create(input, opts.actor);
  if (isFailure(r)) {
    io.err(`Not added: ${r.code}`);
    return 1;
  }
  io.out(`Added ${r.monitor.kind} monitor ${r.monitor.name} (${r.monitor.id})`);
  if (r.pushToken !== undefined) {
    io.out(`Push token (shown only now): ${r.pushToken}`);
  }
  return 0;
}

export async function runMonitorsRemove(
  s: NodeopsService,
  io: CliOutput,
  opts: { monitor: string; actor: CliActor },
): Promise<number> {
  const r = await s.monitors.remove(opts.monitor, opts.actor);
  if (isFailure(r)) {
    io.err(`Not removed: ${r.code}`);
    return 1;
  }
  io.out(`Removed ${opts.monitor}`);
  return 0;
}

export async function runBackupsStatus(
  s: NodeopsService,
  io: CliOutput,
  opts: { chain?: string | undefined; json?: boolean | undefined },
): Promise<number> {
  const groups = await s.monitors.backupStatus({ chain: opts.chain });
  for (const g of groups) {
    if (opts.json) {
      io.out(JSON.stringify(g));
      continue;
    }
    const f = g.freshest;
    io.out(
      `${g.chain ?? '(no chain)'}: freshest in ${f ? `${f.region} (${f.monitor}${f.height === null ? '' : `, height ${f.height}`})` : 'no region (no backup seen)'}`,
    );
    for (const r of g.regions) {
      io.out(
        [
          ' ',
          r.region.padEnd(10),
          r.monitor.padEnd(20),
          (r.newestAt ? r.newestAt.toISOString() : 'none').padEnd(24),
          `age=${r.ageSeconds ?? '-'}s`.padEnd(12),
          `max=${r.maxAgeSeconds}s`.padEnd(12),
          (r.stale ? 'STALE' : r.newestAt ? 'fresh' : 'unknown').padEnd(7),
          // The row a restore or failover would take its backup from.
          r === f ? '<- freshest' : '',
        ]
          .join(' ')
          .trimEnd(),
      );
    }
  }
  if (groups.length === 0) io.out('No backup monitors.');
  return 0;
}
