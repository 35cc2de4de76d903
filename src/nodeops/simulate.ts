import { stringify } from 'yaml';
import type { CliOutput } from '../platform/modules/descriptor.js';
import { startScriptedChain, type ScriptedChain } from './simulator.js';
import {
  startScriptedEos,
  startScriptedXrpl,
  type ScriptedEos,
  type ScriptedXrpl,
} from './simulators.js';

/**
 * `vaultwire nodes simulate`: a scripted chain on 127.0.0.1 (CometBFT, EOS or XRP Ledger,
 * the same servers the tests and the benchmark use) with a few nodes and a reference,
 * for an operator to point node operations at and rehearse faults by typing them.
 * It prints the node URLs and a `nodeops:` section to paste into the configuration, then
 * reads one fault per line (`stall eu-1`, `heal eu-1`, `help`, …) until `quit`, a signal,
 * or `--for` seconds. Needs no database.
 */
export const SIMULATED_FAMILIES = ['cometbft', 'eos', 'xrpl'] as const;
export type SimulatedFamily = (typeof SIMULATED_FAMILIES)[number];

export interface SimulateOptions {
  family: SimulatedFamily;
  /** Watched nodes (besides the reference): 1 to 20. */
  nodes: number;
  /** Seconds between blocks (validated ledgers on XRP); the family's own by default. */
  blockTime?: number | undefined;
  /** Stop after this many seconds (scripts, CI); otherwise at `quit` or a signal. */
  forSeconds?: number | undefined;
}

const DEFAULT_BLOCK_SECONDS: Record<SimulatedFamily, number> = {
  cometbft: 6.5,
  eos: 0.5,
  xrpl: 3.5,
};

type Sim =
  | { family: 'cometbft'; chain: ScriptedChain }
  | { family: 'eos'; chain: ScriptedEos }
  | { family: 'xrpl'; chain: ScriptedXrpl };

const COMMON_HELP = [
  'stall <node>            the node stops at its height (stalled, then lagging)',
  'fork <node>             from the next height the node is on other blocks (forked)',
  'down <node> | up <node> the node answers HTTP 503 (unreachable) | answers again',
  'peers <node> <n>        the node reports n peers (peers_low below minPeers)',
  'heal <node>             the node follows the chain again',
];
const FAMILY_HELP: Record<SimulatedFamily, string[]> = {
  cometbft: [
    'catchup <node>          the node reports catching_up (syncing)',
    'stop-signing <v>        validator v (1-based, or its address) misses its precommits',
    'resume-signing <v>      it signs again',
    'jail <v> | unjail <v>   jailed in the staking REST (/lcd)',
    'unbond <v> | bond <v>   out of (back in) the active set',
  ],
  eos: [
    'skip <producer>         the producer misses its slots (missed_rounds)',
    'unskip <producer>       it produces again',
    'unschedule <producer>   it leaves the schedule | schedule <producer>: it comes back',
  ],
  xrpl: ['state <node> <s>        the server_state it reports (syncing, connected, full, …)'],
};

async function startSim(o: SimulateOptions, blockMs: number): Promise<Sim> {
  switch (o.family) {
    case 'cometbft':
      return {
        family: 'cometbft',
        chain: await startScriptedChain({ chainId: 'sim-1', blockTimeMs: blockMs }),
      };
    case 'eos':
      return { family: 'eos', chain: await startScriptedEos({ blockTimeMs: blockMs }) };
    case 'xrpl':
      return { family: 'xrpl', chain: await startScriptedXrpl({ closeMs: blockMs }) };
  }
}

/** The `nodeops:` section that watches the simulated nodes. */
function nodeopsSection(sim: Sim, names: string[], blockSeconds: number): Record<string, unknown> {
  const chain = sim.chain;
  const key = `sim-${sim.family}`;
  const validator =
    sim.family === 'cometbft'
      ? { validatorAddress: sim.chain.validators[0] }
      : sim.family === 'eos'
        ? { producerName: sim.chain.producers()[0] }
        : undefined;
  return {
    nodeops: {
      enabled: true,
      intervalMs: 1000,
      ssrfAllow: ['127.0.0.0/8'],
      chains: [
        {
          key,
          family: sim.family,
          blockTimeSeconds: blockSeconds,
          references: [chain.nodeUrl('ref')],
          ...(sim.family === 'cometbft' ? { lcdUrl: sim.chain.lcdUrl } : {}),
        },
      ],
      nodes: names.map((name, i) => ({
        name,
        chain: key,
        region: i % 2 === 0 ? 'eu' : 'us',
        role: i === 0 && validator ? 'validator' : 'rpc',
        url: chain.nodeUrl(name),
        ...(i === 0 && validator ? validator : {}),
      })),
      channels: [],
    },
  };
}

