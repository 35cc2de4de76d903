import { describe, expect, it } from 'vitest';
import { TOPIC_TRANSFER, type ChainBlockNotice, type WireChainEvent } from './chain-notice.js';
import { createSubscriptionMatcher } from './matcher.js';
import { Failure, isFailure } from '../../platform/failure.js';
import { parseFilter } from './filters.js';

const A = `0x${'a'.repeat(40)}`;
const B = `0x${'b'.repeat(40)}`;
const TOKEN = `0x${'7'.repeat(40)}`;

function transfer(over: Partial<WireChainEvent>): WireChainEvent {
  return {
    id: 'cev_1',
    block_number: '10',
    tx_hash: `0x${'1'.repeat(64)}`,
    tx_index: 0,
    log_index: 0,
    item_index: 0,
    kind: 'erc20',
    contract: TOKEN,
    from_address: A,
    to_address: B,
    token_id: null,
    amount: '500',
    filter: null,
    topics: null,
    data: null,
    decoded: null,
    stage: 'pending',
    ...over,
  };
}

const block = (n: number, events: WireChainEvent[]): ChainBlockNotice => ({
  chain: 'eth',
  stage: 'pending',
  block: { number: String(n), hash: `0x${n.toString(16).padStart(64, '0')}` },
  events,
});

