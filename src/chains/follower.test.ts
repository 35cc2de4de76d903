import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getAddress, toEventSelector, type Address } from 'viem';
import { createTestDb, type TestDb } from '../../test/support/db.js';
import {
  call,
  localChainSettings,
  makeAdapter,
  makeFollower,
  silentLogger,
  soloContext,
  syncToHead,
  tokenConstructorArgs,
} from '../../test/fixtures/chains/harness.js';
import { startLocalNode, type LocalNode } from '../../test/fixtures/chains/node.js';
import type { LogInterestSource } from './adapter.js';
import { InconsistentChainDataError } from './evm/adapter.js';
import { webSocketHeads } from './evm/heads.js';
import { createFollower } from './follower.js';
import { chainEventId } from './types.js';

let node: LocalNode;
let t: TestDb;
let sender: Address;
let alice: Address;
let bob: Address;

beforeAll(async () => {
  node = await startLocalNode();
  t = await createTestDb();
  [sender, alice, bob] = node.accounts as [Address, Address, Address];
});

afterAll(async () => {
  await t.drop();
  await node.stop();
});

interface EventRow {
  id: string;
  kind: string;
  block_number: bigint;
  block_hash: string;
  tx_index: number;
  log_index: number;
  item_index: number;
  from_address: string | null;
  to_address: string | null;
  token_id: string | null;
  amount: string | null;
  filter: string | null;
  decoded: { eventName: string; args: Record<string, unknown> } | null;
  stage: string;
}

async function events(chainKey: string): Promise<EventRow[]> {
  const { rows } = await t.db.query<EventRow>(
    `SELECT * FROM chain_events WHERE chain_key = $1 ORDER BY block_number, tx_index, log_index, item_index, kind`,
    [chainKey],
  );
  return rows;
}

