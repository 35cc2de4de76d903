/**
 * A scripted CometBFT chain in its own process for the capacity phase of bench:nodeops,
 * so the simulator's CPU is not counted as the monitor's. Arguments: node count, block
 * time (ms). Prints `{"url": …}` once serving, then answers one line per line read:
 * `stall <node>` → `ok`, `count` → the `/status` requests answered so far.
 */
import { createInterface } from 'node:readline';
import { startScriptedChain } from '../../src/nodeops/simulator.js';

const nodes = Number(process.argv[2] ?? 100);
const blockTimeMs = Number(process.argv[3] ?? 6500);
const chain = await startScriptedChain({ chainId: 'cap-1', blockTimeMs, validators: 4 });
for (let i = 0; i < nodes; i++) chain.addNode(`cap-${i}`);
for (const r of ['ref-a', 'ref-b']) chain.addNode(r);
process.stdout.write(`${JSON.stringify({ url: chain.url })}\n`);

const input = createInterface({ input: process.stdin, terminal: false });
for await (const line of input) {
  const [cmd, arg] = line.trim().split(/\s+/);
  if (cmd === 'stall' && arg) {
    chain.stall(arg);
    process.stdout.write('ok\n');
  } else if (cmd === 'count') {
    process.stdout.write(`${chain.statusRequests()}\n`);
  } else {
    process.stdout.write('error\n');
  }
}
await chain.close();
