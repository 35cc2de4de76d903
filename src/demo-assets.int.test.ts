import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../test/support/app.js';

/** The `dev` profile's demo assets: there at start, so the walkthrough needs no setup. */
let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('demo assets', () => {
  it('the dev profile registers USD, EUR, BTC, ETH and USDC at start, once', async () => {
    t = await createTestApp({ VW_PROFILE: 'dev' });
    await t.vw.start([]);
    await t.vw.start([]);
    const assets = await t.vw.ledger.listAssets();
    expect(assets.map((a) => [a.code, a.kind, a.scale]).sort()).toEqual([
      ['BTC', 'crypto', 8],
      ['ETH', 'crypto', 18],
      ['EUR', 'fiat', 2],
      ['USD', 'fiat', 2],
      ['USDC', 'crypto', 6],
    ]);
  });

  it('are left out when VW_DEMO_ASSETS is off', async () => {
    t = await createTestApp({ VW_PROFILE: 'dev', VW_DEMO_ASSETS: 'false' });
    await t.vw.start([]);
    expect(await t.vw.ledger.listAssets()).toEqual([]);
  });
});
