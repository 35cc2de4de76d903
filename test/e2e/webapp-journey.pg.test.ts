import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { encode } from 'uqr';
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

/**
 * One person's first session with the wallet, start to end, in real Chromium on a
 * phone-sized screen against the real server on PostgreSQL (all of a deployment's roles
 * but the chain follower): Ada signs up, turns on two-factor authentication by scanning
 * the QR, logs in again with her code, adds money over the test rail, buys BTC from a
 * quote, pays a friend some of it by @handle and sees it all in her activity; the friend,
 * in his own browser, sees the money arrive. axe finds nothing serious on any page.
 */

const chromiumPath = findChromium();
/** Artefacts of the run; `npm run screenshots` copies the ones the docs show. */
const shots = SCREENSHOTS_DIR;
const PHONE = { width: 390, height: 844 };
const ADA = { email: 'ada@example.com', password: 'ada-password-123', handle: 'ada' };
const BOB = { email: 'bob@example.com', password: 'bob-password-123', handle: 'bob' };

/** The current TOTP code of a base32 secret, `offsetSeconds` ahead (a step not used yet). */
function code(secret: string, offsetSeconds = 0): string {
  return totp(base32Decode(secret), Date.now() + offsetSeconds * 1000);
}

/** A BTC decimal string in satoshis. */
function sats(btc: string): bigint {
  const [whole = '', fraction = ''] = btc.split('.');
  expect(btc).toMatch(/^\d+(\.\d{1,8})?$/);
  return BigInt(whole) * 100_000_000n + BigInt(fraction.padEnd(8, '0'));
}

/** The SVG path `web/src/components/Qr.tsx` draws for `value`. */
function qrPath(value: string): string {
  const { data } = encode(value, { ecc: 'M', border: 2 });
  let path = '';
  data.forEach((row, y) => {
    row.forEach((dark, x) => {
      if (dark) path += `M${x} ${y}h1v1h-1z`;
    });
  });
  return path;
}

