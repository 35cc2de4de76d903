import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import { REPO_ROOT } from '../../test/support/process.js';
import {
  merchant,
  registerAssets,
  user,
  type TestMerchant,
} from '../../test/fixtures/merchants/setup.js';
import { listen, type RunningServer } from '../platform/http/server.js';

/**
 * `vaultwire stores|products|campaigns …` run as commands (a child process each), against
 * the API served on 127.0.0.1: a merchant's walk from an empty mall to a campaign's codes
 * as CSV, and the refusals a user sees on stderr with the exit code. The commands are API
 * clients, so the database under the API is not what is tested: this file runs on the
 * embedded one only (a child process each is what makes it slow).
 */

let t: TestApp;
let server: RunningServer;
let shop: TestMerchant;
let stranger: { id: string; token: string };

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `vaultwire <args>` from source with the token in VW_API_TOKEN. */
function vaultwire(args: string[], token: string): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'src/bin/vaultwire.ts', ...args], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? '',
        VW_API_URL: `http://127.0.0.1:${server.port}`,
        VW_API_TOKEN: token,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    proc.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    proc.once('error', reject);
    proc.once('close', (code) => {
      resolve({ code, stdout: stdout.trim(), stderr: stderr.trim() });
    });
  });
}

beforeAll(async () => {
  t = await createTestApp();
  await registerAssets(t);
  shop = await merchant(t, 'Tea House Ltd', 'bob@example.com');
  stranger = await user(t, 'eve@example.com', undefined, { totp: true });
  server = await listen(t.vw.http, { port: 0, host: '127.0.0.1' });
}, 300_000);

afterAll(async () => {
  await server.close();
  await t.close();
});

describe('the commerce and campaigns commands', () => {
  let store = '';
  let campaign = '';

  it('open a store and list a product in it, then show both', async () => {
    const opened = await vaultwire(
      [
        'stores',
        'create',
        ...['--merchant', shop.id, '--name', 'Tea House', '--x', '3', '--y', '4'],
        ...['--tax-bps', '1800', '--color', 'primary=#0a7d4f'],
      ],
      shop.owner.token,
    );
    expect(opened.code, opened.stderr).toBe(0);
    expect(opened.stdout).toMatch(/^sto_\w+$/);
    store = opened.stdout;

    const listed = await vaultwire(
      [
        'products',
        'create',
        ...['--store', store, '--name', 'Darjeeling', '--json'],
        ...['--variant', 'DJ-100:100 g:5:USD=12.50', '--variant', 'DJ-250:250 g:2:USD=27.00'],
      ],
      shop.owner.token,
    );
    expect(listed.code, listed.stderr).toBe(0);
    const product = JSON.parse(listed.stdout) as { variants: { sku: string; available: number }[] };
    expect(product.variants.map((v) => [v.sku, v.available])).toEqual([
      ['DJ-100', 5],
      ['DJ-250', 2],
    ]);

    const stores = await vaultwire(['stores', 'list', '--merchant', shop.id], shop.owner.token);
    expect(stores.code, stores.stderr).toBe(0);
    expect(stores.stdout).toContain(`${store}  Tea House`);
    const products = await vaultwire(['products', 'list', '--store', store], shop.owner.token);
    expect(products.stdout).toMatch(/DJ-100\s+100 g\s+12\.50 USD\s+available 5/);

    // The API's refusals, on stderr with their code: a taken spot, a malformed variant.
    const taken = await vaultwire(
      ['stores', 'create', '--merchant', shop.id, '--name', 'Again', '--x', '3', '--y', '4'],
      shop.owner.token,
    );
    expect([taken.code, taken.stdout]).toEqual([1, '']);
    expect(taken.stderr).toContain('floor_spot_taken');
    const bad = await vaultwire(
      ['products', 'create', '--store', store, '--name', 'X', '--variant', 'no-price'],
      shop.owner.token,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('SKU:NAME:STOCK:CUR=PRICE');
  }, 300_000);

  it('create a campaign with the merchant’s key, add and generate codes, export them as CSV', async () => {
    const created = await vaultwire(
      [
        'campaigns',
        'create',
        ...['--name', 'Monsoon tea', '--channel', 'instagram', '--currency', 'USD'],
        ...['--percent-off', '1000', '--min-spend', '20.00', '--redemption-limit', '100'],
        ...['--store', store],
      ],
      shop.liveKey,
    );
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^cmp_\w+$/);
    campaign = created.stdout;

    const shared = await vaultwire(['campaigns', 'add-code', campaign, 'monsoon-10'], shop.liveKey);
    expect([shared.code, shared.stdout]).toEqual([0, 'MONSOON10']);
    const generated = await vaultwire(
      [
        'campaigns',
        'generate',
        campaign,
        '--count',
        '50',
        '--prefix',
        'TEA',
        '--pattern',
        '####-####',
      ],
      shop.liveKey,
    );
    expect(generated.code, generated.stderr).toBe(0);
    expect(generated.stdout).toMatch(/^Generated 50 codes/);

    // A member reads what the key made.
    const exported = await vaultwire(['campaigns', 'export', campaign], shop.owner.token);
    expect(exported.code, exported.stderr).toBe(0);
    const lines = exported.stdout.split('\n');
    expect(lines[0]).toBe('code,kind,usage_limit,used,created_at');
    const codes = lines.slice(1).map((l) => l.split(',')[0] ?? '');
    expect(codes).toHaveLength(51);
    expect(codes).toContain('MONSOON10');
    expect(codes.filter((c) => /^TEA[3479ACDEFGHJKMNPQRTWXY]{8}$/.test(c))).toHaveLength(50);

    const list = await vaultwire(['campaigns', 'list'], shop.owner.token);
    expect(list.stdout).toMatch(
      new RegExp(`${campaign}\\s+Monsoon tea\\s+instagram\\s+USD\\s+active\\s+0/100`),
    );
  }, 300_000);

  it('refuse another merchant’s campaign and a campaign without one rule', async () => {
    const theirs = await vaultwire(['campaigns', 'export', campaign], stranger.token);
    expect([theirs.code, theirs.stdout]).toEqual([1, '']);
    expect(theirs.stderr).toContain('campaign_not_found');
    const poach = await vaultwire(
      [
        'campaigns',
        'create',
        ...['--merchant', shop.id, '--name', 'Poached', '--channel', 'web', '--currency', 'USD'],
        ...['--amount-off', '1.00'],
      ],
      stranger.token,
    );
    expect([poach.code, poach.stdout]).toEqual([1, '']);
    expect(poach.stderr).toContain('merchant_not_found');
    const twoRules = await vaultwire(
      [
        'campaigns',
        'create',
        ...['--name', 'Both', '--channel', 'web', '--currency', 'USD'],
        ...['--amount-off', '1.00', '--percent-off', '500'],
      ],
      shop.liveKey,
    );
    expect(twoRules.code).toBe(2);
    expect(twoRules.stderr).toContain('exactly one rule');
    const mine = await vaultwire(['campaigns', 'list', '--json'], shop.liveKey);
    expect(mine.stdout.split('\n').map((l) => (JSON.parse(l) as { name: string }).name)).toEqual([
      'Monsoon tea',
    ]);
  }, 300_000);
});