describe('follower against a local node', () => {
  it('decodes native, ERC-20, ERC-721, ERC-1155 and filtered raw logs, with deterministic ids', async () => {
    const token = await node.deploy('VwToken', tokenConstructorArgs('Test', 'TST', 6));
    const nft = await node.deploy('VwNft');
    const multi = await node.deploy('VwMulti');
    const settings = localChainSettings(node, {
      key: 'decode',
      confirmations: 0,
      logFilters: [
        {
          name: 'notes',
          address: multi,
          topics: [toEventSelector('Noted(address,uint256,string)')],
          abi: ['event Noted(address indexed who, uint256 indexed tag, string text)'],
        },
      ],
    });
    await node.send({ from: sender, ...call('VwToken', token, 'mint', [alice, 5_000_000n]) });
    await node.send({ from: alice, ...call('VwToken', token, 'transfer', [bob, 1_250_000n]) });
    await node.send({ from: sender, ...call('VwNft', nft, 'mint', [bob, 42n]) });
    await node.send({ from: sender, ...call('VwMulti', multi, 'mint', [alice, 7n, 3n]) });
    await node.send({
      from: sender,
      ...call('VwMulti', multi, 'mintBatch', [bob, [1n, 2n], [10n, 20n]]),
    });
    await node.send({ from: sender, ...call('VwMulti', multi, 'note', [99n, 'hello']) });
    const native = await node.send({ from: alice, to: bob, value: 10n ** 18n });
    // A reverted call with value: no value moves, so no native event.
    const reverted = await node.sendReverting({
      from: alice,
      ...call('VwNft', nft, 'transferFrom', [alice, bob, 42n]),
      value: 5n,
      gas: 100_000n,
    });
    expect(reverted.status).toBe('0x0');

    const { follower } = makeFollower(t.db, settings);
    await syncToHead(follower);
    const rows = await events('decode');
    const summary = rows.map((r) => [r.kind, r.from_address, r.to_address, r.token_id, r.amount]);
    const lc = (a: string) => a.toLowerCase();
    const zero = `0x${'0'.repeat(40)}`;
    expect(summary).toEqual([
      ['erc20', zero, lc(alice), null, '5000000'],
      ['erc20', lc(alice), lc(bob), null, '1250000'],
      ['erc721', zero, lc(bob), '42', '1'],
      ['erc1155', zero, lc(alice), '7', '3'],
      ['erc1155', zero, lc(bob), '1', '10'],
      ['erc1155', zero, lc(bob), '2', '20'],
      ['log', null, null, null, null],
      ['native', lc(alice), lc(bob), null, (10n ** 18n).toString()],
    ]);
    const note = rows.find((r) => r.kind === 'log');
    expect(note?.filter).toBe('notes');
    expect(note?.decoded).toEqual({
      eventName: 'Noted',
      args: { who: getAddress(sender), tag: '99', text: 'hello' },
    });
    const nativeRow = rows.find((r) => r.kind === 'native');
    expect(nativeRow?.block_hash).toBe(native.blockHash.toLowerCase());
    expect(nativeRow?.id).toBe(chainEventId('decode', native.blockHash, 0, -1));
    expect(rows.every((r) => r.stage === 'confirmed')).toBe(true);
  });

  it('reads again, in the same step, blocks it read ahead that came back inconsistent', async () => {
    const settings = localChainSettings(node, {
      key: 'ahead-failed',
      confirmations: 0,
      startBlock: 'latest',
      fetchConcurrency: 1,
    });
    const { adapter, metrics } = makeAdapter(settings);
    // The second read is the one ahead (the first step reads one block, then the next
    // while it commits): it fails as a read across a reorg does.
    let reads = -Infinity;
    const follower = createFollower({
      db: t.db,
      adapter: {
        ...adapter,
        fetchBlocks: (from, to, interest) =>
          ++reads === 2
            ? Promise.reject(new InconsistentChainDataError('receipt is not in its block'))
            : adapter.fetchBlocks(from, to, interest),
      },
      settings,
      outbox: { publish: () => Promise.resolve({ id: 'evt' }) },
      metrics,
      logger: silentLogger,
      maxBatchBlocks: 1,
    });
    await syncToHead(follower);
    await node.mine(3);
    reads = 0;
    expect(await follower.step(soloContext())).toMatchObject({ kind: 'advanced', blocks: 1 });
    expect(reads).toBe(2);
    // Not a failed step: the block is read again and the follower goes on to the head.
    expect(await follower.step(soloContext())).toMatchObject({ kind: 'advanced', blocks: 1 });
    await syncToHead(follower);
  });

  it('keeps events pending until the confirmation depth, then confirms them once', async () => {
    const settings = localChainSettings(node, {
      key: 'depth',
      confirmations: 3,
      startBlock: 'latest',
    });
    const { follower } = makeFollower(t.db, settings);
    await syncToHead(follower);
    const r = await node.send({ from: alice, to: bob, value: 123n });
    await syncToHead(follower);
    expect((await events('depth')).map((e) => e.stage)).toEqual(['pending']);
    await node.mine(2);
    await syncToHead(follower);
    expect((await events('depth')).map((e) => e.stage)).toEqual(['pending']);
    await node.mine(1);
    await syncToHead(follower);
    expect((await events('depth')).map((e) => e.stage)).toEqual(['confirmed']);
    const { rows } = await t.db.query<{ type: string; n: bigint }>(
      `SELECT type, count(*) AS n FROM outbox_events
        WHERE aggregate_id = $1 GROUP BY type ORDER BY type`,
      [`depth:${BigInt(r.blockNumber)}`],
    );
    expect(rows.map((x) => [x.type, Number(x.n)])).toEqual([
      ['chain.block.confirmed', 1],
      ['chain.block.pending', 1],
    ]);
    // The message shape subscribers (webhooks) depend on.
    const { rows: msgs } = await t.db.query<{ payload: Record<string, unknown> }>(
      `SELECT payload FROM outbox_events WHERE type = 'chain.block.pending' AND aggregate_id = $1`,
      [`depth:${BigInt(r.blockNumber)}`],
    );
    expect(msgs[0]?.payload).toEqual({
      chain: 'depth',
      stage: 'pending',
      block: {
        number: BigInt(r.blockNumber).toString(),
        hash: r.blockHash.toLowerCase(),
        parent_hash: expect.stringMatching(/^0x[0-9a-f]{64}$/),
        timestamp: expect.any(Number),
      },
      events: [
        {
          id: expect.stringMatching(/^cev_[0-9a-f]{32}$/),
          block_number: BigInt(r.blockNumber).toString(),
          tx_hash: r.transactionHash.toLowerCase(),
          tx_index: 0,
          log_index: -1,
          item_index: 0,
          kind: 'native',
          contract: null,
          from_address: alice.toLowerCase(),
          to_address: bob.toLowerCase(),
          token_id: null,
          amount: '123',
          filter: null,
          topics: null,
          data: null,
          decoded: null,
          stage: 'pending',
        },
      ],
    });
  });

  it('on a reorg emits removed for every event of the dropped blocks, then the replacements', async () => {
    const settings = localChainSettings(node, {
      key: 'reorg',
      confirmations: 5,
      startBlock: 'latest',
    });
    const { follower, metrics } = makeFollower(t.db, settings);
    await syncToHead(follower);
    const snap = await node.snapshot();
    const dropped1 = await node.send({ from: alice, to: bob, value: 1000n });
    const dropped2 = await node.send({ from: bob, to: alice, value: 2000n });
    await syncToHead(follower);
    const before = await events('reorg');
    expect(before.map((e) => e.stage)).toEqual(['pending', 'pending']);

    await node.revert(snap);
    await node.mine(1);
    const replacement = await node.send({ from: alice, to: sender, value: 3000n });
    await node.mine(1);
    await syncToHead(follower);

    const after = await events('reorg');
    const byId = new Map(after.map((e) => [e.id, e]));
    for (const old of before) expect(byId.get(old.id)?.stage).toBe('removed');
    const live = after.filter((e) => e.stage !== 'removed');
    expect(live.map((e) => [e.block_hash, e.amount])).toEqual([
      [replacement.blockHash.toLowerCase(), '3000'],
    ]);
    // The removed messages name the original event ids, newest block first.
    const { rows } = await t.db.query<{
      payload: { block: { hash: string }; events: { id: string }[] };
    }>(
      `SELECT payload FROM outbox_events WHERE type = 'chain.block.removed' AND aggregate_id LIKE 'reorg:%' ORDER BY seq`,
    );
    expect(rows.map((r) => r.payload.block.hash)).toEqual([
      dropped2.blockHash.toLowerCase(),
      dropped1.blockHash.toLowerCase(),
    ]);
    expect(rows.flatMap((r) => r.payload.events.map((e) => e.id)).sort()).toEqual(
      before.map((e) => e.id).sort(),
    );
    expect((await metrics.reorgs.get()).values[0]?.value).toBe(1);
  });

  it('halts loudly, without skipping, on a reorg deeper than its window', async () => {
    const settings = localChainSettings(node, {
      key: 'deep',
      confirmations: 2,
      windowBlocks: 8,
      startBlock: 'latest',
    });
    const { follower, metrics } = makeFollower(t.db, settings);
    const snap = await node.snapshot();
    await syncToHead(follower);
    const forkPoint = BigInt(await node.rpc<string>('eth_blockNumber'));
    await node.send({ from: alice, to: bob, value: 7n });
    await node.mine(20);
    await syncToHead(follower);
    await node.revert(snap);
    const replacement = await node.send({ from: alice, to: bob, value: 1n });
    await node.mine(25);
    const r = await follower.step(soloContext());
    expect(r.kind).toBe('halted');
    // It stays halted (does not quietly resume on the new chain).
    expect((await follower.step(soloContext())).kind).toBe('halted');
    expect((await metrics.halted.get()).values[0]?.value).toBe(1);
    const { rows } = await t.db.query(
      `SELECT 1 FROM outbox_events WHERE type = 'chain.follower.halted'`,
    );
    expect(rows.length).toBe(1);

    // The operator rewinds to a block both chains share; the follower resumes on the new one.
    // Below the stored window its hash cannot be checked: refused unless marked unverified.
    expect(await follower.requestRewind(forkPoint)).toMatchObject({
      code: 'rewind_target_unverified',
    });
    expect(await follower.requestRewind(forkPoint, { unverified: true })).toBe(true);
    expect((await follower.step(soloContext())).kind).toBe('reorg');
    await syncToHead(follower);
    const all = await events('deep');
    expect(all.map((e) => `${e.amount}:${e.stage}`).sort()).toEqual(['1:confirmed', '7:removed']);
    expect(all.find((e) => e.stage === 'confirmed')?.block_hash).toBe(
      replacement.blockHash.toLowerCase(),
    );
    expect((await metrics.halted.get()).values[0]?.value).toBe(0);
  });
  it('wakes on a WebSocket newHeads notification instead of waiting out its poll interval', async () => {
    const settings = localChainSettings(node, {
      key: 'ws',
      startBlock: 'latest',
      confirmations: 0,
      pollMs: 600_000,
    });
    const heads = webSocketHeads({ url: node.url.replace('http', 'ws'), logger: silentLogger });
    const { follower } = makeFollower(t.db, settings, { heads });
    const stop = new AbortController();
    const running = follower.run({ ...soloContext(), signal: stop.signal });
    try {
      // Let it catch up and go idle (its next poll is ten minutes away).
      for (let i = 0; i < 100; i++) {
        const { rows } = await t.db.query(`SELECT 1 FROM chain_cursors WHERE chain_key = 'ws'`);
        if (rows.length > 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 200));
      const sent = await node.send({ from: alice, to: bob, value: 99n });
      let seen: EventRow[] = [];
      for (let i = 0; i < 400 && seen.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
        // On a loaded machine the subscription may not be up yet when that block comes
        // (and its head is then missed): another head each second wakes it once it is.
        // Still far inside the ten-minute poll, so only a notification can explain it.
        if (i % 20 === 19) await node.mine(1);
        seen = await events('ws');
      }
      expect(seen.map((e) => [e.block_hash, e.amount])).toEqual([
        [sent.blockHash.toLowerCase(), '99'],
      ]);
    } finally {
      stop.abort();
      await running;
      await heads.close();
    }
  });
});

