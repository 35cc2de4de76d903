import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { spawnVaultwire, type VaultwireProcess } from '../../test/support/process.js';
import { testEnv } from '../../test/support/app.js';
import { NodeopsSettingsSchema } from './settings.js';

/**
 * `vaultwire nodes simulate`, run as an operator runs it: the real command in a child
 * process, faults typed on its standard input, the nodes asked over HTTP.
 */
const procs: VaultwireProcess[] = [];

afterEach(async () => {
  for (const p of procs.splice(0)) {
    p.kill('SIGKILL');
    await p.exited;
  }
});

function simulate(args: string[]): VaultwireProcess {
  const p = spawnVaultwire(['nodes', 'simulate', ...args], testEnv());
  procs.push(p);
  return p;
}

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined) {
  const end = Date.now() + 60_000;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const lineMatching = (p: VaultwireProcess, re: RegExp) => () => p.lines.find((l) => re.test(l));

async function height(url: string): Promise<number> {
  const body = (await (await fetch(`${url}/status`)).json()) as {
    result: { sync_info: { latest_block_height: string } };
  };
  return Number(body.result.sync_info.latest_block_height);
}

describe('vaultwire nodes simulate', () => {
  it('serves a scripted chain, prints a nodeops section that validates, and takes typed faults', async () => {
    const p = simulate(['--family', 'cometbft', '--nodes', '2', '--block-time', '0.3']);
    await until('the prompt', lineMatching(p, /^Type a fault/));

    // The printed section is what the operator pastes: it must be a valid `nodeops:`.
    const start = p.lines.findIndex((l) => l === '  nodeops:');
    const end = p.lines.findIndex((l, i) => i > start && l.startsWith('Type a fault'));
    const yaml = p.lines
      .slice(start, end)
      .map((l) => l.slice(2))
      .join('\n');
    const section = NodeopsSettingsSchema.parse((parse(yaml) as { nodeops: unknown }).nodeops);
    expect(section.chains[0]).toMatchObject({ key: 'sim-cometbft', family: 'cometbft' });
    expect(section.nodes.map((n) => [n.name, n.role])).toEqual([
      ['cometbft-1', 'validator'],
      ['cometbft-2', 'rpc'],
    ]);
    const watched = section.nodes[0]?.url ?? '';
    const ref = section.chains[0]?.references[0] ?? '';

    // The chain advances; `stall` stops the node while the reference goes on.
    const h0 = await height(watched);
    await until('a new block', async () => ((await height(watched)) > h0 ? true : undefined));
    p.proc.stdin?.write('stall cometbft-1\n');
    const ok = await until('the stall', lineMatching(p, /^ok: cometbft-1 stalled at height \d+$/));
    const stalledAt = Number(/height (\d+)$/.exec(ok)?.[1]);
    await until('the reference 3 blocks on', async () =>
      (await height(ref)) >= stalledAt + 3 ? true : undefined,
    );
    expect(await height(watched)).toBe(stalledAt);

    p.proc.stdin?.write('heal cometbft-1\n');
    await until('healed', async () => ((await height(watched)) > stalledAt ? true : undefined));

    p.proc.stdin?.write('fork nowhere\nbogus\n');
    await until('the refusals', lineMatching(p, /^error: unknown command "bogus"; type help$/));
    expect(p.lines).toContain('error: no node "nowhere"; nodes: cometbft-1, cometbft-2, ref');

    p.proc.stdin?.write('quit\n');
    expect(await p.exited).toBe(0);
    expect(p.lines).toContain('Simulation stopped.');
  });

  it('ends by itself after --for; refuses bad options', async () => {
    const eos = simulate(['--family', 'eos', '--nodes', '1', '--for', '0.5']);
    expect(await eos.exited).toBe(0);
    expect(eos.lines.some((l) => /^ {2}producers {4}produceraaa, /.test(l))).toBe(true);
    expect(eos.lines).toContain('Simulation stopped.');

    const bad = simulate(['--family', 'evm']);
    expect(await bad.exited).not.toBe(0);
    expect(bad.lines.join('\n')).toMatch(/Allowed choices are cometbft, eos, xrpl/);
  });
});