describe('subscription matcher', () => {
  it('matches address activity by set lookup, from the block an address was added, until removed', () => {
    const m = createSubscriptionMatcher({});
    const sub = {
      id: 'wsub_1',
      endpointId: 'whe_1',
      kind: 'address_activity' as const,
      chainKey: 'eth',
      filter: {},
    };
    m.load(sub, [A], { from: 10, until: 20 });
    expect(m.match(block(9, [transfer({})]))).toHaveLength(0);
    const hit = m.match(block(10, [transfer({})]));
    expect(hit).toHaveLength(1);
    expect(hit[0]).toMatchObject({ kind: 'address_activity', addresses: [A] });
    expect(m.match(block(20, [transfer({})]))).toHaveLength(0);
    // Both sides watched: one match naming both.
    m.load(sub, [B], { from: 0, until: null });
    expect(m.match(block(11, [transfer({})]))[0]).toMatchObject({ addresses: [A, B] });
    expect(m.match({ ...block(11, [transfer({})]), chain: 'other' })).toHaveLength(0);
  });

  it('matches a watched transaction only in blocks inside its watch range', () => {
    const m = createSubscriptionMatcher({});
    const hash = `0x${'1'.repeat(64)}`;
    const sub = {
      id: 'wsub_tx',
      endpointId: 'whe_1',
      kind: 'transaction' as const,
      chainKey: 'eth',
      filter: {},
    };
    // Watched from block 100, removed from block 200 on.
    m.load(sub, [hash], { from: 100, until: 200 });
    expect(m.match(block(99, [transfer({})]))).toHaveLength(0);
    expect(m.watchedTransactions(block(99, [transfer({})]))).toHaveLength(0);
    const hit = m.match(block(150, [transfer({})]));
    expect(hit).toHaveLength(1);
    expect(hit[0]).toMatchObject({ kind: 'transaction', txHash: hash });
    expect(m.watchedTransactions(block(150, [transfer({})]))).toEqual([
      { subscriptionId: 'wsub_tx', txHash: hash },
    ]);
    expect(m.match(block(200, [transfer({})]))).toHaveLength(0);
  });

  it('keeps several subscriptions on one address apart', () => {
    const m = createSubscriptionMatcher({});
    const one = {
      id: 'wsub_1',
      endpointId: 'whe_1',
      kind: 'address_activity' as const,
      chainKey: 'eth',
      filter: {},
    };
    const two = { ...one, id: 'wsub_2', endpointId: 'whe_2', filter: { kinds: ['native'] } };
    m.load(one, [A]);
    m.load(two, [A], { from: 5, until: null });
    expect(m.match(block(4, [transfer({})])).map((x) => x.sub.id)).toEqual(['wsub_1']);
    // wsub_2 only takes native transfers.
    expect(m.match(block(6, [transfer({})])).map((x) => x.sub.id)).toEqual(['wsub_1']);
    expect(
      m
        .match(block(6, [transfer({ kind: 'native', contract: null })]))
        .map((x) => x.sub.id)
        .sort(),
    ).toEqual(['wsub_1', 'wsub_2']);
    // Re-adding with a new range replaces the old one for that subscription only.
    m.load(one, [A], { from: 100, until: null });
    expect(
      m.match(block(6, [transfer({ kind: 'native', contract: null })])).map((x) => x.sub.id),
    ).toEqual(['wsub_2']);
  });

  it('handles a million addresses in one subscription', () => {
    const m = createSubscriptionMatcher({});
    const sub = {
      id: 'wsub_big',
      endpointId: 'whe_1',
      kind: 'address_activity' as const,
      chainKey: 'eth',
      filter: {},
    };
    const addrs: string[] = [];
    for (let i = 0; i < 1_000_000; i++) addrs.push(`0x${i.toString(16).padStart(40, '0')}`);
    m.load(sub, addrs);
    expect(m.stats().addresses).toBe(1_000_000);
    const events = addrs
      .slice(0, 200)
      .map((a, i) => transfer({ id: `cev_${i}`, to_address: a, from_address: B }));
    expect(m.match(block(1, events))).toHaveLength(200);
  });

  it('matches contract logs by topics and an ABI-decoded predicate, including token transfers', () => {
    const parsed = parseFilter('contract_log', {
      addresses: [TOKEN],
      topics: [TOPIC_TRANSFER],
      abi: 'event Transfer(address indexed from, address indexed to, uint256 value)',
      where: {
        and: [
          { field: 'value', op: 'gte', value: '1000' },
          { field: 'to', op: 'eq', value: B.toUpperCase().replace('0X', '0x') },
        ],
      },
    });
    if (isFailure(parsed)) throw new Error(parsed.message);
    const m = createSubscriptionMatcher({});
    m.load(
      {
        id: 'wsub_log',
        endpointId: 'whe_1',
        kind: 'contract_log',
        chainKey: 'eth',
        filter: parsed,
      },
      [],
    );
    expect(m.match(block(1, [transfer({ amount: '999' })]))).toHaveLength(0);
    const hit = m.match(block(1, [transfer({ amount: '1000' })]));
    expect(hit).toHaveLength(1);
    expect(hit[0]).toMatchObject({
      kind: 'contract_log',
      decoded: { eventName: 'Transfer', args: { value: '1000', to: B } },
    });
  });

  it('refuses malformed filters with a message naming the field', () => {
    expect(parseFilter('contract_log', { topics: ['0x12'] })).toMatchObject({ ok: false });
    expect(parseFilter('contract_log', { addresses: [TOKEN], abi: 'event Broken(' })).toMatchObject(
      { ok: false },
    );
    expect(
      parseFilter('contract_log', {
        addresses: [TOKEN],
        where: { field: 'x', op: 'eq', value: 1 },
      }),
    ).toMatchObject({
      ok: false,
      message: 'filter.where: needs filter.abi to decode the fields',
    });
    // A field the event does not have, however deep in and/or: refused, naming the fields.
    const abi = 'event Transfer(address indexed from, address indexed to, uint256 value)';
    expect(
      parseFilter('contract_log', {
        addresses: [TOKEN],
        abi,
        where: {
          and: [
            { field: 'value', op: 'gte', value: '1' },
            { or: [{ field: 'amount', op: 'eq', value: '5' }] },
          ],
        },
      }),
    ).toMatchObject({
      ok: false,
      message: 'filter.where: Transfer has no field "amount" (its fields: from, to, value)',
    });
    expect(
      parseFilter('contract_log', {
        addresses: [TOKEN],
        abi,
        where: {
          or: [
            { field: 'to', op: 'eq', value: B },
            { field: 'value', op: 'in', value: ['1'] },
          ],
        },
      }),
    ).not.toBeInstanceOf(Failure);
    expect(parseFilter('contract_log', {})).toMatchObject({ ok: false });
    expect(parseFilter('new_block', { stages: ['mined'] })).toMatchObject({ ok: false });
    expect(parseFilter('address_activity', { kinds: ['native'], unknown: 1 })).toMatchObject({
      ok: false,
    });
  });
});
