/**
 * A worker process (the real composition root) that loads a subscription watching
 * 1,000,000 addresses and runs 100 blocks of 200 transfers each (half of them to watched
 * addresses) through chain ingest. The parent reads its resident memory afterwards.
 *
 * run.ts also runs this file as JavaScript over the compiled tree (dist/), by stripping
 * its type import and annotations: keep its TypeScript to those two forms.
 */
import { buildVaultwire } from '../../src/app.js';
import { loadConfig } from '../../src/modules.js';
import type { ChainBlockNotice } from '../../src/webhooks/subscriptions/chain-notice.js';

const vw = await buildVaultwire({ config: loadConfig(), migrate: false });
const baselineRssMb = process.memoryUsage().rss / 1024 / 1024;
await vw.webhooks.matcher.sync();
const { addresses } = vw.webhooks.matcher.stats();
let matched = 0;
const blocks = 100;
for (let b = 0; b < blocks; b++) {
  const notice: ChainBlockNotice = {
    chain: 'eth',
    stage: 'pending',
    block: { number: String(1000 + b), hash: `0x${(1000 + b).toString(16).padStart(64, '0')}` },
    events: Array.from({ length: 200 }, (_, i) => ({
      id: `cev_${b}_${i}`,
      block_number: String(1000 + b),
      tx_hash: `0x${(b * 1000 + i).toString(16).padStart(64, '0')}`,
      tx_index: i,
      log_index: -1,
      item_index: 0,
      kind: 'native' as const,
      contract: null,
      from_address: `0x${'f'.repeat(40)}`,
      // Even: a watched address (1..1,000,000); odd: one nobody watches.
      to_address:
        i % 2 === 0
          ? `0x${(b * 100 + i + 1).toString(16).padStart(40, '0')}`
          : `0x${'e'.repeat(40)}`,
      token_id: null,
      amount: '1',
      filter: null,
      topics: null,
      data: null,
      decoded: null,
      stage: 'pending',
    })),
  };
  matched += await vw.webhooks.ingest.chainBlock(notice, new Date());
}
process.send?.({ done: { baselineRssMb, addresses, blocks, matched } });
process.on('message', () => {
  void vw.stop('bench').then(() => process.exit(0));
});
