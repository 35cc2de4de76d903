import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PermanentJobError } from '../../src/platform/queue/queue.js';
import { user } from '../fixtures/merchants/setup.js';
import { createTestApp, type TestApp } from '../support/app.js';
import {
  findChromium,
  launchChromium,
  seriousA11yViolations,
  SCREENSHOTS_DIR,
  screenshot,
} from '../support/browser.js';

/**
 * The console's queues page in real Chromium against the real server on PostgreSQL: a
 * job runs out of attempts, the operator sees it with its error (never its payload),
 * retries it from the keyboard and then retries the rest at once; declining the
 * confirmation retries nothing. axe finds nothing serious in light or dark.
 */

interface BrowserStorage {
  setItem(key: string, value: string): void;
  clear(): void;
}

const chromiumPath = findChromium();
/** Artefacts of the run; `npm run screenshots` copies the ones the docs show. */
const shots = SCREENSHOTS_DIR;
const QUEUE = 'e2e-payouts.q';
const CARD = '4111 1111 1111 1111';

describe.skipIf(!chromiumPath)('the operations console’s queues page in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  let healthy = false;
  const ran: string[] = [];
  const consoleErrors: string[] = [];
  let answerDialog: 'accept' | 'dismiss' = 'accept';

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
    t = await createTestApp({ VW_WEBAPP_DIR: outDir, PORT: '0', HOST: '127.0.0.1' });
    t.vw.jobs.register<{ card: string }>(QUEUE, (job) => {
      if (!healthy) throw new PermanentJobError('the receiving bank said no');
      ran.push(job.id);
      return Promise.resolve();
    });
    // Only the api role: the test runs the queue itself, so a job dies when it says.
    const started = await t.vw.start(['api']);
    base = `http://127.0.0.1:${started.port}`;
    browser = await launchChromium(chromiumPath ?? '');
    context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      colorScheme: 'dark',
    });
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    page.on('response', (r) => {
      if (r.status() >= 500) consoleErrors.push(`${r.status()} ${r.request().method()} ${r.url()}`);
    });
    page.on('dialog', (d) => void (answerDialog === 'accept' ? d.accept() : d.dismiss()));
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
    await page.screenshot({ path: '.test-data/webapp-queues-failure.png' });
    console.log(`page at failure: ${page.url()}\n${await page.locator('body').innerText()}`);
  });

  async function axeInBothSchemes(name: string): Promise<void> {
    await page.locator('.spinner').first().waitFor({ state: 'detached' });
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      expect(await seriousA11yViolations(page), `axe on ${name} (${colorScheme})`).toEqual([]);
    }
  }

  it('an operator sees a dead job with its error, not its payload, and retries it from the page', async () => {
    const op = await user(t, 'op@example.com', 'operator');
    await page.goto(`${base}/app/login`);
    await page.evaluate((tk) => {
      const { localStorage } = globalThis as unknown as { localStorage: BrowserStorage };
      localStorage.clear();
      localStorage.setItem(
        'vaultwire.session',
        JSON.stringify({ token: tk, expiresAt: new Date(Date.now() + 3_600_000).toISOString() }),
      );
    }, op.token);

    // Reached from the console's menu; nothing dead yet.
    await page.goto(`${base}/app/ops`);
    await page
      .getByRole('navigation', { name: 'Console' })
      .getByRole('link', { name: 'Queues' })
      .click();
    await page.getByText('No dead jobs').waitFor();
    await axeInBothSchemes('ops-queues (empty)');

    const first = await t.vw.jobs.enqueue(QUEUE, { card: CARD }, { maxAttempts: 1 });
    const second = await t.vw.jobs.enqueue(QUEUE, { card: CARD }, { maxAttempts: 1 });
    await t.vw.jobs.runDue({ queues: [QUEUE] });
    await page.reload();
    const deadJobs = page.getByRole('region', { name: 'Dead jobs' });
    const row = (id: string) => deadJobs.getByRole('row').filter({ hasText: id });
    await row(first.id).getByText('the receiving bank said no').waitFor();
    await expect.poll(() => row(second.id).getByText('1 of 1').count()).toBe(1);
    const depth = page.getByRole('region', { name: 'Queue depth' });
    await expect
      .poll(async () =>
        (await depth.getByRole('row').filter({ hasText: QUEUE }).innerText()).split(/\s+/),
      )
      .toEqual([QUEUE, 'dead', '2', '—']);
    expect(await page.locator('body').innerText()).not.toContain('4111');
    // Where it failed: the frames, named from the install, never the server's paths.
    await row(first.id).getByText('Where it failed').click();
    const trace = row(first.id).locator('pre');
    await trace.getByText(/test\/e2e\/webapp-queues\.pg\.test\.ts:\d+:\d+/).waitFor();
    expect(await deadJobs.innerText()).not.toContain(process.cwd());
    await screenshot(page, 'ops-queues', 'dark');
    await axeInBothSchemes('ops-queues');

    // Declining the confirmation retries nothing.
    answerDialog = 'dismiss';
    await row(first.id).getByRole('button', { name: 'Retry', exact: true }).click();
    expect((await t.vw.jobs.get(first.id))?.state).toBe('dead');

    // From the keyboard: focus the first job's Retry and press Enter, then confirm.
    answerDialog = 'accept';
    healthy = true;
    await row(first.id).getByRole('button', { name: 'Retry', exact: true }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => row(first.id).count(), { timeout: 15_000 }).toBe(0);
    expect((await t.vw.jobs.get(first.id))?.state).not.toBe('dead');

    // The rest at once.
    await page.getByRole('button', { name: 'Retry all 1' }).click();
    await page.getByRole('status').getByText('Retried 1 job.').waitFor();
    await page.getByText('No dead jobs').waitFor();

    await t.vw.jobs.runDue({ queues: [QUEUE] });
    expect(ran.sort()).toEqual([first.id, second.id].sort());
    const { rows } = await t.vw.db.query<{ actor_id: string; target_id: string }>(
      "SELECT actor_id, target_id FROM audit_events WHERE action = 'job.retried' ORDER BY target_id",
    );
    expect(rows).toEqual(
      [first.id, second.id].sort().map((id) => ({ actor_id: op.id, target_id: id })),
    );
  }, 180_000);

  it('every console page shows its empty state on a platform with nothing to show, and the API’s refusal as an error; axe in light and dark', async () => {
    // This server follows no chain, watches no node, produces nothing and has no webhook
    // endpoint: each page says so rather than showing a blank table. Reached from the menu.
    for (const [link, says] of [
      ['Chains', 'No chain followed'],
      ['Nodes and alerts', 'No nodes watched'],
      ['Producer', 'No producer configured'],
      ['Webhook deliveries', 'No webhook endpoints on this platform'],
      ['Queues', 'No dead jobs'],
      ['Withdrawals', 'Nothing to approve'],
      ['Users', 'op@example.com'],
    ] as const) {
      await page
        .getByRole('navigation', { name: 'Console' })
        .getByRole('link', { name: link })
        .click();
      await page.locator('[aria-current="page"]', { hasText: link }).waitFor();
      await page.getByText(says).first().waitFor();
      expect(await page.getByRole('alert').count(), link).toBe(0);
      await axeInBothSchemes(`ops: ${link} (empty)`);
    }
    // The audit log is the admin's: an operator who follows a link to it reads the API's
    // refusal and can try again, not a blank page.
    await page.goto(`${base}/app/ops/audit`);
    // The events and the anchors are both refused: the first says so.
    const refused = page.getByRole('alert').first();
    await refused.getByText('Could not load this').waitFor();
    await refused.getByText(/role \(operator\)/).waitFor();
    await refused.getByRole('button', { name: 'Try again' }).waitFor();
    await axeInBothSchemes('ops: audit log (refused)');
  }, 180_000);

  it('loaded with no script error and no Content-Security-Policy violation', () => {
    expect(consoleErrors.filter((e) => !/status of 4\d\d/.test(e))).toEqual([]);
  });
});
