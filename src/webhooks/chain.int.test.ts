import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { toEventSelector, type Address } from 'viem';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import { testDbKind } from '../../test/support/db.js';
import { call, syncToHead, tokenConstructorArgs } from '../../test/fixtures/chains/harness.js';
import { startLocalNode, type LocalNode } from '../../test/fixtures/chains/node.js';
import { startReceiver, waitFor, type Receiver } from '../../test/fixtures/webhooks/receiver.js';
import type { Follower } from '../chains/follower.js';
import type { Job } from '../platform/queue/queue.js';
import type { RunningDelivery } from './service.js';
import { BACKFILL_QUEUE, createBackfills, type BackfillJob } from './subscriptions/backfill.js';
import type { ChainSource } from './subscriptions/chain-source.js';
import { createSubscriptionMatcher } from './subscriptions/matcher.js';

/**
 * Chain subscriptions end to end, driven through the real follower against a local EVM
 * node (Hardhat): follower → outbox → ingest → delivery → receiver.
 */

const PW = 'correct horse battery staple';

interface Body {
  id: string;
  type: string;
  stage: string;
  retracts?: string;
  block: { number: string; hash: string };
  data: {
    event_id?: string;
    amount?: string;
    to?: string;
    tx_hash?: string;
    deadline?: string;
    decoded?: { args: Record<string, string> };
  };
}

let node: LocalNode;
let t: TestApp;
let rx: Receiver;
let follower: Follower;
let delivery: RunningDelivery;
let token: string;
let alice: Address;
let bob: Address;
let carol: Address;
let dave: Address;

/** Requests to `path`, without the creation ping. */
const at = (path: string) =>
  rx.received.filter((r) => r.path === path && !r.body.includes('"type":"webhook.ping"'));
const bodies = (path: string) => at(path).map((r) => JSON.parse(r.body) as Body);

/** Follows the chain to its head and runs the relay and ingest until nothing is left. */
async function follow(): Promise<void> {
  await syncToHead(follower);
  for (;;) {
    const relayed = await t.vw.outbox.relayOnce();
    const ran = await t.vw.jobs.runDue({ limit: 100 });
    if (relayed === 0 && ran === 0) return;
  }
}

async function endpoint(path: string, types: string[]) {
  const r = await t.request('POST', '/v1/webhook_endpoints', {
    token,
    body: { url: `${rx.url}${path}`, event_types: types },
  });
  expect(r.status, r.text).toBe(201);
  return { id: r.body.id as string, secret: r.body.secret as string };
}

async function subscribe(body: Record<string, unknown>) {
  const r = await t.request('POST', '/v1/webhook_subscriptions', { token, body });
  expect(r.status, r.text).toBe(201);
  return r.body as { id: string; item_count: number; backfill_id?: string };
}

/** The follower's heights as the app reads them. */
async function heights() {
  const h = await t.vw.chains.heights('local');
  if (!h) throw new Error('follower not started');
  return h;
}

/** A sample's value as `/metrics` shows it now (0 when the series does not exist yet). */
async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const r = await t.request('GET', '/metrics');
  expect(r.status).toBe(200);
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of r.text.split('\n')) {
    const m = /^([a-z_]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    // Subset match: the registry adds default labels (service) to every series.
    const got = (m[2] ?? '').split(',');
    if (want.every((l) => got.includes(l))) return Number(m[3]);
  }
  return 0;
}

/** Backfills of the test app over another chain source, whole ranges per job slice. */
const backfillsOver = (chains: Pick<ChainSource, 'heights' | 'fetchBlocks'>, chunkBlocks: number) =>
  createBackfills({
    db: t.vw.db,
    jobs: t.vw.jobs,
    chains,
    directory: t.vw.webhooks.directory,
    ingest: t.vw.webhooks.ingest,
    metrics: t.vw.webhooks.metrics,
    logger: t.vw.logger,
    settings: { maxBlocks: 1000, chunkBlocks, sliceMs: 60_000 },
  });

interface BackfillView {
  state: string;
  address_count: number;
  from_block: string;
  to_block: string | null;
}

/** A subscription's first backfill, as the API shows it. */
async function firstBackfill(subId: string): Promise<BackfillView | undefined> {
  const r = await t.request('GET', `/v1/webhook_subscriptions/${subId}/backfills`, { token });
  expect(r.status, r.text).toBe(200);
  return (r.body.data as BackfillView[])[0];
}

/** Follows the chain and runs due jobs until the subscription's backfill is `done`-ish. */
const settleBackfill = (
  subId: string,
  what: string,
  done: (b: BackfillView | undefined) => boolean,
) =>
  waitFor(async () => {
    await follow();
    if (done(await firstBackfill(subId))) return true;
    await new Promise((r) => setTimeout(r, 100)); // continuation jobs wait ~1 s
    return false;
  }, what);

