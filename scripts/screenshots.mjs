#!/usr/bin/env node
// `npm run screenshots`: regenerates every screenshot the README and docs show.
//
// The pictures are taken by the browser tests (real Chromium against the real server on
// PostgreSQL, every record made through the API as a person would; checkout on a local
// Hardhat node, the mall with WebGL on the CPU), in the light theme, phone-sized for the
// wallet and the checkout and desktop-sized for the dashboard, the console and the mall.
// This runs those tests, then copies each picture a Markdown file links to from the run's
// artefacts (.test-data/screenshots) into docs/screenshots, and removes pictures there
// that no document shows. A failed test, or a linked picture no test took, fails the run
// and copies nothing: the docs never mix pictures of two versions of the app.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePostgres, ServiceError } from './services.mjs';

const TESTS = [
  'test/e2e/webapp-wallet.pg.test.ts',
  'test/e2e/webapp-dashboard.pg.test.ts',
  'test/e2e/webapp-queues.pg.test.ts',
  'test/e2e/checkout.pg.test.ts',
  'test/e2e/mall.pg.test.ts',
];
const ARTEFACTS = '.test-data/screenshots';
const DOCS_SHOTS = 'docs/screenshots';
const DOCS = [
  'README.md',
  ...readdirSync('docs')
    .filter((f) => f.endsWith('.md'))
    .map((f) => join('docs', f)),
];

/** The pictures under docs/screenshots that a document links to. */
function linkedShots() {
  const names = new Set();
  for (const file of DOCS) {
    for (const m of readFileSync(file, 'utf8').matchAll(/screenshots\/([\w.-]+\.png)/g)) {
      names.add(m[1]);
    }
  }
  return [...names].sort();
}

let env = { ...process.env };
try {
  const pg = await ensurePostgres();
  env = { ...env, ...pg.env };
  console.log(pg.say);
} catch (err) {
  console.error(`npm run screenshots: ${err instanceof ServiceError ? err.message : err}`);
  process.exit(1);
}

// Only this run's pictures may be copied.
rmSync(ARTEFACTS, { recursive: true, force: true });
const run = spawnSync(
  'npx',
  // One file at a time: each starts a server, a browser and (checkout, mall) a chain node.
  ['vitest', 'run', '--project', 'postgres', '--maxWorkers=1', ...TESTS, ...process.argv.slice(2)],
  { stdio: 'inherit', env },
);
if (run.status !== 0) {
  console.error('npm run screenshots: a browser test failed; docs/screenshots is unchanged.');
  process.exit(run.status ?? 1);
}

const linked = linkedShots();
const missing = linked.filter((name) => !existsSync(join(ARTEFACTS, name)));
if (missing.length > 0) {
  console.error(
    `npm run screenshots: the docs link to pictures no test took: ${missing.join(', ')}; docs/screenshots is unchanged.`,
  );
  process.exit(1);
}
for (const name of linked) copyFileSync(join(ARTEFACTS, name), join(DOCS_SHOTS, name));
const unlinked = readdirSync(DOCS_SHOTS).filter((f) => !linked.includes(f));
for (const name of unlinked) rmSync(join(DOCS_SHOTS, name));
console.log(
  `npm run screenshots: ${linked.length} pictures written to ${DOCS_SHOTS}${unlinked.length ? `; removed ${unlinked.length} no document shows (${unlinked.join(', ')})` : ''}.`,
);
