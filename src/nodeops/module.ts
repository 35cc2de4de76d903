import { createInterface } from 'node:readline';
import { InvalidArgumentError, Option } from 'commander';
import { setting } from '../platform/config/config.js';
import { defineModule, type ModuleCli } from '../platform/modules/descriptor.js';
import {
  runAlertsAck,
  runAlertsList,
  runAlertsSilence,
  runBackupsStatus,
  runMonitorsAdd,
  runMonitorsList,
  runMonitorsRemove,
  runNodesBan,
  runNodesStatus,
  runNodesUnban,
  type MonitorAddOptions,
} from './cli.js';
import { NODEOPS_EVENT_REGISTRY } from './events.js';
import { PRODUCER_ALERT_EVENTS } from './producer-alerts.js';
import { runNodesSimulate, SIMULATED_FAMILIES, type SimulatedFamily } from './simulate.js';
import { registerNodeopsRoutes } from './routes.js';
import { createNodeopsService, NODEOPS_SCOPES, type NodeopsService } from './service.js';
import { NodeopsSettingsSchema, type NodeopsSettings } from './settings.js';

/** The node-ops module's settings: one `nodeops:` section (see settings.ts). */
export const NODEOPS_SETTINGS = {
  nodeops: setting<NodeopsSettings>({
    env: 'VW_NODEOPS',
    kind: 'json',
    schema: NodeopsSettingsSchema,
    default: NodeopsSettingsSchema.parse({}),
    doc: 'Node operations: `enabled`, `intervalMs`, `ssrfAllow`, and the fleet written into the registry at start: `chains` (family `cometbft`, `evm`, `eos` or `xrpl`, `references`, `lcdUrl`, `releaseFeed`, thresholds), `nodes` (`chain`, `region`, `role`, `url`, `validatorAddress`, `producerName`) and alert `channels` (telegram, slack, email, pagerduty). A YAML mapping under `nodeops:` or JSON in `VW_NODEOPS`. See docs/nodeops.md.',
    // Channels carry bot tokens, webhook URLs and routing keys.
    secret: true,
  }),
} as const;

/** Node operations: the fleet registry, chain-aware checks, alerts and bans; the `nodeops` role. */
export const nodeopsModule = defineModule()({
  name: 'nodeops',
  dependsOn: [],
  settings: NODEOPS_SETTINGS,
  scopes: NODEOPS_SCOPES,
  events: NODEOPS_EVENT_REGISTRY,
  roles: [
    {
      name: 'nodeops',
      description:
        'Node monitor: polls the fleet; one replica (leased) writes alerts and sends them. Idles unless nodeops.enabled',
      start: ({ service }) => service.startRole(),
    },
  ],
  build: async ({ platform, settings }) => {
    const service = createNodeopsService({
      db: platform.db,
      logger: platform.logger,
      outbox: platform.outbox,
      audit: platform.audit,
      leases: platform.leases,
      secretBox: platform.secretBox,
      mailer: platform.mailer,
      registry: platform.metrics.registry,
      instanceId: platform.config.instanceId,
      now: platform.now,
      settings: settings.nodeops,
    });
    const s = settings.nodeops;
    if (s.chains.length + s.nodes.length + s.channels.length > 0) await service.fleet.syncConfig(s);
    await service.monitors.syncConfig(s.monitors);
    // Producer events become alerts on the channels (producer-alerts.ts). The handler runs
    // as an outbox job in the worker role; the nodeops role's monitor sends the notices
    // and resolves the quiet double-sign alerts, as for every other alert.
    platform.outbox.subscribe<Record<string, unknown>>(
      'nodeops.producer_alerts',
      PRODUCER_ALERT_EVENTS,
      (event) => service.producerAlerts.handle(event),
    );
    platform.lifecycle.onStop('nodeops', () => service.close());
    return service;
  },
  routes: (http, { service }) => {
    registerNodeopsRoutes(http, { nodeops: service });
  },
  cli: nodeopsCli,
});

function positiveSeconds(value: string): number {
  if (!/^\d{1,7}$/.test(value) || Number(value) === 0) {
    throw new InvalidArgumentError('must be a whole number of seconds');
  }
  return Number(value);
}

function count(value: string): number {
  if (!/^\d{1,2}$/.test(value) || Number(value) < 1 || Number(value) > 20) {
    throw new InvalidArgumentError('must be from 1 to 20');
  }
  return Number(value);
}

function statuses(value: string): number[] {
  if (!/^\d{3}(,\d{3}){0,19}$/.test(value)) {
    throw new InvalidArgumentError('must be HTTP status codes, comma-separated (200,204)');
  }
  return value.split(',').map(Number);
}

function seconds(value: string): number {
  const n = Number(value);
  if (!/^\d{1,6}(\.\d{1,3})?$/.test(value) || n < 0.1) {
    throw new InvalidArgumentError('must be a number of seconds, at least 0.1');
  }
  return n;
}

