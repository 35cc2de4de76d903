import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { parseEther, type Address } from 'viem';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Follower } from '../../src/chains/follower.js';
import { localChainInput, syncToHead } from '../fixtures/chains/harness.js';
import { startLocalNode, type LocalNode } from '../fixtures/chains/node.js';
import {
  drain,
  fund,
  merchant,
  registerAssets,
  user,
  type TestMerchant,
} from '../fixtures/merchants/setup.js';
import { createTestApp, type TestApp } from '../support/app.js';
import {
  findChromium,
  launchChromium,
  seriousA11yViolations,
  SCREENSHOTS_DIR,
} from '../support/browser.js';

/**
 * The hosted checkout, payment links and the till in real Chromium, against the real
 * server on PostgreSQL and a local Hardhat node: invoices paid on chain turn to paid on
 * the open page through the live status stream.
 */

const chromiumPath = findChromium();
/** Artefacts of the run; `npm run screenshots` copies the ones the docs show. */
const shots = SCREENSHOTS_DIR;
const PHONE = { width: 390, height: 844 };
const MNEMONIC =
  'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
const CONFIRMATIONS = 2;

describe.skipIf(!chromiumPath)('hosted checkout in Chromium, paid on a local chain', () => {
  let node: LocalNode;
  let t: TestApp;
  let follower: Follower;
  let funder: Address;
  let shop: TestMerchant;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  let offsetMs = 0;
  const consoleErrors: string[] = [];

  async function settle(): Promise<void> {
    await syncToHead(follower);
    await drain(t);
  }

  async function invoice(body: Record<string, unknown>) {
    const r = await t.request('POST', '/v1/invoices', { token: shop.liveKey, body });
    expect(r.status, r.text).toBe(201);
    return r.body as {
      id: string;
      checkout_url: string;
      payment_options: { asset: string; address: string; amount_due: string }[];
    };
  }

  async function checkPage(name: string, p: Page = page): Promise<void> {
    await p.screenshot({ path: join(shots, `${name}.png`) });
    expect(await seriousA11yViolations(p), `axe on ${name}`).toEqual([]);
  }

  beforeAll(async () => {
    node = await startLocalNode();
    [funder] = node.accounts as [Address];
    t = await createTestApp(
      {
        VW_CUSTODY_MNEMONIC: MNEMONIC,
        VW_CHAINS: JSON.stringify([
          localChainInput(node, { confirmations: CONFIRMATIONS, startBlock: 'latest' }),
        ]),
        VW_MERCHANTS_LIVE_CHAIN: 'local',
        VW_MERCHANTS_TEST_CHAIN: 'local',
        VW_MERCHANTS_CHECKOUT_POSTS_PER_MINUTE: '10000',
        PORT: '0',
        HOST: '127.0.0.1',
      },
      { now: () => Date.now() + offsetMs },
    );
    await registerAssets(t);
    const f = t.vw.chains.follower('local');
    if (!f) throw new Error('chain local not built');
    follower = f;
    await syncToHead(follower);
    shop = await merchant(t, 'Corner Café', 'cafe@example.com');
    const started = await t.vw.start(['api']);
    base = `http://127.0.0.1:${started.port}`;
    browser = await launchChromium(chromiumPath ?? '');
    context = await browser.newContext({
      viewport: PHONE,
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      colorScheme: 'light',
    });
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    mkdirSync(shots, { recursive: true });
  }, 300_000);

  afterAll(async () => {
    /* eslint-disable @typescript-eslint/no-unnecessary-condition -- unset when beforeAll failed */
    await browser?.close();
    await t?.close();
    await node?.stop();
    /* eslint-enable @typescript-eslint/no-unnecessary-condition */
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    mkdirSync('.test-data', { recursive: true });
    await page.screenshot({ path: '.test-data/checkout-failure.png' });
    console.log(`page at failure: ${page.url()}\n${await page.locator('body').innerText()}`);
  });

  it('shows the QR code, address and amounts, and turns to paid when the chain confirms, without a reload', async () => {
    const inv = await invoice({
      currency: 'USD',
      amount: '64.00',
      assets: ['ETH', 'USD'],
      description: 'Two flat whites',
      order_id: 'A-1042',
      redirect_url: 'https://shop.example/thanks',
    });
    const eth = inv.payment_options.find((o) => o.asset === 'ETH');
    if (!eth) throw new Error('no ETH option');
    await page.goto(`${base}${inv.checkout_url}`);
    await page.getByRole('heading', { name: 'Two flat whites' }).waitFor();
    await page.getByText('64.00 USD', { exact: true }).waitFor();
    expect(await page.locator('.qr svg path').count()).toBeGreaterThan(0);
    expect(await page.locator('#address').textContent()).toBe(eth.address);
    await page.getByRole('link', { name: 'Open in a wallet app' }).waitFor();
    expect(
      await page.getByRole('link', { name: 'Open in a wallet app' }).getAttribute('href'),
    ).toBe(`ethereum:${eth.address}@${node.chainId}?value=20000000000000000`);
    await page.getByText('1 ETH = 3200.00 USD').waitFor();
    await page.getByRole('button', { name: 'Copy address' }).waitFor();
    await expect.poll(() => page.getByRole('timer').textContent()).toMatch(/^1[45]:\d\d$/);
    await page.getByRole('status').getByText('Waiting for payment').waitFor();
    await checkPage('checkout');
    // Nothing may scroll sideways on a phone.
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(
      PHONE.width,
    );

    // A marker that a reload would wipe: the status must change in this same document.
    await page.evaluate('window.vwMarker = 42');
    await node.send({ from: funder, to: eth.address as Address, value: parseEther('0.02') });
    await settle();
    await page.getByRole('status').getByText('Payment seen, waiting for confirmations').waitFor();
    await node.mine(CONFIRMATIONS);
    await settle();
    await page.getByRole('status').getByText('Paid', { exact: true }).waitFor({ timeout: 15_000 });
    expect(await page.evaluate<number | undefined>('window.vwMarker')).toBe(42);
    expect(await page.locator('.qr').isVisible()).toBe(false);
    const api = await t.request('GET', `/v1/invoices/${inv.id}`, { token: shop.liveKey });
    expect(api.body.status).toBe('paid');
    await checkPage('checkout-paid');

    await page.getByRole('link', { name: 'See the receipt' }).click();
    await page.getByRole('heading', { name: 'Receipt' }).waitFor();
    await page.getByText('A-1042').waitFor();
    await page.getByRole('cell', { name: '0.02 ETH' }).waitFor();
    await checkPage('checkout-receipt');
  }, 120_000);

  it('pays from a Vaultwire wallet after logging in on the page; a forged form is refused', async () => {
    const payer = await user(t, 'payer@example.com');
    await fund(t, payer.id, 'USD', '50.00');
    const inv = await invoice({ currency: 'USD', amount: '12.00', assets: ['USD', 'ETH'] });
    await page.goto(`${base}${inv.checkout_url}`);
    const wallet = page.getByRole('region', { name: 'Pay with your Vaultwire wallet' });
    await wallet.getByLabel('Email').fill('payer@example.com');
    await wallet.getByLabel('Password').fill('wrong password');
    await wallet.getByRole('button', { name: 'Log in to pay' }).click();
    await wallet.getByRole('alert').getByText('The email or password is not right.').waitFor();
    await wallet.getByLabel('Email').fill('payer@example.com');
    await wallet.getByLabel('Password').fill('correct horse battery staple');
    await wallet.getByRole('button', { name: 'Log in to pay' }).click();
    await wallet.getByText('Signed in as payer@example.com').waitFor();
    await checkPage('checkout-wallet');

    // The same session, a form without the page's token: refused, nothing paid.
    // The cookie is scoped to /pay.
    const cookies = await context.cookies(`${base}/pay/${inv.id}`);
    const session = cookies.find((c) => c.name === 'vw_checkout');
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe('Lax');
    const forged = await fetch(`${base}/pay/${inv.id}/wallet`, {
      method: 'POST',
      headers: {
        cookie: `vw_checkout=${session?.value ?? ''}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'asset=USD&csrf=forged',
      redirect: 'manual',
    });
    expect(forged.status).toBe(403);
    const crossSite = await fetch(`${base}/pay/${inv.id}/wallet`, {
      method: 'POST',
      headers: {
        cookie: `vw_checkout=${session?.value ?? ''}`,
        origin: 'https://evil.example',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: `asset=USD&csrf=${await page.locator('input[name="csrf"]').inputValue()}`,
      redirect: 'manual',
    });
    expect(crossSite.status).toBe(403);
    expect(
      (await t.request('GET', `/v1/invoices/${inv.id}`, { token: shop.liveKey })).body.status,
    ).toBe('open');

    await wallet.getByLabel('Pay from your balance in').selectOption('USD');
    await wallet.getByRole('button', { name: 'Pay with Vaultwire wallet' }).click();
    await page.getByRole('status').getByText('Paid', { exact: true }).waitFor();
    const balances = await t.request('GET', '/v1/wallet/balances', { token: payer.token });
    expect(balances.body.data).toEqual(
      expect.arrayContaining([expect.objectContaining({ asset: 'USD', available: '38.00' })]),
    );
  }, 120_000);

  it('shows the expired and underpaid states', async () => {
    const expired = await invoice({ currency: 'USD', amount: '5.00', expires_in_seconds: 60 });
    const partial = await invoice({
      currency: 'USD',
      amount: '32.00',
      assets: ['ETH'],
      expires_in_seconds: 60,
    });
    const addr = partial.payment_options[0]?.address as Address;
    await node.send({ from: funder, to: addr, value: parseEther('0.004') });
    await node.mine(CONFIRMATIONS + 1);
    await settle();
    offsetMs += 120_000;

    await page.goto(`${base}${expired.checkout_url}`);
    await page.getByRole('status').getByText('This invoice has expired').waitFor();
    expect(await page.locator('.qr').isVisible()).toBe(false);
    await checkPage('checkout-expired');

    await page.goto(`${base}${partial.checkout_url}`);
    await page.getByRole('status').getByText('Underpaid').waitFor();
    await page.getByText('12.80 USD of 32.00 USD received').waitFor();
    await checkPage('checkout-underpaid');
  }, 120_000);

  it('works without JavaScript: QR code, address and amount, and a page that reloads itself', async () => {
    const inv = await invoice({ currency: 'EUR', amount: '9.90', assets: ['ETH'] });
    const noJs = await browser.newContext({ viewport: PHONE, javaScriptEnabled: false });
    const p = await noJs.newPage();
    await p.goto(`${base}${inv.checkout_url}`);
    await p.getByText('9.90 EUR', { exact: true }).waitFor();
    expect(await p.locator('.qr svg').isVisible()).toBe(true);
    expect(await p.locator('#address').textContent()).toBe(inv.payment_options[0]?.address);
    // The server rendered the time left; copy buttons stay hidden without script.
    expect(await p.getByRole('timer').textContent()).toMatch(/^1[45]:\d\d$/);
    expect(await p.getByRole('button', { name: 'Copy address' }).count()).toBe(0);
    await p.getByRole('link', { name: 'Check the status again' }).waitFor();
    const html = await (await fetch(`${base}${inv.checkout_url}`)).text();
    expect(html).toMatch(
      /<noscript>\s*<meta http-equiv="refresh" content="\d+"\s*\/?>\s*<\/noscript>/,
    );
    // No axe run here: the page reloads itself every few seconds (the same markup is
    // checked with script on above).
    await p.screenshot({ path: join(shots, 'checkout-nojs.png') });
    await noJs.close();
  }, 60_000);

  it('in dark mode, and a 404 page for unknown and other-mode invoices', async () => {
    const dark = await browser.newContext({ viewport: PHONE, colorScheme: 'dark' });
    const p = await dark.newPage();
    const inv = await invoice({ currency: 'USD', amount: '3.50', assets: ['ETH', 'USD'] });
    await p.goto(`${base}${inv.checkout_url}`);
    await p.getByText('3.50 USD', { exact: true }).waitFor();
    await checkPage('checkout-dark', p);
    const missing = await p.goto(`${base}/pay/inv_01JAAAAAAAAAAAAAAAAAAAAAAA`);
    expect(missing?.status()).toBe(404);
    await p.getByRole('heading', { name: 'Not found' }).waitFor();
    await checkPage('checkout-404', p);
    const testInv = await t.request('POST', '/v1/invoices', {
      token: shop.testKey,
      body: { currency: 'USD', amount: '1.00' },
    });
    expect((await p.goto(`${base}/pay/${testInv.body.id}`))?.status()).toBe(404);
    expect((await p.goto(`${base}/pay/test/${inv.id}`))?.status()).toBe(404);
    expect((await p.goto(`${base}/pay/test/${testInv.body.id}`))?.status()).toBe(200);
    await p.getByText('Test mode: no real money moves').waitFor();
    await dark.close();
  }, 60_000);

  it('a payment link leads to a new invoice; the till keys in an amount and sees it paid on the same screen', async () => {
    const link = await t.request('POST', '/v1/payment_links', {
      token: shop.liveKey,
      body: { currency: 'USD', description: 'Tip jar', assets: ['ETH'] },
    });
    expect(link.status, link.text).toBe(201);
    await page.goto(`${base}${link.body.url}`);
    await page.getByRole('heading', { name: 'Tip jar' }).waitFor();
    await checkPage('payment-link');
    await page.getByLabel('Amount (USD)').fill('6.40');
    await page.getByRole('button', { name: 'Continue to payment' }).click();
    await page.waitForURL(/\/pay\/inv_/);
    await page.getByText('6.40 USD', { exact: true }).waitFor();
    await page.locator('.qr svg').waitFor();

    const till = await t.request('POST', '/v1/pos_terminals', {
      token: shop.liveKey,
      body: { name: 'Counter 1', currency: 'USD', assets: ['ETH'] },
    });
    expect(till.status, till.text).toBe(201);
    await page.goto(`${base}${till.body.url}`);
    await page.getByRole('heading', { name: 'New sale' }).waitFor();
    await checkPage('pos');
    await page.getByLabel('Amount (USD)').fill('16.00');
    await page.getByRole('button', { name: 'Charge' }).click();
    await page.getByRole('heading', { name: 'Sale: 16.00 USD' }).waitFor();
    await page.locator('.qr svg').waitFor();
    await page.getByText('0.005 ETH').first().waitFor();
    await checkPage('pos-sale');
    const address = (await page.locator('#address').textContent()) ?? '';
    await node.send({ from: funder, to: address as Address, value: parseEther('0.005') });
    await node.mine(CONFIRMATIONS + 1);
    await settle();
    await page.getByRole('status').getByText('Paid', { exact: true }).waitFor({ timeout: 15_000 });
    await checkPage('pos-paid');
  }, 120_000);

  it('bounds the live-status streams and sends heartbeats as comments', async () => {
    const inv = await invoice({ currency: 'USD', amount: '1.00', assets: ['ETH'] });
    const controllers: AbortController[] = [];
    const statuses: number[] = [];
    // 20 streams per invoice at most: the 21st is told to come back later.
    for (let i = 0; i < 21; i++) {
      const ac = new AbortController();
      controllers.push(ac);
      const r = await fetch(`${base}/pay/${inv.id}/events`, { signal: ac.signal });
      statuses.push(r.status);
      if (i === 0) {
        expect(r.headers.get('content-type')).toMatch(/^text\/event-stream/);
        const reader = r.body?.getReader();
        const first = await reader?.read();
        const text = new TextDecoder().decode(first?.value);
        expect(text).toContain('retry: 3000');
      }
    }
    expect(statuses.slice(0, 20).every((s) => s === 200)).toBe(true);
    expect(statuses[20]).toBe(503);
    for (const ac of controllers) ac.abort();
    expect((await fetch(`${base}/pay/inv_01JAAAAAAAAAAAAAAAAAAAAAAA/events`)).status).toBe(404);
  }, 60_000);

  it('loaded with no script error and no Content-Security-Policy violation', () => {
    expect(consoleErrors.filter((e) => !/status of 4\d\d/.test(e))).toEqual([]);
  });
});
