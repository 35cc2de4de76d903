import { describe, expect, it } from 'vitest';
import { createLogger } from '../../platform/observability/logger.js';
import { createAddressDeriver } from './deriver.js';
import { depositAddressFromXpub, hdWalletFromMnemonic } from './hd.js';

const MNEMONIC =
  'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';

describe('address deriver', () => {
  it('derives on its worker thread the addresses the main thread would, in order', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'warn',
      destination: { write: (line: string) => void lines.push(line) },
    });
    const deriver = createAddressDeriver(logger);
    const { depositXpub } = hdWalletFromMnemonic(MNEMONIC);
    const batches = [
      [0, 1, 2, 3, 4, 5, 6, 7],
      [1000, 5, 2 ** 31 - 1],
    ];
    const derived = await Promise.all(batches.map((b) => deriver.derive(depositXpub, b)));
    expect(derived).toEqual(
      batches.map((b) => b.map((i) => depositAddressFromXpub(depositXpub, i))),
    );
    expect(derived[0]?.[0]).toBe('0x9858effd232b4033e47d90003d41ec34ecaeda94');
    // No fallback to the main thread was needed (it would have said so).
    expect(lines).toEqual([]);
  });

  it('refuses an index out of range, as the main thread does', async () => {
    const deriver = createAddressDeriver(createLogger({ level: 'silent' }));
    const { depositXpub } = hdWalletFromMnemonic(MNEMONIC);
    await expect(deriver.derive(depositXpub, [2 ** 31])).rejects.toThrow(/out of range/);
  });
});