/** A contract-log subscription's body for every `Noted` log of one VwMulti contract. */
const notedLogsOf = (contract: string) => ({
  kind: 'contract_log',
  chain: 'local',
  filter: {
    addresses: [contract],
    abi: 'event Noted(address indexed who, uint256 indexed tag, string text)',
  },
});

const randomAddress = () => `0x${randomBytes(20).toString('hex')}`;

beforeAll(async () => {
  node = await startLocalNode();
  [alice, bob, carol, dave] = node.accounts as [Address, Address, Address, Address];
  rx = await startReceiver();
  t = await createTestApp({
    VW_CHAINS: JSON.stringify([
      {
        key: 'local',
        chainId: node.chainId,
        rpcUrls: [node.url],
        confirmations: 3,
        pollMs: 50,
        windowBlocks: 32,
        startBlock: 'latest',
        nativeAsset: { code: 'ETH', decimals: 18 },
      },
    ]),
    VW_WEBHOOK_SSRF_ALLOW: '127.0.0.1/32',
    VW_WEBHOOK_POLL_MS: '20',
    VW_WEBHOOK_MAX_ADDRESSES: '5',
    VW_WEBHOOK_BACKFILL_MAX_BLOCKS: '20',
  });
  const f = t.vw.chains.follower('local');
  if (!f) throw new Error('no follower');
  follower = f;
  await t.request('POST', '/v1/users', { body: { email: 'm@example.com', password: PW } });
  const s = await t.request('POST', '/v1/sessions', {
    body: { email: 'm@example.com', password: PW },
  });
  token = s.body.token as string;
  await follow();
  delivery = await t.vw.webhooks.startDelivery({ concurrency: 16 });
}, 180_000);

afterAll(async () => {
  await delivery.stop();
  await t.close();
  await rx.close();
  await node.stop();
});