/** Applies one typed line; returns what to print. */
function apply(
  sim: Sim,
  names: readonly string[],
  producers: readonly string[],
  line: string,
): string {
  const [cmd = '', a = '', b = ''] = line.trim().split(/\s+/);
  const c = sim.chain;
  const node = () => {
    if (!names.includes(a) && a !== 'ref') {
      throw new Error(`no node "${a}"; nodes: ${[...names, 'ref'].join(', ')}`);
    }
    return a;
  };
  const validator = (): string => {
    if (sim.family !== 'cometbft') throw new Error(`${cmd} is for cometbft chains`);
    const vs = sim.chain.validators;
    const byIndex = /^\d+$/.test(a) ? vs[Number(a) - 1] : undefined;
    const v = byIndex ?? vs.find((x) => x.toUpperCase() === a.toUpperCase());
    if (!v) throw new Error(`no validator "${a}"; 1 to ${vs.length} or an address`);
    return v;
  };
  const producer = (): string => {
    if (sim.family !== 'eos') throw new Error(`${cmd} is for eos chains`);
    if (!producers.includes(a)) {
      throw new Error(`no producer "${a}"; producers: ${producers.join(', ')}`);
    }
    return a;
  };
  switch (cmd) {
    case 'stall':
      c.stall(node());
      return `${a} stalled at height ${c.height()}`;
    case 'fork':
      c.fork(node());
      return `${a} forks from height ${c.height() + 1}`;
    case 'down':
      c.down(node(), true);
      return `${a} is down (HTTP 503)`;
    case 'up':
      c.down(node(), false);
      return `${a} answers again`;
    case 'peers': {
      const n = Number(b);
      if (!/^\d{1,4}$/.test(b)) throw new Error('peers <node> <n>: n is a whole number');
      c.peers(node(), n);
      return `${a} reports ${n} peers`;
    }
    case 'heal':
      c.heal(node());
      return `${a} follows the chain again`;
    case 'catchup':
      if (sim.family !== 'cometbft') throw new Error('catchup is for cometbft chains');
      sim.chain.catchUp(node(), true);
      return `${a} reports catching_up`;
    case 'stop-signing':
    case 'resume-signing': {
      const v = validator();
      if (sim.family !== 'cometbft') throw new Error('unreachable');
      if (cmd === 'stop-signing') sim.chain.stopSigning(v);
      else sim.chain.resumeSigning(v);
      return `validator ${v} ${cmd === 'stop-signing' ? 'stops' : 'resumes'} signing`;
    }
    case 'jail':
    case 'unjail':
    case 'unbond':
    case 'bond': {
      const v = validator();
      if (sim.family !== 'cometbft') throw new Error('unreachable');
      if (cmd === 'jail' || cmd === 'unjail') sim.chain.jail(v, cmd === 'jail');
      else sim.chain.unbond(v, cmd === 'unbond');
      return `validator ${v} ${cmd === 'jail' ? 'jailed' : cmd === 'unjail' ? 'unjailed' : cmd === 'unbond' ? 'left the active set' : 'back in the active set'}`;
    }
    case 'skip':
    case 'unskip': {
      const p = producer();
      if (sim.family !== 'eos') throw new Error('unreachable');
      sim.chain.skip(p, cmd === 'skip');
      return `producer ${p} ${cmd === 'skip' ? 'misses its slots' : 'produces again'}`;
    }
    case 'unschedule':
    case 'schedule': {
      const p = producer();
      if (sim.family !== 'eos') throw new Error('unreachable');
      sim.chain.unschedule(p, cmd === 'unschedule');
      return `producer ${p} ${cmd === 'unschedule' ? 'left' : 'is back in'} the schedule`;
    }
    case 'state':
      if (sim.family !== 'xrpl') throw new Error('state is for xrpl chains');
      if (!/^[a-z]{3,20}$/.test(b)) throw new Error('state <node> <server_state>');
      sim.chain.state(node(), b);
      return `${a} reports server_state ${b}`;
    case 'height':
      return `height ${c.height()}`;
    default:
      throw new Error(`unknown command "${cmd}"; type help`);
  }
}

