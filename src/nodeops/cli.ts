import type { CliActor, CliOutput } from '../platform/modules/descriptor.js';
import { isFailure } from '../platform/failure.js';
import { alertSubject } from './channels.js';
import type { NodeopsService } from './service.js';

/**
 * The `vaultwire nodes …` and `vaultwire alerts …` commands as functions returning an
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
