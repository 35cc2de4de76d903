import { createHash } from 'node:crypto';
import type { EndpointDirectory } from '../endpoints/directory.js';
import type { NewMessage } from '../model.js';
import type { ChainBlockNotice, WireChainEvent } from './chain-notice.js';
import type { Match } from './matcher.js';

/**
 * Chain activity to webhook events. Every event id is derived from what it reports and
 * its stage, so the same block seen twice gives the same ids (and no second message),
 * and a `removed` event can name the id of the event it retracts without a lookup.
 */
export function webhookEventId(type: string, source: string, stage: string): string {
  const h = createHash('sha256').update(`${type}|${source}|${stage}`).digest('hex');
  return `wev_${h.slice(0, 32)}`;
}

const TYPE_OF: Record<Match['kind'], string> = {
  address_activity: 'address.activity',
  contract_log: 'contract.log',
  transaction: 'tx.mined',
  new_block: 'block.new',
};

function eventData(e: WireChainEvent) {
  return {
    event_id: e.id,
    kind: e.kind,
    tx_hash: e.tx_hash,
    tx_index: e.tx_index,
    log_index: e.log_index,
    item_index: e.item_index,
    contract: e.contract,
    from: e.from_address,
    to: e.to_address,
    token_id: e.token_id,
    amount: e.amount,
  };
}

/** Builds the messages for a block notice: one per (endpoint, webhook event). */
export function messagesForBlock(
  notice: ChainBlockNotice,
  matches: readonly Match[],
  directory: EndpointDirectory,
  nowIso: string,
): NewMessage[] {
  const stage = notice.stage;
  const block = {
    number: notice.block.number,
    hash: notice.block.hash,
    ...(notice.block.parent_hash !== undefined ? { parent_hash: notice.block.parent_hash } : {}),
    ...(notice.block.timestamp !== undefined ? { timestamp: notice.block.timestamp } : {}),
  };
  // (endpoint, event id) → the message being built; several subscriptions of one endpoint
  // matching the same thing make one message naming all of them.
  const byKey = new Map<
    string,
    {
      endpointId: string;
      eventId: string;
      type: string;
      subs: string[];
      body: Record<string, unknown>;
    }
  >();

  for (const m of matches) {
    const endpoint = directory.get(m.sub.endpointId);
    const type = TYPE_OF[m.kind];
    if (!endpoint || !endpoint.accepts(type)) continue;
    let source: string;
    let retractStage = 'pending';
    let data: Record<string, unknown>;
    switch (m.kind) {
      case 'address_activity':
        source = m.event.id;
        retractStage = m.event.previous_stage ?? 'pending';
        data = { ...eventData(m.event), matched_addresses: m.addresses };
        break;
      case 'contract_log':
        source = m.event.id;
        retractStage = m.event.previous_stage ?? 'pending';
        data = {
          ...eventData(m.event),
          topics: m.event.topics,
          data: m.event.data,
          decoded: m.decoded,
        };
        break;
      case 'transaction':
        source = `${notice.chain}:${notice.block.hash}:${m.txHash}`;
        retractStage = m.events[0]?.previous_stage ?? 'pending';
        data = { tx_hash: m.txHash, events: m.events.map(eventData) };
        break;
      case 'new_block':
        source = `${notice.chain}:${notice.block.hash}`;
        data = { event_count: notice.events.length };
        break;
    }
    const eventId = webhookEventId(type, source, stage);
    const key = `${endpoint.id}/${eventId}`;
    const existing = byKey.get(key);
    if (existing) {
      if (!existing.subs.includes(m.sub.id)) existing.subs.push(m.sub.id);
      continue;
    }
    byKey.set(key, {
      endpointId: endpoint.id,
      eventId,
      type,
      subs: [m.sub.id],
      body: {
        id: eventId,
        type,
        created_at: nowIso,
        chain: notice.chain,
        stage,
        ...(stage === 'removed' ? { retracts: webhookEventId(type, source, retractStage) } : {}),
        block,
        data,
      },
    });
  }
  return [...byKey.values()].map((m) => ({
    endpointId: m.endpointId,
    eventId: m.eventId,
    eventType: m.type,
    chainKey: notice.chain,
    blockNumber: BigInt(notice.block.number),
    body: JSON.stringify({ ...m.body, subscription_ids: m.subs }),
  }));
}
