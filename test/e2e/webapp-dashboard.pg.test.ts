import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { localChainInput } from '../fixtures/chains/harness.js';
import { startLocalNode, type LocalNode } from '../fixtures/chains/node.js';
import { fund, user } from '../fixtures/merchants/setup.js';
import { startReceiver, type Receiver } from '../fixtures/webhooks/receiver.js';
import { createTestApp, type TestApp } from '../support/app.js';
import {
  findChromium,
  launchChromium,
  screenshot,
  seriousA11yViolationsInBothSchemes,
  SCREENSHOTS_DIR,
} from '../support/browser.js';

/**
 * The merchant dashboard and the operations console in real Chromium against the real
 * server on PostgreSQL, with a local EVM node (withdrawals) and a local webhook receiver:
 * a merchant creates an invoice and pays it in test mode; a person sends
 * ETH above the approval amount and an operator approves it; a webhook that ran out of
 * attempts is replayed from the console; the wallet's newer pages (requests, profile,
 * total in a chosen currency). axe finds nothing serious on any page.
 */

/** The part of the page's localStorage the test uses (the test code has no DOM types). */
interface BrowserStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  clear(): void;
}

const chromiumPath = findChromium();
/** Artefacts of the run; `npm run screenshots` copies the ones the docs show. */
const shots = SCREENSHOTS_DIR;
const DESKTOP = { width: 1280, height: 900 };
const PW = 'correct horse battery staple';
// The BIP-39 test vector: a valid seed whose keys are not Hardhat's funded accounts.
const MNEMONIC =
  'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
const OUTSIDER = '0x976EA74026E726554dB657fA54763abd0C3a0aa9';

