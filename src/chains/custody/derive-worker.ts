import { parentPort } from 'node:worker_threads';
import { depositAddressFromXpub } from './hd.js';

/**
 * The worker thread behind `createAddressDeriver` (deriver.ts): derives the deposit
 * addresses it is asked for and posts them back, one message per request.
 */
export interface DeriveRequest {
  id: number;
  xpub: string;
  indexes: number[];
}
export type DeriveReply = { id: number; addresses: string[] } | { id: number; error: string };

parentPort?.on('message', (m: DeriveRequest) => {
  let reply: DeriveReply;
  try {
    reply = { id: m.id, addresses: m.indexes.map((i) => depositAddressFromXpub(m.xpub, i)) };
  } catch (err) {
    reply = { id: m.id, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort?.postMessage(reply);
});
