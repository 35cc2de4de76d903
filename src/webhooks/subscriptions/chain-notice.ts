/**
 * The narrow view this module takes of the chain follower's outbox messages
 * (`chain.block.pending|confirmed|removed`, see src/chains/follower.ts `publishBlock`).
 * We depend on this shape, not on the chains module's code.
 */
export interface ChainBlockNotice {
  chain: string;
  stage: 'pending' | 'confirmed' | 'removed';
  block: { number: string; hash: string; parent_hash?: string; timestamp?: number };
  events: WireChainEvent[];
}

export interface WireChainEvent {
  /** Deterministic chain event id (`cev_…`), the same in every stage. */
  id: string;
  block_number: string;
  tx_hash: string;
  tx_index: number;
  log_index: number;
  item_index: number;
  kind: 'native' | 'erc20' | 'erc721' | 'erc1155' | 'log';
  contract: string | null;
  from_address: string | null;
  to_address: string | null;
  token_id: string | null;
  amount: string | null;
  filter: string | null;
  topics: string[] | null;
  data: string | null;
  decoded: { eventName: string; args: Record<string, unknown> } | null;
  stage: string;
  /** On `removed`: the stage the event had before the reorg. */
  previous_stage?: string;
}

export const TOPIC_TRANSFER = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef';

const word = (hexNoPrefix: string) => hexNoPrefix.padStart(64, '0');

/**
 * Topics and data of a token transfer rebuilt from its decoded form, so contract-log
 * filters on `Transfer` also see ERC-20 and ERC-721 transfers (the follower keeps raw
 * topics only for logs its own filters matched and for the other logs of contracts that
 * contract-log subscriptions name, see log-interest.ts).
 */
export function rawLogOf(e: WireChainEvent): { topics: string[]; data: string } | null {
  if (e.kind === 'log') return e.topics ? { topics: e.topics, data: e.data ?? '0x' } : null;
  if (e.from_address === null || e.to_address === null) return null;
  const from = `0x${word(e.from_address.slice(2))}`;
  const to = `0x${word(e.to_address.slice(2))}`;
  if (e.kind === 'erc20' && e.amount !== null) {
    return { topics: [TOPIC_TRANSFER, from, to], data: `0x${word(BigInt(e.amount).toString(16))}` };
  }
  if (e.kind === 'erc721' && e.token_id !== null) {
    return {
      topics: [TOPIC_TRANSFER, from, to, `0x${word(BigInt(e.token_id).toString(16))}`],
      data: '0x',
    };
  }
  return null;
}
