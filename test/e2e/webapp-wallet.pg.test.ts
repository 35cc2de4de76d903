import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { base32Decode, totp } from '../../src/platform/crypto/totp.js';
import { createTestApp, type TestApp } from '../support/app.js';
import {
  findChromium,
  launchChromium,
  seriousA11yViolations,
  SCREENSHOTS_DIR,
} from '../support/browser.js';

const chromiumPath = findChromium();
/** Artefacts of the run; `npm run screenshots` copies the ones the docs show. */
const shots = SCREENSHOTS_DIR;
const PHONE = { width: 390, height: 844 };

describe.skipIf(!chromiumPath)('the wallet web app in Chromium, against the real server', () => {
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    // The app under test is built from the current source, as `npm run build` builds it.
    const outDir = mkdtempSync(join(tmpdir(), 'vw-web-e2e-'));
    // Vitest sets NODE_ENV=test, which would bundle React's development build.
    const nodeEnv = process.env['NODE_ENV'];
    process.env['NODE_ENV'] = 'production';
    await build({
      configFile: 'web/vite.config.ts',
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true },
    }).finally(() => {
      process.env['NODE_ENV'] = nodeEnv;
    });
    t = await createTestApp({
      VW_WEBAPP_DIR: outDir,
      PORT: '0',
      HOST: '127.0.0.1',
      VW_WALLET_TEST_RAIL_SETTLE_MS: '0',
    });
    const started = await t.vw.start(['api', 'worker']);
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
    // A CSP violation or a script error shows up here.
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    mkdirSync(shots, { recursive: true });
  });

  afterAll(async () => {
    // Either may be unset when beforeAll failed part-way.
    /* eslint-disable @typescript-eslint/no-unnecessary-condition */
    await browser?.close();
    await t?.close();
    /* eslint-enable @typescript-eslint/no-unnecessary-condition */
  });

  // What the page showed when a step failed, to read next to the error.
  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    mkdirSync('.test-data', { recursive: true });
    await page.screenshot({ path: '.test-data/webapp-failure.png' });
    console.log(`page at failure: ${page.url()}\n${await page.locator('body').innerText()}`);
  });

  async function checkPage(name: string): Promise<void> {
    await page.screenshot({ path: join(shots, `${name}.png`) });
    expect(await seriousA11yViolations(page), `axe on ${name}`).toEqual([]);
  }

  it('a person signs up, adds money, pays a friend by handle, sees it in history; the friend sees it', async () => {
    // The friend, created through the API.
    const bob = await t.request('POST', '/v1/users', {
      body: { email: 'bob@example.com', password: 'bob-password-123', handle: 'bob' },
    });
    expect(bob.status).toBe(201);

    await page.goto(`${base}/app/`);
    await page.waitForURL('**/app/login');
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByRole('heading', { name: 'Create your wallet' }).waitFor();
    await checkPage('signup');

    // The same rules as the API, before sending: the error sits on its field.
    await page.getByLabel('Email').fill('ada@');
    await page.getByLabel('Password').fill('x');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.locator('input[name="email"][aria-invalid="true"]').waitFor();
    // The API's own refusal (a password too short), shown on the password field by `param`.
    await page.getByLabel('Email').fill('ada@example.com');
    await page.getByLabel('Handle (optional)').fill('ada');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.locator('input[name="password"][aria-invalid="true"]').waitFor();
    await page.locator('.field-error', { hasText: '12' }).waitFor();
    await page.getByLabel('Password').fill('ada-password-123');
    await page.getByRole('button', { name: 'Create account' }).click();

    await page.getByRole('heading', { name: 'Balances' }).waitFor();
    await page.getByText('No money here yet').waitFor();
    await checkPage('balances-empty');

    await page.getByRole('link', { name: 'Add money' }).first().click();
    await page.getByLabel('Currency').selectOption('USD');
    await page.getByLabel('Amount').fill('100');
    await page.getByRole('button', { name: 'Deposit' }).click();
    await page.getByText('Arrived in your wallet.').waitFor();
    await page.getByRole('link', { name: 'See balances' }).click();
    const balances = page.getByRole('list', { name: 'Balances' });
    await balances.getByText('100.00 USD').waitFor();
    await checkPage('balances');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Pay' }).click();
    await page.getByLabel('To', { exact: true }).fill('@bob');
    await page.getByLabel('Amount').fill('12.50');
    await page.getByLabel('Note (optional)').fill('Dinner');
    await checkPage('pay');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('heading', { name: 'Payment sent' }).waitFor();
    await page.getByRole('status').getByText('12.50 USD').waitFor();

    await page.getByRole('link', { name: 'See history' }).click();
    const activity = page.getByRole('list', { name: 'Activity' });
    await activity.getByText('−12.50 USD').waitFor();
    await activity.getByText('+100.00 USD').waitFor();
    // Who the payment went to, by handle, with its note beneath.
    const paidBob = activity.getByRole('listitem').filter({ hasText: '−12.50 USD' });
    await paidBob.getByText('To @bob').waitFor();
    await paidBob.getByText('Dinner').waitFor();
    await checkPage('history');

    // A filtered view is a link: payments only.
    await page.goto(`${base}/app/history?type=payment`);
    await activity.getByText('−12.50 USD').waitFor();
    expect(await activity.getByText('+100.00 USD').count()).toBe(0);

    // The friend sees the money.
    const login = await t.request('POST', '/v1/sessions', {
      body: { email: 'bob@example.com', password: 'bob-password-123' },
    });
    const bobBalances = await t.request('GET', '/v1/wallet/balances', { token: login.body.token });
    // The list has every asset (zero balances too): Bob's USD holds exactly the payment.
    expect(bobBalances.body.data).toEqual(
      expect.arrayContaining([expect.objectContaining({ asset: 'USD', available: '12.50' })]),
    );
    // And his history names who paid him.
    const bobHistory = await t.request('GET', '/v1/wallet/history', { token: login.body.token });
    expect(bobHistory.body.data).toEqual([
      expect.objectContaining({
        amount: '12.50',
        counterparty_handle: 'ada',
        description: 'Dinner',
      }),
    ]);
  }, 240_000);

  it('buys BTC from a quote with its countdown, then the other pages load without a serious a11y issue', async () => {
    await page.goto(`${base}/app/trade`);
    await page.getByLabel('Amount to spend (fee included)').fill('20');
    await page.getByRole('button', { name: 'Get a quote' }).click();
    await page
      .getByRole('timer')
      .getByText(/Price locked for \d+ s/)
      .waitFor();
    await checkPage('trade-quote');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText(/\+0\.\d+ BTC/).waitFor();

    for (const [path, heading] of [
      ['/app/receive', 'Receive crypto'],
      ['/app/more', 'Account'],
      ['/app/security', 'Two-factor authentication'],
      ['/app/api-keys', 'API keys'],
    ] as const) {
      await page.goto(`${base}${path}`);
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      await page.locator('.spinner').first().waitFor({ state: 'detached' });
      await checkPage(path.slice('/app/'.length));
    }
  }, 180_000);

  it('logs in with the TOTP step once two-factor authentication is on', async () => {
    await page.goto(`${base}/app/security`);
    await page.getByRole('button', { name: 'Turn on' }).click();
    const key = await page.locator('.mono').first().textContent();
    expect(key).toMatch(/^[A-Z2-7]+$/);
    await checkPage('security-enrol');
    await page.getByLabel('6-digit code').fill(code(key ?? ''));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByText('Two-factor authentication is on').waitFor();

    await page.goto(`${base}/app/more`);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL('**/app/login');
    await page.getByLabel('Email').fill('ada@example.com');
    await page.getByLabel('Password').fill('ada-password-123');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Enter your code' }).waitFor();
    await checkPage('login-totp');
    await page.getByLabel(/6-digit code/).fill(code(key ?? '', 30));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Balances' }).waitFor();
  }, 120_000);

  it('loaded with no script error and no Content-Security-Policy violation', () => {
    expect(consoleErrors.filter((e) => !/status of 4\d\d/.test(e))).toEqual([]);
  });
});

/** The current code of a base32 secret, `offsetSeconds` ahead (a step not used yet). */
function code(secret: string, offsetSeconds = 0): string {
  return totp(base32Decode(secret), Date.now() + offsetSeconds * 1000);
}