/**
 * Runs the simulation until `quit` on `lines`, `signal`, or `forSeconds`; returns the
 * exit code (0; 2 for bad options).
 */
export async function runNodesSimulate(
  io: CliOutput,
  opts: SimulateOptions,
  control: { lines: AsyncIterable<string>; signal: AbortSignal },
): Promise<number> {
  if (!Number.isInteger(opts.nodes) || opts.nodes < 1 || opts.nodes > 20) {
    io.err('--nodes must be from 1 to 20');
    return 2;
  }
  const blockSeconds = opts.blockTime ?? DEFAULT_BLOCK_SECONDS[opts.family];
  if (!(blockSeconds >= 0.1 && blockSeconds <= 600)) {
    io.err('--block-time must be from 0.1 to 600 seconds');
    return 2;
  }
  const sim = await startSim(opts, Math.round(blockSeconds * 1000));
  const names = Array.from({ length: opts.nodes }, (_, i) => `${sim.family}-${i + 1}`);
  for (const n of [...names, 'ref']) sim.chain.addNode(n);
  const producers = sim.family === 'eos' ? sim.chain.producers() : [];
  try {
    io.out(
      `Scripted ${sim.family} chain at ${sim.chain.url}, a block every ${blockSeconds} s, height ${sim.chain.height()}`,
    );
    for (const n of names) io.out(`  node ${n.padEnd(12)} ${sim.chain.nodeUrl(n)}`);
    io.out(`  reference    ${sim.chain.nodeUrl('ref')}`);
    if (sim.family === 'cometbft') {
      sim.chain.validators.forEach((v, i) => {
        io.out(`  validator ${i + 1}  ${v}`);
      });
    }
    if (sim.family === 'eos') io.out(`  producers    ${sim.chain.producers().join(', ')}`);
    io.out('');
    io.out('Watch it: add this to the configuration file (or VW_NODEOPS as JSON), with a');
    io.out('channel of yours under `channels:`, and run `vaultwire start`:');
    io.out('');
    for (const l of stringify(nodeopsSection(sim, names, blockSeconds))
      .trimEnd()
      .split('\n')) {
      io.out(`  ${l}`);
    }
    io.out('');
    io.out('Type a fault and Enter (help lists them; quit ends):');

    const done = new AbortController();
    const stop = () => {
      done.abort();
    };
    control.signal.addEventListener('abort', stop, { once: true });
    const timer =
      opts.forSeconds === undefined ? undefined : setTimeout(stop, opts.forSeconds * 1000);
    const reading = (async () => {
      for await (const raw of control.lines) {
        if (done.signal.aborted) return;
        const line = raw.trim();
        if (line === '' || line.startsWith('#')) continue;
        if (line === 'quit' || line === 'exit') {
          stop();
          return;
        }
        if (line === 'help') {
          for (const h of [...COMMON_HELP, ...FAMILY_HELP[sim.family]]) io.out(`  ${h}`);
          io.out('  height                  the chain height now');
          io.out('  quit');
          continue;
        }
        try {
          io.out(`ok: ${apply(sim, names, producers, line)}`);
        } catch (err) {
          io.err(`error: ${(err as Error).message}`);
        }
      }
      // End of input (a script piped in, or started in the background): keep serving
      // until a signal or --for.
    })();
    await new Promise<void>((resolve) => {
      if (done.signal.aborted) resolve();
      else
        done.signal.addEventListener(
          'abort',
          () => {
            resolve();
          },
          { once: true },
        );
    });
    clearTimeout(timer);
    control.signal.removeEventListener('abort', stop);
    void reading;
    io.out('Simulation stopped.');
    return 0;
  } finally {
    await sim.chain.close();
  }
}