describe.skipIf(!chromiumPath)('a person’s whole first session with the wallet', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  const pages: Page[] = [];
  const consoleErrors: string[] = [];

  beforeAll(async () => {
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
      // A loaded CI machine may take seconds between the quote and the click on Confirm.
      VW_WALLET_QUOTE_TTL_SECONDS: '30',
    });
    const started = await t.vw.start(['api', 'worker', 'scheduler', 'delivery']);
    base = `http://127.0.0.1:${started.port}`;
    browser = await launchChromium(chromiumPath ?? '');
    mkdirSync(shots, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    /* eslint-disable @typescript-eslint/no-unnecessary-condition */
    await browser?.close();
    await t?.close();
    /* eslint-enable @typescript-eslint/no-unnecessary-condition */
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    mkdirSync('.test-data', { recursive: true });
    for (const [i, p] of pages.entries()) {
      await p.screenshot({ path: `.test-data/webapp-journey-failure-${i}.png` });
      console.log(`page ${i} at failure: ${p.url()}\n${await p.locator('body').innerText()}`);
    }
  });

  /** A phone-sized browser of its own (its own storage: its own session). */
  async function phone(): Promise<Page> {
    const context = await browser.newContext({
      viewport: PHONE,
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      colorScheme: 'light',
    });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    page.on('response', (r) => {
      if (r.status() >= 500) consoleErrors.push(`${r.status()} ${r.request().method()} ${r.url()}`);
    });
    pages.push(page);
    return page;
  }

  async function checkPage(page: Page, name: string): Promise<void> {
    await page.locator('.spinner').first().waitFor({ state: 'detached' });
    await page.screenshot({ path: join(shots, `${name}.png`) });
    expect(await seriousA11yViolations(page), `axe on ${name}`).toEqual([]);
  }

  it('signs up, enrols TOTP, adds money, buys BTC, pays @bob; Bob sees it', async () => {
    // The friend already has a wallet and a handle.
    const bob = await t.request('POST', '/v1/users', { body: BOB });
    expect(bob.status, bob.text).toBe(201);

    const page = await phone();
    const main = () => page.getByRole('navigation', { name: 'Main' });

    // 1. Sign up.
    await page.goto(`${base}/app/`);
    await page.waitForURL('**/app/login');
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Email').fill(ADA.email);
    await page.getByLabel('Handle (optional)').fill(ADA.handle);
    await page.getByLabel('Password').fill(ADA.password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Balances' }).waitFor();
    await page.getByText('No money here yet').waitFor();

    // 2. Two-factor authentication: the QR on the page is the enrolment's otpauth URI.
    await page.goto(`${base}/app/security`);
    const enrolled = page.waitForResponse(
      (r) => r.url().endsWith('/v1/me/totp') && r.request().method() === 'POST',
    );
    await page.getByRole('button', { name: 'Turn on' }).click();
    const enrolment = (await (await enrolled).json()) as { secret: string; otpauth_uri: string };
    expect(enrolment.otpauth_uri).toContain(`secret=${enrolment.secret}`);
    const qr = page.getByRole('img', { name: /QR code to add Vaultwire/ });
    expect(await qr.locator('path').getAttribute('d')).toBe(qrPath(enrolment.otpauth_uri));
    await page.getByText(enrolment.secret).waitFor();
    await checkPage(page, 'journey-totp-qr');
    await page.getByLabel('6-digit code').fill(code(enrolment.secret));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByText('Two-factor authentication is on').waitFor();
    expect(await page.locator('.codes li').count()).toBeGreaterThan(0);

    // Log out; logging in again asks for the code.
    await page.goto(`${base}/app/more`);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL('**/app/login');
    await page.getByLabel('Email').fill(ADA.email);
    await page.getByLabel('Password').fill(ADA.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Enter your code' }).waitFor();
    // The next time step's code: the one used to turn it on is spent.
    await page.getByLabel(/6-digit code/).fill(code(enrolment.secret, 30));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Balances' }).waitFor();

    // 3. Fund over the test rail.
    await page.getByRole('link', { name: 'Add money' }).first().click();
    await page.getByLabel('Currency').selectOption('USD');
    await page.getByLabel('Amount').fill('200');
    await page.getByRole('button', { name: 'Deposit' }).click();
    await page.getByText('Arrived in your wallet.').waitFor();
    await page.getByRole('link', { name: 'See balances' }).click();
    const balances = page.getByRole('list', { name: 'Balances' });
    await balances.getByText('200.00 USD').waitFor();
    await checkPage(page, 'journey-funded');

    // 4. Buy BTC with 50 USD from a quote: what the quote said is what arrives.
    await page.goto(`${base}/app/trade`);
    await page.getByLabel('Amount to spend (fee included)').fill('50');
    await page.getByRole('button', { name: 'Get a quote' }).click();
    await page
      .getByRole('timer')
      .getByText(/Price locked for \d+ s/)
      .waitFor();
    const quoted = await page.locator('dd.big').textContent();
    expect(quoted).toMatch(/^0\.\d+ BTC$/);
    await checkPage(page, 'journey-quote');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page
      .getByRole('status')
      .getByText(`+${quoted ?? ''}`)
      .waitFor();
    await page.getByRole('link', { name: 'See balances' }).click();
    await balances.getByText(quoted ?? '').waitFor();
    await balances.getByText('150.00 USD').waitFor();

    // 5. Pay a friend some of the BTC, by handle.
    await main().getByRole('link', { name: 'Pay' }).click();
    // The pay form, not the balances page still on screen (its "Total in" select).
    await page.getByRole('heading', { name: 'Pay a friend' }).waitFor();
    await page.getByLabel('To', { exact: true }).fill('@bob');
    await page.getByLabel('From balance').selectOption('BTC');
    await page.getByLabel('Amount').fill('0.0005');
    await page.getByLabel('Note (optional)').fill('Coffee beans');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('heading', { name: 'Payment sent' }).waitFor();
    await page.getByRole('status').getByText('0.0005 BTC').waitFor();
    await page.getByRole('status').getByText('to @bob').waitFor();
    await checkPage(page, 'journey-paid');

    // 6. Her activity: the payment, the trade and the deposit, newest first.
    await page.getByRole('link', { name: 'See history' }).click();
    const activity = page.getByRole('list', { name: 'Activity' });
    await activity.getByText('−0.0005 BTC').waitFor();
    await activity.getByText('Coffee beans').waitFor();
    await activity.getByText(`+${quoted ?? ''}`).waitFor();
    await activity.getByText('+200.00 USD').waitFor();
    const rows = await activity.getByRole('listitem').allInnerTexts();
    expect(rows[0]).toContain('−0.0005 BTC');
    expect(rows.at(-1)).toContain('+200.00 USD');
    await checkPage(page, 'journey-activity');

    // 7. Bob, in his own browser, sees the money and who it is for.
    const bobPage = await phone();
    await bobPage.goto(`${base}/app/login`);
    await bobPage.getByLabel('Email').fill(BOB.email);
    await bobPage.getByLabel('Password').fill(BOB.password);
    await bobPage.getByRole('button', { name: 'Log in' }).click();
    await bobPage
      .getByRole('list', { name: 'Balances' })
      .getByText(/^0\.0005 BTC$/)
      .waitFor();
    await bobPage.goto(`${base}/app/history`);
    const bobActivity = bobPage.getByRole('list', { name: 'Activity' });
    await bobActivity.getByText('+0.0005 BTC').waitFor();
    await bobActivity.getByText('Coffee beans').waitFor();
    await checkPage(bobPage, 'journey-friend-activity');

    // The books agree with what both saw: Ada keeps what she bought less what she paid.
    const adaUser = await t.vw.identity.findUserByEmail(ADA.email);
    const btcOf = async (userId: string) =>
      (await t.vw.wallet.balances(userId)).find((b) => b.asset === 'BTC')?.available;
    expect(await btcOf(adaUser?.id ?? '')).toBe(sats((quoted ?? '').replace(' BTC', '')) - 50_000n);
    expect(await btcOf(bob.body.id as string)).toBe(50_000n);
  }, 300_000);

  it('loaded with no script error, no 5xx and no Content-Security-Policy violation', () => {
    expect(consoleErrors.filter((e) => !/status of 4\d\d/.test(e))).toEqual([]);
  });
});
