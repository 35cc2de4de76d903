#!/usr/bin/env node
// The test command (`npm test`). Runs every test on the embedded database and, when a
// PostgreSQL server is reachable, the integration tests again on it. In CI a missing
// server is an error, never a silent skip. Ends with the line `N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import pg from 'pg';

const ci = process.env.CI === 'true' || process.env.CI === '1';
const candidate = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

async function reachable(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

const env = { ...process.env };
const projects = ['--project', 'pglite'];
if (await reachable(candidate)) {
  env.TEST_DATABASE_URL = candidate;
  projects.push('--project', 'postgres');
  console.log(
    `PostgreSQL found at ${new URL(candidate).host}: integration tests run on PGlite and on PostgreSQL.`,
  );
} else if (ci) {
  console.error(
    `CI: no PostgreSQL at ${candidate}. .ci/run starts one; set TEST_DATABASE_URL to use another.`,
  );
  process.exit(1);
} else {
  console.warn(
    'WARNING: no PostgreSQL server reachable (set TEST_DATABASE_URL). Running PGlite tests only; ' +
      'the PostgreSQL-only tests (concurrency, multi-process) are NOT run.',
  );
}

mkdirSync('.test-data', { recursive: true });
const report = '.test-data/vitest.json';
rmSync(report, { force: true });
const args = [
  'vitest',
  'run',
  ...projects,
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
  ...process.argv.slice(2),
];
const run = spawnSync('npx', args, { stdio: 'inherit', env });

let passed = 0;
let failed = 0;
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed = r.numPassedTests ?? 0;
  failed = r.numFailedTests ?? 0;
  // A file that fails to load has no failed test but a failed suite: count it.
  if (failed === 0) failed = r.numFailedTestSuites ?? 0;
}
const code = run.status ?? 1;
if (code !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(code);