describe('chain subscriptions', () => {
  it('a transfer seen pending and reorged out is retracted by id; its replacement arrives once', async () => {
    const e = await endpoint('/reorg', ['address.activity']);
    await subscribe({
      endpoint_id: e.id,
      kind: 'address_activity',
      chain: 'local',
      addresses: [bob],
    });
    const snap = await node.snapshot();
    await node.send({ from: alice, to: bob, value: 1000n });
    await follow();
    await waitFor(() => bodies('/reorg').some((b) => b.stage === 'pending'), 'pending delivery');
    const original = bodies('/reorg').find((b) => b.stage === 'pending');
    if (!original) throw new Error('no pending');
    expect(original.type).toBe('address.activity');
    expect(original.data).toMatchObject({ amount: '1000', to: bob.toLowerCase() });

    await node.revert(snap);
    await node.mine(1);
    const replacement = await node.send({ from: alice, to: bob, value: 1000n });
    await node.mine(1);
    await follow();
    await waitFor(
      () =>
        bodies('/reorg').some((b) => b.stage === 'removed') &&
        bodies('/reorg').some(
          (b) => b.stage === 'pending' && b.block.hash === replacement.blockHash.toLowerCase(),
        ),
      'removal and replacement',
    );
    const removed = bodies('/reorg').filter((b) => b.stage === 'removed');
    expect(removed).toHaveLength(1);
    expect(removed[0]?.retracts).toBe(original.id);
    expect(removed[0]?.data.event_id).toBe(original.data.event_id);
    expect(removed[0]?.block.hash).toBe(original.block.hash);

    // Three blocks on top confirm the replacement: one confirmed message, signed.
    await node.mine(3);
    await follow();
    await waitFor(() => bodies('/reorg').some((b) => b.stage === 'confirmed'), 'confirmed');
    const forReplacement = at('/reorg').filter(
      (r) => (JSON.parse(r.body) as Body).block.hash === replacement.blockHash.toLowerCase(),
    );
    expect(forReplacement.map((r) => (JSON.parse(r.body) as Body).stage).sort()).toEqual([
      'confirmed',
      'pending',
    ]);
    expect(new Set(forReplacement.map((r) => r.headers['webhook-id'])).size).toBe(2);
    for (const r of forReplacement)
      expect(new Webhook(e.secret).verify(r.body, r.headers)).toBeTruthy();
  });

  it('counts an address from the block it was added for, and refuses more than the cap', async () => {
    const e = await endpoint('/from-block', ['address.activity']);
    const head = BigInt(await node.rpc<string>('eth_blockNumber'));
    const sub = await subscribe({
      endpoint_id: e.id,
      kind: 'address_activity',
      chain: 'local',
      addresses: [carol],
      from_block: String(head + 3n),
    });
    expect(sub.item_count).toBe(1);
    await node.send({ from: alice, to: carol, value: 1n }); // head + 1: not yet
    await node.mine(1);
    await node.send({ from: alice, to: carol, value: 2n }); // head + 3: counts
    await follow();
    await waitFor(() => bodies('/from-block').some((b) => b.data.amount === '2'), 'second');
    expect(bodies('/from-block').some((b) => b.data.amount === '1')).toBe(false);

    const many = Array.from({ length: 6 }, (_, i) => `0x${(i + 1).toString(16).padStart(40, '0')}`);
    const r = await t.request('POST', `/v1/webhook_subscriptions/${sub.id}/items/add`, {
      token,
      body: { items: many },
    });
    expect([r.status, r.body.error.code]).toEqual([400, 'too_many_addresses']);
    const bad = await t.request('POST', `/v1/webhook_subscriptions/${sub.id}/items/add`, {
      token,
      body: { items: ['0x1234'] },
    });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'address_invalid']);
    // Removal from a block on: later transfers no longer match.
    const rm = await t.request('POST', `/v1/webhook_subscriptions/${sub.id}/items/remove`, {
      token,
      body: { items: [carol] },
    });
    expect(rm.status, rm.text).toBe(200);
    expect(rm.body.item_count).toBe(0);
    await node.send({ from: alice, to: carol, value: 3n });
    await follow();
    await node.send({ from: alice, to: bob, value: 4n });
    await follow();
    await new Promise((r) => setTimeout(r, 300));
    expect(bodies('/from-block').some((b) => b.data.amount === '3')).toBe(false);
  });

  it('filters contract logs on ABI-decoded fields, and reports new blocks and mined transactions', async () => {
    const tokenAddr = await node.deploy('VwToken', tokenConstructorArgs('Test', 'TST', 6));
    const logs = await endpoint('/logs', ['contract.log']);
    await subscribe({
      endpoint_id: logs.id,
      kind: 'contract_log',
      chain: 'local',
      filter: {
        addresses: [tokenAddr],
        abi: 'event Transfer(address indexed from, address indexed to, uint256 value)',
        where: { field: 'value', op: 'gte', value: '1000' },
      },
    });
    const bad = await t.request('POST', '/v1/webhook_subscriptions', {
      token,
      body: { endpoint_id: logs.id, kind: 'contract_log', chain: 'local', filter: { topics: [1] } },
    });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'filter_invalid']);
    // A `where` on a field the event does not have would never match: refused.
    const noField = await t.request('POST', '/v1/webhook_subscriptions', {
      token,
      body: {
        endpoint_id: logs.id,
        kind: 'contract_log',
        chain: 'local',
        filter: {
          addresses: [tokenAddr],
          abi: 'event Transfer(address indexed from, address indexed to, uint256 value)',
          where: { field: 'amount', op: 'gte', value: '1000' },
        },
      },
    });
    expect([noField.status, noField.body.error.code, noField.body.error.param]).toEqual([
      400,
      'filter_invalid',
      'filter',
    ]);

    const blocks = await endpoint('/blocks', ['block.new', 'tx.mined']);
    await subscribe({
      endpoint_id: blocks.id,
      kind: 'new_block',
      chain: 'local',
      filter: { stages: ['pending'] },
    });
    await node.send({ from: alice, ...call('VwToken', tokenAddr, 'mint', [dave, 500n]) });
    const big = await node.send({
      from: alice,
      ...call('VwToken', tokenAddr, 'mint', [dave, 2000n]),
    });
    await subscribe({
      endpoint_id: blocks.id,
      kind: 'transaction',
      chain: 'local',
      tx_hashes: [big.transactionHash],
    });
    await follow();
    await waitFor(() => bodies('/logs').some((b) => b.stage === 'pending'), 'log delivery');
    const got = bodies('/logs').filter((b) => b.stage === 'pending');
    expect(got).toHaveLength(1);
    expect(got[0]?.data.decoded?.args).toMatchObject({ value: '2000', to: dave.toLowerCase() });

    await node.mine(1);
    await follow();
    const head = Number(await node.rpc<string>('eth_blockNumber'));
    const numbers = () =>
      new Set(
        bodies('/blocks')
          .filter((b) => b.type === 'block.new')
          .map((b) => Number(b.block.number)),
      );
    // Deliveries of earlier blocks may land first: wait for the head's own.
    await waitFor(() => numbers().has(head), 'the head block delivered');
    expect(bodies('/blocks').every((b) => b.type !== 'block.new' || b.stage === 'pending')).toBe(
      true,
    );
    const mined = bodies('/blocks').filter((b) => b.type === 'tx.mined');
    expect(mined.map((b) => [b.stage, b.data.tx_hash])).toEqual([
      ['pending', big.transactionHash.toLowerCase()],
    ]);
  });

  it('delivers the logs of any contract the follower is not configured for: decoded, filtered, from from_block on, and retracted on a reorg', async () => {
    const multi = await node.deploy('VwMulti');
    const stranger = await node.deploy('VwMulti');
    const e = await endpoint('/any-contract', ['contract.log']);
    const noted = toEventSelector('Noted(address,uint256,string)');
    const head = BigInt(await node.rpc<string>('eth_blockNumber'));
    const sub = (await subscribe({
      endpoint_id: e.id,
      kind: 'contract_log',
      chain: 'local',
      filter: {
        addresses: [multi],
        topics: [noted],
        abi: 'event Noted(address indexed who, uint256 indexed tag, string text)',
        where: { field: 'tag', op: 'gte', value: 100 },
      },
      from_block: String(head + 2n),
    })) as { id: string; from_block?: string; backfill_id?: string };
    expect(sub.from_block).toBe(String(head + 2n));
    // A from_block ahead of the follower still gets a backfill: the follower may read past
    // it before its interest takes the subscription in. Here it did not, so the backfill
    // adds nothing (checked by the exact deliveries below).
    expect(sub.backfill_id).toMatch(/^wbf_/);
    const note = (contract: Address, tag: bigint, text: string) =>
      node.send({ from: alice, ...call('VwMulti', contract, 'note', [tag, text]) });
    await note(multi, 300n, 'early'); // head + 1: matches, but before from_block
    await follow();
    const snap = await node.snapshot();
    await note(multi, 5n, 'low'); // the predicate says no
    const hit = await note(multi, 150n, 'high');
    await node.send({ from: alice, ...call('VwMulti', multi, 'mint', [alice, 1n, 1n]) }); // another topic
    await note(stranger, 200n, 'elsewhere'); // another contract
    await follow();
    await waitFor(
      () => bodies('/any-contract').some((b) => b.stage === 'pending'),
      'contract log delivery',
    );
    await new Promise((r) => setTimeout(r, 300));
    const delivered = bodies('/any-contract');
    expect(delivered.map((b) => [b.type, b.stage, b.block.hash])).toEqual([
      ['contract.log', 'pending', hit.blockHash.toLowerCase()],
    ]);
    const original = delivered[0];
    expect(original?.data.decoded?.args).toEqual({
      who: alice.toLowerCase(),
      tag: '150',
      text: 'high',
    });
    // The follower kept the logs of the subscribed contract, and only of that one.
    const { rows: kept } = await t.vw.db.query<{ contract: string; n: bigint }>(
      `SELECT contract, count(*) AS n FROM chain_events
        WHERE chain_key = 'local' AND kind = 'log' AND contract = ANY($1::text[])
        GROUP BY contract`,
      [[multi.toLowerCase(), stranger.toLowerCase()]],
    );
    expect(kept.map((r) => [r.contract, Number(r.n)])).toEqual([[multi.toLowerCase(), 4]]);

    // The blocks are reorged out: the delivered log is retracted by id, nothing else moves.
    await node.revert(snap);
    await node.mine(2);
    await follow();
    await waitFor(
      () => bodies('/any-contract').some((b) => b.stage === 'removed'),
      'contract log retraction',
    );
    await node.mine(3);
    await follow();
    await new Promise((r) => setTimeout(r, 300));
    const after = bodies('/any-contract');
    expect(after.map((b) => b.stage)).toEqual(['pending', 'removed']);
    const removed = after[1];
    expect(removed?.retracts).toBe(original?.id);
    expect(removed?.data.event_id).toBe(original?.data.event_id);
    expect(removed?.block.hash).toBe(hit.blockHash.toLowerCase());
  });

  it('a process starting later loads every watched address in one sync', async () => {
    const fresh = createSubscriptionMatcher({ db: t.vw.db });
    await fresh.sync();
    const event = (to: string) => ({
      id: `cev_${to}`,
      block_number: '999999',
      tx_hash: `0x${'9'.repeat(64)}`,
      tx_index: 0,
      log_index: -1,
      item_index: 0,
      kind: 'native' as const,
      contract: null,
      from_address: `0x${'f'.repeat(40)}`,
      to_address: to.toLowerCase(),
      token_id: null,
      amount: '1',
      filter: null,
      topics: null,
      data: null,
      decoded: null,
      stage: 'pending',
    });
    const matches = fresh.match({
      chain: 'local',
      stage: 'pending',
      block: { number: '999999', hash: `0x${'8'.repeat(64)}` },
      events: [event(bob), event(carol)],
    });
    // bob is watched; carol was removed.
    const watched = matches.flatMap((m) => (m.kind === 'address_activity' ? [m.addresses] : []));
    expect(watched).toEqual([[bob.toLowerCase()]]);
  });

  it('sends one tx.dropped for a hash not mined in time, none for mined ones, and tx.mined if it comes later', async () => {
    const e = await endpoint('/drops', ['tx.mined', 'tx.dropped']);
    const droppedMetric = () => metric('vaultwire_webhook_tx_dropped_total', { chain: 'local' });
    const droppedBefore = await droppedMetric();
    const ghost = `0x${randomBytes(32).toString('hex')}`;
    // Mined and confirmed before anyone watched it: no block notice will show it again.
    const early = await node.send({ from: alice, to: dave, value: 7n });
    await node.mine(3);
    await follow();
    // Mined now, followed after the subscription: ingest sees it.
    const mined = await node.send({ from: alice, to: dave, value: 8n });
    // Broadcast, then lost from the mempool; re-sent below, byte for byte.
    const lateTx = {
      from: carol,
      to: dave,
      value: '0x9',
      nonce: await node.rpc<string>('eth_getTransactionCount', [carol, 'pending']),
      gas: '0x5208',
      maxFeePerGas: '0x2540be400',
      maxPriorityFeePerGas: '0x3b9aca00',
    };
    await node.rpc('evm_setAutomine', [false]);
    const late = await node.rpc<string>('eth_sendTransaction', [lateTx]);
    await node.rpc('hardhat_dropTransaction', [late]);
    await node.rpc('evm_setAutomine', [true]);

    await subscribe({
      endpoint_id: e.id,
      kind: 'transaction',
      chain: 'local',
      tx_hashes: [ghost, early.transactionHash, mined.transactionHash, late],
      filter: { drop_after_seconds: 60 },
    });
    await follow();
    await waitFor(() => bodies('/drops').some((b) => b.type === 'tx.mined'), 'tx.mined');
    // The chain has not moved 60 s past the subscription yet.
    expect((await t.vw.webhooks.maintain()).dropped).toBe(0);

    await node.rpc('evm_increaseTime', [120]);
    await node.mine(1);
    await follow();
    await t.vw.webhooks.maintain();
    await waitFor(
      () => bodies('/drops').filter((b) => b.type === 'tx.dropped').length >= 2,
      'tx.dropped',
    );
    // Later passes find nothing more to drop, however far the chain moves.
    await node.rpc('evm_increaseTime', [600]);
    await node.mine(1);
    await follow();
    expect((await t.vw.webhooks.maintain()).dropped).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    const dropped = bodies('/drops').filter((b) => b.type === 'tx.dropped');
    expect(dropped.map((b) => b.data.tx_hash).sort()).toEqual([ghost, late.toLowerCase()].sort());
    expect(new Set(dropped.map((b) => b.id)).size).toBe(2);
    expect(dropped[0]?.data.deadline).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect((await droppedMetric()) - droppedBefore).toBe(2);
    for (const r of at('/drops'))
      expect(new Webhook(e.secret).verify(r.body, r.headers)).toBeTruthy();

    // Mined after all: tx.mined still comes, and no second tx.dropped.
    const again = await node.rpc<string>('eth_sendTransaction', [lateTx]);
    expect(again).toBe(late);
    await node.mine(1);
    await follow();
    await waitFor(
      () => bodies('/drops').some((b) => b.type === 'tx.mined' && b.data.tx_hash === late),
      'late tx.mined',
    );
    const minedHashes = bodies('/drops')
      .filter((b) => b.type === 'tx.mined')
      .map((b) => b.data.tx_hash);
    expect(minedHashes).toContain(mined.transactionHash.toLowerCase());
    expect(minedHashes).not.toContain(early.transactionHash.toLowerCase());
    expect(bodies('/drops').filter((b) => b.type === 'tx.dropped')).toHaveLength(2);
  });

  it('backfills addresses added with a past from_block, once, and refuses going too far back', async () => {
    const e = await endpoint('/backfill', ['address.activity']);
    const blocksMetric = () =>
      metric('vaultwire_webhook_backfill_blocks_total', { chain: 'local' });
    const doneMetric = () => metric('vaultwire_webhook_backfills', { state: 'done' });
    const [blocksBefore, doneBefore] = [await blocksMetric(), await doneMetric()];
    const erin = randomAddress();
    const start = BigInt(await node.rpc<string>('eth_blockNumber')) + 1n;
    await node.send({ from: alice, to: erin as Address, value: 11n });
    await node.send({ from: alice, to: erin as Address, value: 12n });
    await node.mine(3);
    // Mined and followed, not yet confirmed: the live path confirms it later.
    await node.send({ from: alice, to: erin as Address, value: 13n });
    await follow();

    const sub = await subscribe({
      endpoint_id: e.id,
      kind: 'address_activity',
      chain: 'local',
      addresses: [erin],
      from_block: String(start),
    });
    expect(sub.backfill_id).toMatch(/^wbf_/);
    await follow();
    await waitFor(() => bodies('/backfill').length >= 2, 'backfilled activity');
    await node.mine(3);
    await follow();
    await waitFor(() => bodies('/backfill').length >= 3, 'live confirmation');

    // Adding the same address again starts another backfill that delivers nothing new.
    const again = await t.request('POST', `/v1/webhook_subscriptions/${sub.id}/items/add`, {
      token,
      body: { items: [erin], from_block: String(start) },
    });
    expect(again.status, again.text).toBe(200);
    expect(again.body.backfill_id).toMatch(/^wbf_/);
    expect(again.body.backfill_id).not.toBe(sub.backfill_id);
    await follow();
    const list = await t.request('GET', `/v1/webhook_subscriptions/${sub.id}/backfills`, {
      token,
    });
    expect(list.status, list.text).toBe(200);
    expect(
      (list.body.data as { id: string; state: string; messages: number }[]).map((b) => [
        b.id,
        b.state,
        b.messages,
      ]),
    ).toEqual([
      [sub.backfill_id, 'done', 2],
      [again.body.backfill_id, 'done', 0],
    ]);
    // Each backfill re-read its whole range, from_block to the confirmed height it fixed.
    const ranges = list.body.data as { from_block: string; to_block: string }[];
    const scanned = ranges.reduce((n, b) => n + Number(b.to_block) - Number(b.from_block) + 1, 0);
    expect(scanned).toBeGreaterThanOrEqual(6);
    expect((await blocksMetric()) - blocksBefore).toBe(scanned);
    expect((await doneMetric()) - doneBefore).toBe(2);
    expect(await metric('vaultwire_webhook_backfills', { state: 'running' })).toBe(0);
    expect(await metric('vaultwire_webhook_backfills', { state: 'failed' })).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    const got = bodies('/backfill');
    expect(got.map((b) => [b.stage, b.data.amount])).toEqual(
      expect.arrayContaining([
        ['confirmed', '11'],
        ['confirmed', '12'],
        ['confirmed', '13'],
      ]),
    );
    expect(got).toHaveLength(3);
    expect(new Set(at('/backfill').map((r) => r.headers['webhook-id'])).size).toBe(3);

    // Further back than VW_WEBHOOK_BACKFILL_MAX_BLOCKS (20 here) is refused, typed.
    const { cursor } = await heights();
    if (cursor < 20n) {
      await node.mine(Number(20n - cursor));
      await follow();
    }
    const deep = await t.request('POST', '/v1/webhook_subscriptions', {
      token,
      body: {
        endpoint_id: e.id,
        kind: 'address_activity',
        chain: 'local',
        addresses: [randomAddress()],
        from_block: '0',
      },
    });
    expect([deep.status, deep.body.error.code, deep.body.error.param]).toEqual([
      400,
      'backfill_too_deep',
      'from_block',
    ]);
    const deepAdd = await t.request('POST', `/v1/webhook_subscriptions/${sub.id}/items/add`, {
      token,
      body: { items: [randomAddress()], from_block: '0' },
    });
    expect([deepAdd.status, deepAdd.body.error.code]).toEqual([400, 'backfill_too_deep']);
  });

  it('a backfill that dies mid-range resumes from its stored progress', async () => {
    const e = await endpoint('/resume', ['address.activity']);
    const fred = randomAddress();
    const start = BigInt(await node.rpc<string>('eth_blockNumber')) + 1n;
    for (const value of [21n, 22n, 23n, 24n]) {
      await node.send({ from: alice, to: fred as Address, value });
    }
    await node.mine(3);
    await follow();
    // Watched from now on; the backfill below is driven by hand, two blocks per chunk.
    const sub = await subscribe({
      endpoint_id: e.id,
      kind: 'address_activity',
      chain: 'local',
      addresses: [fred],
    });
    const adapter = t.vw.chains.adapter('local');
    if (!adapter) throw new Error('no adapter');
    const fetched: bigint[] = [];
    let failAfter = 1;
    const source: Pick<ChainSource, 'heights' | 'fetchBlocks'> = {
      heights: () => heights(),
      async fetchBlocks(_chain, from, to) {
        if (failAfter-- === 0) throw new Error('process killed');
        fetched.push(from);
        return adapter.fetchBlocks(from, to);
      },
    };
    const backfills = backfillsOver(source, 2);
    const id = await t.vw.db.transaction(() =>
      backfills.schedule({
        subscriptionId: sub.id,
        chainKey: 'local',
        addresses: [fred],
        fromBlock: start,
      }),
    );
    const { rows } = await t.vw.db.query<{ job_id: string }>(
      'SELECT job_id FROM webhook_backfills WHERE id = $1',
      [id],
    );
    const job = (attempt: number): Job<BackfillJob> => ({
      id: rows[0]?.job_id ?? '',
      queue: BACKFILL_QUEUE.name,
      payload: { backfillId: id },
      attempt,
      maxAttempts: 12,
      createdAt: new Date(),
      signal: new AbortController().signal,
    });
    await expect(backfills.run(job(1))).rejects.toThrow('process killed');
    const [half] = await backfills.list(sub.id, { limit: 10 });
    expect(half?.state).toBe('running');
    expect(half?.nextBlock).toBe(start + 2n);
    expect(half?.lastError).toBe('process killed');

    await backfills.run(job(2));
    expect(fetched).toEqual([start, start + 2n]);
    const [done] = await backfills.list(sub.id, { limit: 10 });
    expect([done?.state, done?.messages, done?.lastError]).toEqual(['done', 4, null]);
    await waitFor(() => bodies('/resume').length >= 4, 'resumed deliveries');
    await new Promise((r) => setTimeout(r, 300));
    expect(
      bodies('/resume')
        .map((b) => b.data.amount)
        .sort(),
    ).toEqual(['21', '22', '23', '24']);
  });

  it('backfills a contract-log subscription from a past from_block: each earlier log once, confirmed; later ones live, not twice', async () => {
    const multi = await node.deploy('VwMulti');
    const e = await endpoint('/log-backfill', ['contract.log']);
    const note = (tag: bigint) =>
      node.send({ from: alice, ...call('VwMulti', multi, 'note', [tag, `n${tag}`]) });
    await note(1n); // before from_block
    const fromBlock = BigInt((await note(2n)).blockNumber);
    await note(3n);
    await node.mine(3); // 2 and 3 confirmed when the subscription comes
    const read = BigInt((await note(4n)).blockNumber); // read, not yet confirmed
    await follow();

    const sub = await subscribe({
      endpoint_id: e.id,
      ...notedLogsOf(multi),
      from_block: String(fromBlock),
    });
    expect(sub.backfill_id).toMatch(/^wbf_/);
    const backfill = () => firstBackfill(sub.id);
    const settle = (what: string, done: (b: BackfillView | undefined) => boolean) =>
      settleBackfill(sub.id, what, done);
    // No new block on this chain (Hardhat mines on demand): the follower, caught up,
    // stores its interest's mark when idle, so the backfill's end is fixed at the block
    // it had read (tag 4's) without waiting for another block. That block is not
    // confirmed yet, so the backfill is not done.
    await settle('backfill end fixed', (b) => b?.to_block !== null);
    expect(await backfill()).toMatchObject({
      state: 'running',
      to_block: String(read),
      address_count: 1,
    });

    // A block read after the subscription: the live path's (pending, then confirmed).
    await note(5n);
    await follow();
    await waitFor(
      () => bodies('/log-backfill').some((b) => b.stage === 'pending'),
      'the live log, pending',
    );
    // The backfill scans only confirmed blocks: done once tag 4's block is confirmed.
    await node.mine(3);
    await settle('contract-log backfill done', (b) => b?.state === 'done');
    await waitFor(
      () => bodies('/log-backfill').filter((b) => b.stage === 'confirmed').length >= 4,
      'every log confirmed',
    );
    await new Promise((r) => setTimeout(r, 300));

    // Per event id (each log is one event): its tag and the stages it was delivered in.
    const got = bodies('/log-backfill');
    const byEvent = new Map<string, { tag: string; stages: string[] }>();
    for (const b of got) {
      const id = b.data.event_id ?? '';
      const seen = byEvent.get(id) ?? { tag: b.data.decoded?.args['tag'] ?? '?', stages: [] };
      seen.stages.push(b.stage);
      byEvent.set(id, seen);
    }
    expect(
      [...byEvent.values()]
        .map((x) => [x.tag, x.stages.sort()])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    ).toEqual([
      ['2', ['confirmed']],
      ['3', ['confirmed']],
      ['4', ['confirmed']],
      ['5', ['confirmed', 'pending']],
    ]);
    expect(new Set(at('/log-backfill').map((r) => r.headers['webhook-id'])).size).toBe(got.length);
  });

  // Holding the create's transaction open while the follower runs needs a second
  // connection: PGlite has one.
  it.skipIf(testDbKind() === 'pglite')(
    'a contract-log subscription without from_block gets the logs of a block that a follower step already under way read without it',
    async () => {
      const multi = await node.deploy('VwMulti');
      const e = await endpoint('/log-in-flight', ['contract.log']);
      await follow();
      const next = (await heights()).cursor + 1n;
      // Mined before the follower reads it: the subscription is meant to catch it.
      const mined = await node.send({
        from: alice,
        ...call('VwMulti', multi, 'note', [7n, 'in flight']),
      });
      expect(BigInt(mined.blockNumber)).toBe(next);
      // The race, made deterministic: the create commits only after a follower step has
      // refreshed its log interest (which cannot see the change yet) and read that block.
      let sub: Awaited<ReturnType<typeof subscribe>> = {
        id: '',
        item_count: 0,
      };
      await t.vw.db.transaction(async () => {
        sub = await subscribe({ endpoint_id: e.id, ...notedLogsOf(multi) });
        await t.vw.db.detached(() => syncToHead(follower));
      });
      expect((await heights()).cursor).toBe(next);
      expect(sub.backfill_id).toMatch(/^wbf_/);
      expect((await firstBackfill(sub.id))?.from_block).toBe(String(next));
      await follow();
      await new Promise((r) => setTimeout(r, 300));
      expect(bodies('/log-in-flight')).toEqual([]); // the live path read it without the contract

      await node.mine(3); // the backfill scans confirmed blocks only
      await settleBackfill(sub.id, 'backfill done', (b) => b?.state === 'done');
      await waitFor(() => bodies('/log-in-flight').length > 0, 'the log, from the backfill');
      await new Promise((r) => setTimeout(r, 300));
      expect(
        bodies('/log-in-flight').map((b) => [b.stage, b.block.number, b.data.decoded?.args['tag']]),
      ).toEqual([['confirmed', String(next), '7']]);
    },
  );

  it('a contract-log backfill fixes its end only once the follower has read with its subscription, and scans only confirmed blocks', async () => {
    const e = await endpoint('/log-wait', ['contract.log']);
    const contract = randomAddress();
    const sub = await subscribe({
      endpoint_id: e.id,
      kind: 'contract_log',
      chain: 'local',
      filter: { addresses: [contract] },
    });
    // The follower's state as the fake reports it; blocks are synthetic and link up.
    let h = { cursor: 120n, confirmed: 100n, interestMark: 6n as bigint | null };
    const fetched: [bigint, bigint, readonly string[] | undefined][] = [];
    const hash = (n: bigint) => `0x${n.toString(16).padStart(64, '0')}`;
    const source: Pick<ChainSource, 'heights' | 'fetchBlocks'> = {
      heights: () => Promise.resolve(h),
      fetchBlocks(_chain, from, to, contracts) {
        fetched.push([from, to, contracts]);
        const out = [];
        for (let n = from; n <= to; n++) {
          out.push({
            number: n,
            hash: hash(n),
            parentHash: hash(n - 1n),
            timestamp: 0,
            events: [],
          });
        }
        return Promise.resolve(out);
      },
    };
    const backfills = backfillsOver(source, 50);
    const id = await t.vw.db.transaction(() =>
      backfills.schedule({
        subscriptionId: sub.id,
        chainKey: 'local',
        addresses: [contract],
        fromBlock: 90n,
        readyMark: 7n,
      }),
    );
    /** Runs the job that owns the backfill now; returns when it was due. */
    const runOwner = async () => {
      const { rows } = await t.vw.db.query<{ id: string; run_at: Date }>(
        `SELECT j.id, j.run_at FROM webhook_backfills b JOIN jobs j ON j.id = b.job_id
          WHERE b.id = $1`,
        [id],
      );
      const owner = rows[0];
      if (!owner) throw new Error('no job owns the backfill');
      await backfills.run({
        id: owner.id,
        queue: BACKFILL_QUEUE.name,
        payload: { backfillId: id },
        attempt: 1,
        maxAttempts: 12,
        createdAt: new Date(),
        signal: new AbortController().signal,
      });
      return owner.run_at;
    };
    // (The subscription has a backfill of its own, from the follower's next block.)
    const state = async () => {
      const b = (await backfills.list(sub.id, { limit: 10 })).find((x) => x.id === id);
      return [b?.state, b?.toBlock, b?.nextBlock];
    };
    const delayed = async () => {
      const { rows } = await t.vw.db.query<{ delayed: boolean }>(
        `SELECT j.run_at > now() + interval '500 milliseconds' AS delayed
           FROM webhook_backfills b JOIN jobs j ON j.id = b.job_id WHERE b.id = $1`,
        [id],
      );
      return rows[0]?.delayed;
    };

    // The follower's last read was under mark 6, before the subscription's change (7).
    await runOwner();
    expect(await state()).toEqual(['queued', null, 90n]);
    expect(await delayed()).toBe(true);
    h = { ...h, interestMark: null }; // (or under no interest at all)
    await runOwner();
    expect(await state()).toEqual(['queued', null, 90n]);
    expect(fetched).toEqual([]);

    // Read with it: the cursor then is the end; blocks up to the confirmed height only.
    h = { ...h, interestMark: 7n };
    await runOwner();
    expect(await state()).toEqual(['running', 120n, 101n]);
    expect(await delayed()).toBe(true);
    h = { cursor: 130n, confirmed: 125n, interestMark: 9n };
    await runOwner();
    expect(await state()).toEqual(['done', 120n, 121n]);
    expect(fetched).toEqual([
      [90n, 100n, [contract]],
      [101n, 120n, [contract]],
    ]);
  });
});