function nodeopsCli(cli: ModuleCli<NodeopsService, typeof NODEOPS_SETTINGS>): void {
  const { program, output } = cli;
  const nodes = program.command('nodes').description('The node fleet: status, bans');
  nodes
    .command('status')
    .description('One line per node: chain, region, role, height, lag, peers, state, banned')
    .option('--chain <key>', 'only this chain')
    .option('--json', 'print one JSON object per node')
    .action(async (opts: { chain?: string; json?: boolean }) => {
      await cli.run(({ service }) => runNodesStatus(service, output, opts));
    });
  nodes
    .command('ban')
    .description('Ban a node (recorded with the reason, audited)')
    .argument('<node>', 'node id or name')
    .requiredOption('--reason <text>', 'why')
    .action(async (node: string, opts: { reason: string }) => {
      await cli.run(({ service, actor }) =>
        runNodesBan(service, output, { node, reason: opts.reason, actor }),
      );
    });
  nodes
    .command('unban')
    .description('Lift a ban (audited)')
    .argument('<node>', 'node id or name')
    .action(async (node: string) => {
      await cli.run(({ service, actor }) => runNodesUnban(service, output, { node, actor }));
    });

  nodes
    .command('simulate')
    .description(
      'Serve a scripted chain on 127.0.0.1 (nodes and a reference) to watch and inject faults into; no database needed',
    )
    .addOption(
      new Option('--family <family>', 'chain family')
        .choices(SIMULATED_FAMILIES)
        .default('cometbft'),
    )
    .option('--nodes <n>', 'watched nodes, 1 to 20', count, 3)
    .option('--block-time <seconds>', 'seconds between blocks (default: the family’s own)', seconds)
    .option('--for <seconds>', 'stop after this long (default: at quit or Ctrl-C)', seconds)
    .action(
      async (opts: {
        family: SimulatedFamily;
        nodes: number;
        blockTime?: number;
        for?: number;
      }) => {
        // Long-running and local: it builds no platform and is never forwarded to a server.
        const input = createInterface({ input: process.stdin, terminal: false });
        const stop = new AbortController();
        const onSignal = () => {
          stop.abort();
        };
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        try {
          process.exitCode = await runNodesSimulate(
            output,
            {
              family: opts.family,
              nodes: opts.nodes,
              blockTime: opts.blockTime,
              forSeconds: opts.for,
            },
            { lines: input, signal: stop.signal },
          );
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          input.close();
          process.stdin.destroy();
        }
      },
    );

  const alerts = program.command('alerts').description('Node alerts: list, acknowledge, silence');
  alerts
    .command('list')
    .description('Alerts, newest first')
    .option('--all', 'resolved ones too')
    .action(async (opts: { all?: boolean }) => {
      await cli.run(({ service }) => runAlertsList(service, output, opts));
    });
  alerts
    .command('ack')
    .description('Acknowledge an alert (no more reminders)')
    .argument('<alert>', 'alert id')
    .action(async (alert: string) => {
      await cli.run(({ service, actor }) => runAlertsAck(service, output, { alert, actor }));
    });
  alerts
    .command('silence')
    .description('Silence an alert for a while (no reminders, no resolve notice)')
    .argument('<alert>', 'alert id')
    .requiredOption('--for <seconds>', 'how long', positiveSeconds)
    .action(async (alert: string, opts: { for: number }) => {
      await cli.run(({ service, actor }) =>
        runAlertsSilence(service, output, { alert, seconds: opts.for, actor }),
      );
    });
  const monitors = program
    .command('monitors')
    .description('Backup freshness, uptime and heartbeat monitors: list, add, remove');
  monitors
    .command('list')
    .description('One line per monitor: name, kind, chain, region, state, what it watches')
    .addOption(new Option('--kind <kind>', 'only this kind').choices(['backup', 'http', 'push']))
    .option('--chain <key>', 'only this chain')
    .option('--json', 'print one JSON object per monitor')
    .action(async (opts: { kind?: string; chain?: string; json?: boolean }) => {
      await cli.run(({ service }) => runMonitorsList(service, output, opts));
    });
  monitors
    .command('add')
    .description(
      'Add a monitor (audited; the same rules as POST /v1/nodeops/monitors). A push monitor prints its token once',
    )
    .argument('<name>', 'monitor name')
    .addOption(
      new Option('--kind <kind>', 'what it checks')
        .choices(['backup', 'http', 'push'])
        .makeOptionMandatory(),
    )
    .option('--chain <key>', 'the chain it belongs to (routes its alerts, groups backups)')
    .option('--region <region>', 'region (required for a backup monitor)')
    .option(
      '--url <url>',
      'http: the service; backup: an object whose Last-Modified is the backup time',
    )
    .option('--path <path>', 'backup: a file or directory under nodeops.backupPathRoots')
    .option('--max-age <seconds>', 'backup: the newest backup may be this old', positiveSeconds)
    .option('--keyword <text>', 'http: the body must contain it')
    .option(
      '--expect-status <codes>',
      'http: accepted statuses, comma-separated (default any 2xx)',
      statuses,
    )
    .option('--max-latency-ms <ms>', 'http: slower answers alert', positiveSeconds)
    .option(
      '--max-silence <seconds>',
      'push: alert when no call comes in for this long',
      positiveSeconds,
    )
    .option('--interval <seconds>', 'how often it is checked', seconds)
    .action(async (name: string, opts: Omit<MonitorAddOptions, 'name' | 'actor'>) => {
      await cli.run(({ service, actor }) =>
        runMonitorsAdd(service, output, { ...opts, name, actor }),
      );
    });
  monitors
    .command('remove')
    .description('Remove a monitor (audited)')
    .argument('<monitor>', 'monitor id or name')
    .action(async (monitor: string) => {
      await cli.run(({ service, actor }) => runMonitorsRemove(service, output, { monitor, actor }));
    });

  program
    .command('backups')
    .description('Backup freshness by chain and region')
    .command('status')
    .description(
      'Per chain: the region holding the freshest backup, then each region’s newest backup and age',
    )
    .option('--chain <key>', 'only this chain')
    .option('--json', 'print one JSON object per chain')
    .action(async (opts: { chain?: string; json?: boolean }) => {
      await cli.run(({ service }) => runBackupsStatus(service, output, opts));
    });
}
