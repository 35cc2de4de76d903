import { existsSync } from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/**
 * The Chromium the browser tests drive: `CHROMIUM_PATH`, else Debian's `chromium`.
 * Undefined when none is installed; in CI that is an error (never a silent skip).
 */
export function findChromium(): string | undefined {
  const path = [process.env['CHROMIUM_PATH'], ...CANDIDATES].find(
    (p): p is string => !!p && existsSync(p),
  );
  const ci = process.env['CI'] === 'true' || process.env['CI'] === '1';
  if (!path && ci) {
    throw new Error(
      'No Chromium found (set CHROMIUM_PATH or apt-get install chromium): the browser tests must run in CI',
    );
  }
  return path;
}

export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-gpu'],
  });
}

/** The serious and critical accessibility violations axe finds on the page, as readable lines. */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
}

/**
 * Chromium with WebGL on the CPU (SwiftShader through ANGLE), for pages that draw in 3D on a
 * machine without a GPU; `webgl: false` turns the 3D APIs off, as on a browser without them.
 */
export function launchChromiumWithWebGl(executablePath: string, webgl = true): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-background-networking',
      ...(webgl
        ? [
            '--use-gl=angle',
            '--use-angle=swiftshader',
            '--enable-unsafe-swiftshader',
            '--ignore-gpu-blocklist',
          ]
        : ['--disable-3d-apis', '--disable-webgl', '--disable-gpu']),
    ],
  });
}

/**
 * Where the browser tests put their screenshots: artefacts of the run, and the source of
 * the README's (`npm run screenshots` copies the ones the docs show into docs/screenshots).
 */
export const SCREENSHOTS_DIR = '.test-data/screenshots';

/**
 * A page's screenshot as the docs show it: in the light theme whatever scheme the test
 * runs in (`scheme`, put back afterwards), so every picture in the README looks alike.
 */
export async function screenshot(
  page: Page,
  name: string,
  scheme: 'light' | 'dark' = 'light',
): Promise<void> {
  if (scheme !== 'light') await page.emulateMedia({ colorScheme: 'light' });
  await page.screenshot({ path: `${SCREENSHOTS_DIR}/${name}.png` });
  if (scheme !== 'light') await page.emulateMedia({ colorScheme: scheme });
}

/**
 * The serious and critical accessibility violations in the light and in the dark theme,
 * each line saying which; the page is left in `scheme`.
 */
export async function seriousA11yViolationsInBothSchemes(
  page: Page,
  scheme: 'light' | 'dark',
): Promise<string[]> {
  const found: string[] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    found.push(...(await seriousA11yViolations(page)).map((v) => `${colorScheme}: ${v}`));
  }
  await page.emulateMedia({ colorScheme: scheme });
  return found;
}