/**
 * A log interest as another module would keep it. `current()` hands out a snapshot, so a
 * block decoded before a change never sees it, however the timing falls. Every change
 * moves the mark; `touch()` is a change of that module that leaves the set as it is.
 */
function testInterest(chainKey: string) {
  const wanted = new Set<string>();
  let version = 0;
  let mark = 0n;
  let refreshes = 0;
  const source: LogInterestSource = {
    refresh() {
      refreshes += 1;
      return Promise.resolve();
    },
    current(key) {
      const snapshot = key === chainKey ? new Set(wanted) : new Set<string>();
      return { version, mark, wants: (contract) => snapshot.has(contract) };
    },
  };
  return {
    source,
    refreshes: () => refreshes,
    add(contract: string) {
      wanted.add(contract.toLowerCase());
      version += 1;
      mark += 1n;
    },
    touch() {
      mark += 1n;
    },
  };
}

/**
 * A follower of its own chain key from `start`, under a test interest, one block per step
 * with no confirmations: each step's reads and fetches ahead can be told apart.
 */
function stepwiseFollower(key: string, start: bigint) {
  const interest = testInterest(key);
  const settings = localChainSettings(node, {
    key,
    confirmations: 0,
    startBlock: Number(start),
    fetchConcurrency: 1,
  });
  const { follower } = makeFollower(t.db, settings, {
    logInterest: interest.source,
    maxBatchBlocks: 1,
  });
  return { interest, follower };
}