describe.skipIf(!chromiumPath)('the merchant dashboard and operations console in Chromium', () => {
  let t: TestApp;
  let node: LocalNode;
  let rx: Receiver;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  const consoleErrors: string[] = [];
  let endpointId = '';
  let healEndpoint: () => void = () => undefined;

  beforeAll(async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'vw-web-e2e-'));
    const nodeEnv = process.env['NODE_ENV'];
    process.env['NODE_ENV'] = 'production';
    await build({
      configFile: 'web/vite.config.ts',
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true },
    }).finally(() => {
      process.env['NODE_ENV'] = nodeEnv;
    });
    rx = await startReceiver();
    // The merchant's endpoint fails until the test says otherwise.
    let failing = true;
    rx.respond = () => ({ status: failing ? 500 : 200 });
    healEndpoint = () => {
      failing = false;
    };
    node = await startLocalNode();
    t = await createTestApp({
      VW_WEBAPP_DIR: outDir,
      PORT: '0',
      HOST: '127.0.0.1',
      VW_CUSTODY_MNEMONIC: MNEMONIC,
      VW_CHAINS: JSON.stringify([
        localChainInput(node, {
          startBlock: 'latest',
          withdrawals: { approvalAbove: { ETH: '5' } },
        }),
      ]),
      VW_WEBHOOK_SSRF_ALLOW: '127.0.0.1/32',
      VW_WEBHOOK_POLL_MS: '20',
      VW_WEBHOOK_RETRY_SCHEDULE: '0.05,0.1',
      VW_WEBHOOK_CIRCUIT_THRESHOLD: '1000',
    });
    // The hot wallet holds ETH for approved withdrawals and their gas (set, not sent:
    // the chain stays at block 0, below the confirmation depth).
    const hot = await t.vw.chains.custody.hotWalletAddress();
    if (!hot) throw new Error('no hot wallet');
    await node.rpc('hardhat_setBalance', [hot, '0x56bc75e2d63100000']); // 100 ETH
    // The roles of a deployment: the scheduler relays the outbox (an invoice's events
    // reach webhook endpoints through it), the worker ingests, `delivery` sends; the
    // follower follows the local chain (the console shows its height and lag) and sends
    // approved withdrawals.
    const started = await t.vw.start(['api', 'worker', 'scheduler', 'delivery', 'follower']);
    base = `http://127.0.0.1:${started.port}`;
    browser = await launchChromium(chromiumPath ?? '');
    context = await browser.newContext({ viewport: DESKTOP, colorScheme: 'dark' });
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    // The API never answers 500; which call did is what to fix.
    page.on('response', (r) => {
      if (r.status() >= 500) consoleErrors.push(`${r.status()} ${r.request().method()} ${r.url()}`);
    });
    // Approve, revoke, replay all ask first.
    page.on('dialog', (d) => void d.accept());
    mkdirSync(shots, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    /* eslint-disable @typescript-eslint/no-unnecessary-condition */
    await browser?.close();
    await t?.close();
    await node?.stop();
    await rx?.close();
    /* eslint-enable @typescript-eslint/no-unnecessary-condition */
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    mkdirSync('.test-data', { recursive: true });
    await page.screenshot({ path: '.test-data/webapp-dashboard-failure.png' });
    console.log(`page at failure: ${page.url()}\n${await page.locator('body').innerText()}`);
  });

  /** The page's screenshot (light, as the README shows it) and axe in both themes. */
  async function checkPage(name: string): Promise<void> {
    await page.locator('.spinner').first().waitFor({ state: 'detached' });
    await screenshot(page, name, 'dark');
    expect(await seriousA11yViolationsInBothSchemes(page, 'dark'), `axe on ${name}`).toEqual([]);
  }

  /** Signs in as someone by putting their session where the app keeps it. */
  let opToken = '';

  async function signInAs(token: string): Promise<void> {
    await page.goto(`${base}/app/login`);
    await page.evaluate((tk) => {
      const { localStorage } = globalThis as unknown as { localStorage: BrowserStorage };
      localStorage.clear();
      localStorage.setItem(
        'vaultwire.session',
        JSON.stringify({ token: tk, expiresAt: new Date(Date.now() + 3_600_000).toISOString() }),
      );
    }, token);
  }

  it('a merchant creates an invoice and sees it paid (test mode); errors land on their field', async () => {
    // Merchant owners must have TOTP on; the session was opened before it was turned on.
    const ownerUser = await user(t, 'owner@example.com', undefined, { totp: true });
    await signInAs(ownerUser.token);
    await page.goto(`${base}/app`);
    await page.getByRole('heading', { name: 'Balances' }).waitFor();

    await page.goto(`${base}/app/merchant`);
    await page.getByText('You are in no merchant yet').waitFor();
    await page.getByLabel('Business name').fill('Coffee Co');
    await page.getByRole('button', { name: 'Create merchant' }).click();
    await page.getByRole('heading', { name: 'Coffee Co', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Create a test dashboard key' }).click();
    await page.getByRole('heading', { name: 'New invoice' }).waitFor();
    await page.getByText('No invoices yet').waitFor();

    // A webhook endpoint for paid invoices (the receiver refuses it for now).
    await page
      .getByRole('navigation', { name: 'Merchant' })
      .getByRole('link', { name: 'Webhooks' })
      .click();
    await page.getByLabel('URL').fill(`${rx.url}/hooks`);
    await page.getByLabel('Events').fill('invoice.paid');
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await page.getByText('Signing secret', { exact: true }).waitFor();
    expect(await page.getByLabel('Signing secret').textContent()).toMatch(/^whsec_/);
    await page
      .getByRole('region', { name: 'Webhook endpoints' })
      .getByRole('link')
      .first()
      .waitFor();
    await checkPage('merchant-webhooks');

    await page
      .getByRole('navigation', { name: 'Merchant' })
      .getByRole('link', { name: 'Invoices' })
      .click();
    // The API's rules before sending: an empty amount stays here, on its field.
    await page.getByRole('button', { name: 'Create invoice' }).click();
    await page.locator('input[name="amount"][aria-invalid="true"]').waitFor();
    // The API's own refusal, shown on the field its `param` names.
    await page.getByLabel('Amount').fill('12.345.6');
    await page.getByRole('button', { name: 'Create invoice' }).click();
    await page.locator('input[name="amount"][aria-invalid="true"]').waitFor();
    await page.getByLabel('Amount').fill('25.00');
    await page.getByLabel('Description (optional)').fill('Espresso beans');
    await page.getByLabel('Order id (optional)').fill('order-1001');
    await page.getByRole('button', { name: 'Create invoice' }).click();
    await page.getByRole('heading', { name: /Espresso beans/ }).waitFor();
    await page
      .getByRole('heading', { name: /Espresso beans/ })
      .getByText('open')
      .waitFor();

    await page.getByRole('button', { name: 'Simulate payment' }).click();
    await page
      .getByRole('heading', { name: /Espresso beans/ })
      .getByText('paid')
      .waitFor();
    await page.getByRole('region', { name: 'Payments' }).getByText('25.00 USD').waitFor();
    await checkPage('merchant-invoice');

    // A partial refund from the form: the payment's Refunded column shows it.
    await page.getByLabel('Amount to refund').fill('5.00');
    await page.getByRole('button', { name: 'Refund', exact: true }).click();
    await page
      .getByRole('region', { name: 'Payments' })
      .getByText('5.00 USD', { exact: true })
      .waitFor();

    await page.getByRole('link', { name: '← All invoices' }).click();
    const invoices = page.getByRole('region', { name: 'Invoices' });
    await invoices.getByText('Espresso beans').waitFor();
    await invoices.getByText('paid', { exact: true }).waitFor();
    await page.getByLabel('Order id', { exact: true }).fill('order-9999');
    await page.getByText('No invoice matches').waitFor();
    await page.getByLabel('Order id', { exact: true }).fill('order-1001');
    await invoices.getByText('Espresso beans').waitFor();
    await checkPage('merchant-invoices');

    // A payment link: refused on its field first, then made, visited and used once.
    await page
      .getByRole('navigation', { name: 'Merchant' })
      .getByRole('link', { name: 'Payment links' })
      .click();
    await page.getByText('No payment links yet').waitFor();
    await page.getByLabel('Amount (optional)').fill('9.99');
    await page.getByLabel('Description (optional)').fill('Gift card');
    await page.getByLabel('Most invoices (optional)').fill('2.5');
    await page.getByRole('button', { name: 'Create link' }).click();
    await page.locator('input[name="max_uses"][aria-invalid="true"]').waitFor();
    await page.getByLabel('Most invoices (optional)').fill('3');
    await page.getByRole('button', { name: 'Create link' }).click();
    const ready = page.getByRole('status').filter({ hasText: 'Payment link ready' });
    const linkUrl = (await ready.getByRole('link').textContent()) ?? '';
    expect(linkUrl).toMatch(new RegExp(`^${base}/pay/l/plink_`));
    const linkTable = page.getByRole('region', { name: 'Payment links' });
    await linkTable.getByText('Gift card').waitFor();
    await linkTable.getByText('9.99 USD').waitFor();
    await linkTable.getByText('0 of 3').waitFor();
    await checkPage('merchant-payment-links');
    const dashboard = page.url();
    await page.goto(linkUrl);
    await page.getByRole('heading', { name: 'Gift card' }).waitFor();
    await page.getByRole('button', { name: 'Continue to payment' }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/pay/l/'));
    await page.goto(dashboard);
    await linkTable.getByText('1 of 3').waitFor();
    await linkTable.getByRole('button', { name: 'Turn off' }).click();
    await linkTable.getByText('off', { exact: true }).waitFor();
    await linkTable.getByRole('button', { name: 'Turn on' }).waitFor();

    for (const [link, name] of [
      ['Refunds', 'merchant-refunds'],
      ['Payouts', 'merchant-payouts'],
      ['API keys', 'merchant-keys'],
      ['Team', 'merchant-team'],
    ] as const) {
      await page
        .getByRole('navigation', { name: 'Merchant' })
        .getByRole('link', { name: link })
        .click();
      await page.locator('[aria-current="page"]', { hasText: link }).waitFor();
      await checkPage(name);
      if (link === 'API keys') {
        await page
          .getByRole('region', { name: 'API keys' })
          .getByText('Dashboard (test)')
          .waitFor();
      }
    }
    // The paid invoice's event went to the endpoint, which answered 500 every time.
    const merchants = await t.request('GET', '/v1/merchants', { token: ownerUser.token });
    expect(merchants.body.data).toEqual([expect.objectContaining({ name: 'Coffee Co' })]);
    await expect
      .poll(
        () =>
          rx.received.some(
            (r) =>
              r.path === '/hooks' &&
              (JSON.parse(r.body) as { type?: string }).type === 'invoice.paid',
          ),
        { timeout: 30_000 },
      )
      .toBe(true);
    // The dashboard's test key, as the browser keeps it, finds the endpoint.
    const merchantId = merchants.body.data[0].id as string;
    const testKey = await page.evaluate(
      (m) =>
        (globalThis as unknown as { localStorage: BrowserStorage }).localStorage.getItem(
          `vaultwire.merchant.${m}.test`,
        ),
      merchantId,
    );
    const endpoints = await t.request('GET', '/v1/webhook_endpoints', { token: testKey ?? '' });
    endpointId = endpoints.body.data[0].id as string;
    expect(endpointId).toMatch(/^whe_/);
  }, 240_000);

  it('a person sends ETH above the approval amount; an operator approves it in the console', async () => {
    const alice = await user(t, 'alice@example.com');
    await fund(t, alice.id, 'ETH', '10');
    await signInAs(alice.token);
    // The wallet is made for phones first, and shown so.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/app/send`);
    await page.getByLabel('Asset').fill('ETH');
    await page.getByLabel('To address').fill('0x1234');
    await page.getByText('This does not look like an address on this network').waitFor();
    await page.getByLabel('To address').fill(OUTSIDER);
    await page.getByLabel('Amount').fill('6');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('status').getByText('Waiting for an operator to approve it').waitFor();
    await checkPage('send-crypto');
    await page.setViewportSize(DESKTOP);

    const op = await user(t, 'op@example.com', 'operator');
    // Operators have TOTP on (the fixture turns it on): later tests reuse this session.
    opToken = op.token;
    await signInAs(op.token);
    await page.goto(`${base}/app/ops/withdrawals`);
    const waiting = page.getByRole('region', { name: 'Withdrawals awaiting approval' });
    await waiting.getByText('6.00 ETH').waitFor();
    await checkPage('ops-withdrawals');
    await waiting.getByRole('button', { name: 'Approve' }).click();
    await page.getByText('Nothing to approve').waitFor();
    const list = await t.request('GET', '/v1/withdrawals', { token: alice.token });
    expect(list.body.data[0]).toMatchObject({
      amount: '6',
      status: expect.not.stringMatching(/pending_approval/),
    });
    // The follower role's sender sends it; the node mines it at once (automine).
    await expect
      .poll(
        async () =>
          (await t.request('GET', '/v1/withdrawals', { token: alice.token })).body.data[0].status,
        { timeout: 30_000 },
      )
      .toBe('broadcast');
    expect(await node.rpc<string>('eth_blockNumber')).toBe('0x1');
  }, 180_000);

  it('an operator replays a dead letter from the console and the receiver gets it', async () => {
    const op = { body: { token: opToken } };
    // The endpoint's ping and the paid invoice's message both run out of their two
    // retries against the failing receiver.
    const deadLetters = async () =>
      (
        await t.request('GET', `/v1/webhook_endpoints/${endpointId}/dead_letters`, {
          token: op.body.token,
        })
      ).body.data as { id: string; event_type: string }[];
    await expect
      .poll(async () => (await deadLetters()).map((d) => d.event_type).sort(), {
        timeout: 60_000,
        interval: 500,
      })
      .toEqual(['invoice.paid', 'webhook.ping']);
    const dead = await deadLetters();
    healEndpoint();
    await signInAs(op.body.token);
    await page.goto(`${base}/app/ops/deliveries`);
    await page.getByRole('link', { name: `${rx.url}/hooks` }).click();
    const deadList = page.getByRole('region', { name: 'Dead letters' });
    await deadList.getByText('invoice.paid').waitFor();
    await deadList.getByText('webhook.ping').waitFor();
    await checkPage('ops-dead-letters');
    const before = rx.received.length;
    await page.getByRole('button', { name: 'Replay all 2 failed' }).click();
    // Both are delivered to the healed receiver, under the webhook-id they had, and the
    // page shows no failed delivery any more.
    await page.getByText('No failed deliveries').waitFor({ timeout: 30_000 });
    expect(await page.getByRole('alert').count()).toBe(0);
    await expect
      .poll(
        () =>
          rx.received
            .slice(before)
            .filter((r) => r.status === 200)
            .map((r) => r.headers['webhook-id'])
            .sort(),
        { timeout: 30_000 },
      )
      .toEqual(dead.map((d) => d.id).sort());
    expect(
      rx.received
        .slice(before)
        .map((r) => (JSON.parse(r.body) as { type: string }).type)
        .sort(),
    ).toEqual(['invoice.paid', 'webhook.ping']);
  }, 120_000);

  it('the console’s other pages: chains, nodes, producer, users (freeze), audit log verified', async () => {
    const op = { body: { token: opToken } };
    await signInAs(op.body.token);
    await page.goto(`${base}/app/ops`);
    await page
      .getByRole('region', { name: 'Chain followers' })
      .getByText('local')
      .first()
      .waitFor();
    const details = page.getByRole('region', { name: 'local details' });
    await details.getByText('next nonce 1, chain nonce 1').waitFor();
    expect(await details.getByRole('table').textContent()).not.toMatch(/invalid parameters/i);
    await checkPage('ops-chains');
    await page.goto(`${base}/app/ops/nodes`);
    await page.getByRole('heading', { name: 'Alerts' }).waitFor();
    await checkPage('ops-nodes');
    await page.goto(`${base}/app/ops/producer`);
    await page.getByRole('heading', { name: 'Operations console' }).waitFor();
    await checkPage('ops-producer');

    await page.goto(`${base}/app/ops/users`);
    await page.getByLabel('Find by email').fill('alice@example.com');
    const users = page.getByRole('region', { name: 'Users' });
    await users.getByText('alice@example.com').waitFor();
    // The filtered list replaces the full one when its query answers.
    await expect.poll(() => users.getByRole('row').count(), { timeout: 15_000 }).toBe(2);
    await users.getByRole('button', { name: 'Wallet' }).click();
    await page.getByLabel('Reason to freeze').fill('Card reported stolen');
    await page.getByRole('button', { name: 'Freeze wallet' }).click();
    await page.getByLabel('Reason to unfreeze').waitFor();
    await checkPage('ops-users');
    const alice = await t.request('POST', '/v1/sessions', {
      body: { email: 'alice@example.com', password: PW },
    });
    const wallet = await t.request('GET', '/v1/wallet', { token: alice.body.token });
    expect(wallet.body).toMatchObject({ frozen: true, frozen_reason: 'Card reported stolen' });

    // The audit log is the admin's.
    expect(await page.getByRole('link', { name: 'Audit log' }).count()).toBe(0);
    const admin = await user(t, 'admin@example.com', 'admin');
    await signInAs(admin.token);
    await page.goto(`${base}/app/ops/audit`);
    await page.getByText(/All \d+ events shown verified/).waitFor();
    await checkPage('ops-audit');
  }, 180_000);

  it('wallet: request money and get paid, profile and sessions, the total in a chosen currency', async () => {
    const bob = await user(t, 'bob@example.com');
    await t.request('PATCH', '/v1/me', { token: bob.token, body: { handle: 'bob' } });
    await fund(t, bob.id, 'USD', '50');
    const carol = await user(t, 'carol@example.com');
    await fund(t, carol.id, 'USD', '100');
    await fund(t, carol.id, 'BTC', '0.001');
    await signInAs(carol.token);
    await page.setViewportSize({ width: 390, height: 844 });

    await page.goto(`${base}/app/requests`);
    await page.getByLabel('From').fill('@bob');
    await page.getByLabel('Amount').fill('7.50');
    await page.getByLabel('What for (optional)').fill('Lunch');
    await page.getByRole('button', { name: 'Send request' }).click();
    await page.getByText('Asked @bob for 7.50 USD.').waitFor();
    await page.getByRole('button', { name: 'Sent by me' }).click();
    const sent = page.getByRole('list', { name: 'Requests sent' });
    await sent.getByText('pending').waitFor();
    // The other person by handle, not by id.
    await sent.getByText(/asked of @bob/).waitFor();
    await checkPage('requests');
    const incoming = await t.request('GET', '/v1/payment_requests?direction=incoming', {
      token: bob.token,
    });
    const paid = await t.request('POST', `/v1/payment_requests/${incoming.body.data[0].id}/pay`, {
      token: bob.token,
    });
    expect(paid.status, paid.text).toBe(200);
    await page.reload();
    await page.getByRole('button', { name: 'Sent by me' }).click();
    await sent.getByText('paid').waitFor();

    await page.goto(`${base}/app/profile`);
    await page.getByRole('textbox', { name: 'Handle' }).fill('Carol!');
    await page.getByRole('button', { name: 'Save handle' }).click();
    await page.locator('input[name="handle"][aria-invalid="true"]').waitFor();
    await page.getByRole('textbox', { name: 'Handle' }).fill('carol');
    await page.getByRole('button', { name: 'Save handle' }).click();
    await page.getByText('Saved: friends pay you at @carol').waitFor();
    await page.getByRole('list', { name: 'Sessions' }).getByText('(this one)').waitFor();
    await checkPage('profile');

    await page.goto(`${base}/app/`);
    await page.getByLabel('Show my total in').selectOption('USD');
    await page.getByText(/Total ≈ [\d,]+\.\d\d USD/).waitFor();
    await checkPage('balances-total');
  }, 180_000);

  it('loaded with no script error and no Content-Security-Policy violation', () => {
    expect(consoleErrors.filter((e) => !/status of 4\d\d/.test(e))).toEqual([]);
  });
});