describe('follower with a log interest', () => {
  interface LogRow {
    kind: string;
    contract: string | null;
    filter: string | null;
    topics: string[] | null;
    data: string | null;
    block_number: bigint;
  }
  const rowsOf = async (chainKey: string) =>
    (await events(chainKey)) as unknown as (EventRow & LogRow)[];
  const cursorOf = async (chainKey: string) => {
    const { rows } = await t.db.query<{ block_number: bigint; interest_mark: bigint | null }>(
      'SELECT block_number, interest_mark FROM chain_cursors WHERE chain_key = $1',
      [chainKey],
    );
    return rows[0];
  };

  it('emits every log of the contracts it names, and only those, each once', async () => {
    const multi = await node.deploy('VwMulti');
    const filtered = await node.deploy('VwMulti');
    const stranger = await node.deploy('VwMulti');
    const token = await node.deploy('VwToken', tokenConstructorArgs('I', 'I', 0));
    const start = BigInt(await node.rpc<string>('eth_blockNumber')) + 1n;
    const noted = toEventSelector('Noted(address,uint256,string)');
    const note = await node.send({ from: sender, ...call('VwMulti', multi, 'note', [7n, 'hi']) });
    await node.send({ from: sender, ...call('VwMulti', filtered, 'note', [8n, 'f']) });
    await node.send({ from: sender, ...call('VwMulti', stranger, 'note', [9n, 'no']) });
    await node.send({ from: sender, ...call('VwToken', token, 'mint', [alice, 5n]) });
    await node.send({ from: alice, ...call('VwToken', token, 'approve', [bob, 9n]) });
    await node.send({ from: sender, ...call('VwMulti', multi, 'mint', [alice, 1n, 2n]) });
    const base = {
      confirmations: 0,
      startBlock: Number(start),
      logFilters: [{ name: 'filtered', address: filtered, topics: [noted] }],
    };

    // Without an interest: transfers and the configured filter, nothing else.
    const plain = makeFollower(t.db, localChainSettings(node, { ...base, key: 'no-interest' }));
    await syncToHead(plain.follower);
    const without = await rowsOf('no-interest');
    expect(without.map((r) => [r.kind, r.contract, r.filter])).toEqual([
      ['log', filtered.toLowerCase(), 'filtered'],
      ['erc20', token.toLowerCase(), null],
      ['erc1155', multi.toLowerCase(), null],
    ]);
    expect((await cursorOf('no-interest'))?.interest_mark).toBeNull();

    // With multi, filtered and token wanted (not stranger).
    const interest = testInterest('interest');
    for (const c of [multi, filtered, token]) interest.add(c);
    const settings = localChainSettings(node, { ...base, key: 'interest' });
    const { follower } = makeFollower(t.db, settings, { logInterest: interest.source });
    await syncToHead(follower);
    expect(interest.refreshes()).toBeGreaterThan(0);
    // Stored with the cursor: the blocks up to it were read with all three contracts.
    expect((await cursorOf('interest'))?.interest_mark).toBe(3n);
    const rows = await rowsOf('interest');
    expect(rows.map((r) => [r.kind, r.contract, r.filter])).toEqual([
      ['log', multi.toLowerCase(), 'subscribed'], // Noted, no filter covers it
      ['log', filtered.toLowerCase(), 'filtered'], // the filter's event only, not twice
      ['erc20', token.toLowerCase(), null], // a transfer, not repeated as a raw log
      ['log', token.toLowerCase(), 'subscribed'], // Approval
      ['erc1155', multi.toLowerCase(), null],
      ['log', multi.toLowerCase(), 'subscribed'], // TransferSingle, raw as well
    ]);
    const raw = rows[0];
    const { rows: strangers } = await t.db.query<{ n: bigint }>(
      'SELECT count(*) AS n FROM chain_events WHERE chain_key = $1 AND contract = $2',
      ['interest', stranger.toLowerCase()],
    );
    expect(Number(strangers[0]?.n)).toBe(0);
    expect(raw?.block_hash).toBe(note.blockHash.toLowerCase());
    expect(raw?.topics?.[0]).toBe(noted);
    expect(raw?.topics?.[2]).toBe(`0x${(7).toString(16).padStart(64, '0')}`);
    expect(raw?.data).toMatch(/^0x[0-9a-f]+$/);
    expect(raw?.decoded).toBeNull();
    expect(raw?.id).toBe(
      chainEventId('interest', note.blockHash, 0, raw?.log_index ?? -2, 0, 'subscribed'),
    );
  });

  /** A fresh VwMulti and three blocks from `start` on, each with one of its logs. */
  const threeNotedBlocks = async () => {
    const multi = await node.deploy('VwMulti');
    const start = BigInt(await node.rpc<string>('eth_blockNumber')) + 1n;
    for (const tag of [1n, 2n, 3n]) {
      await node.send({ from: sender, ...call('VwMulti', multi, 'note', [tag, 'x']) });
    }
    return { multi, start };
  };

  it('counts a contract from the next step, even in blocks it had already fetched ahead', async () => {
    const { multi, start } = await threeNotedBlocks();
    const { interest, follower } = stepwiseFollower('ahead', start);
    // Reads the first block and fetches the second ahead, both before the contract is wanted.
    const first = await follower.step(soloContext());
    expect(first).toMatchObject({ kind: 'advanced', blocks: 1 });
    interest.add(multi);
    await syncToHead(follower);
    const logs = (await rowsOf('ahead')).filter((r) => r.kind === 'log');
    expect(logs.map((r) => r.block_number)).toEqual([start + 1n, start + 2n]);
  });

  it('stores with each cursor move the mark of the interest its blocks were read under', async () => {
    const { multi, start } = await threeNotedBlocks();
    const { interest, follower } = stepwiseFollower('marks', start);
    interest.touch(); // mark 1
    await follower.step(soloContext()); // reads start, fetches start + 1 ahead under mark 1
    expect(await cursorOf('marks')).toEqual({ block_number: start, interest_mark: 1n });

    // The set did not change, so the block fetched ahead is kept: stored with the mark it
    // was read under, not the newer one.
    interest.touch(); // mark 2
    await follower.step(soloContext()); // start + 1; fetches start + 2 ahead under mark 2
    expect(await cursorOf('marks')).toEqual({ block_number: start + 1n, interest_mark: 1n });

    // The set changed: the block fetched ahead is read again, under the new mark.
    interest.add(multi); // mark 3
    await follower.step(soloContext());
    expect(await cursorOf('marks')).toEqual({ block_number: start + 2n, interest_mark: 3n });
    const logs = (await rowsOf('marks')).filter((r) => r.kind === 'log');
    expect(logs.map((r) => r.block_number)).toEqual([start + 2n]);

    // Caught up, a step reads nothing: no block can come under an older interest, so the
    // newer mark is stored at once (a backfill waiting for it need not wait for a block),
    // without moving the cursor.
    interest.touch(); // mark 4
    expect((await follower.step(soloContext())).kind).toBe('idle');
    expect(await cursorOf('marks')).toEqual({ block_number: start + 2n, interest_mark: 4n });
    // Another holder's newer lease has written: this one's idle step writes nothing.
    await t.db.query(
      'UPDATE chain_cursors SET fencing_token = fencing_token + 100 WHERE chain_key = $1',
      ['marks'],
    );
    interest.touch(); // mark 5
    expect((await follower.step(soloContext())).kind).toBe('idle');
    expect((await cursorOf('marks'))?.interest_mark).toBe(4n);
  });
});
