#!/usr/bin/env node
// The test command (`npm test`). Finds, or installs and starts, what the tests need
// (scripts/services.mjs) and says so in one line; runs every test on the embedded database
// and the integration tests again on PostgreSQL. Without PostgreSQL (not root, nothing to
// install it with) it says so and runs the embedded half; in CI that is an error, never a
// silent skip. Ends with the line `N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import {
  ensureEtcdCluster,
  ensureNats,
  ensurePostgres,
  ensurePromtool,
  ServiceError,
} from './services.mjs';

const ci = process.env.CI === 'true' || process.env.CI === '1';
const started = Date.now();
const env = { ...process.env };
const projects = ['--project', 'pglite'];
const did = [];

async function have(ensure) {
  const r = await ensure();
  Object.assign(env, r.env);
  did.push(r.say);
  return r;
}

try {
  await have(ensurePromtool);
  let postgres = true;
  try {
    await have(ensurePostgres);
  } catch (err) {
    if (ci || !(err instanceof ServiceError)) throw err;
    postgres = false;
    did.push(`no PostgreSQL (${err.message}): the PostgreSQL-only tests are NOT run`);
  }
  if (postgres) {
    // Only tests on PostgreSQL use NATS (the webhook engine's scale-out path).
    await have(ensureNats);
    // The producer module's election and high-water mark tests (`*.etcd.test.ts`) run on
    // a 3-member etcd cluster; in CI a missing cluster fails the run like PostgreSQL does.
    await have(ensureEtcdCluster);
    projects.push('--project', 'postgres', '--project', 'etcd');
  }
} catch (err) {
  console.error(`npm test: ${err.message}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
console.log(`Services (${((Date.now() - started) / 1000).toFixed(1)} s): ${did.join('; ')}.`);

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
const failedNames = [];
const retriedNames = [];
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed = r.numPassedTests ?? 0;
  failed = r.numFailedTests ?? 0;
  // A file that fails to load has no failed test but a failed suite: count it.
  if (failed === 0) failed = r.numFailedTestSuites ?? 0;
  for (const file of r.testResults ?? []) {
    const where = relative(process.cwd(), file.name);
    if (file.status === 'failed' && (file.assertionResults ?? []).length === 0) {
      failedNames.push(
        `${where}: the file failed to load (${(file.message ?? '').split('\n')[0]})`,
      );
    }
    for (const t of file.assertionResults ?? []) {
      // A test that passed with failure messages passed on a retry (CI retries once).
      if (t.status === 'failed') failedNames.push(`${where} > ${t.fullName}`);
      else if (t.status === 'passed' && (t.failureMessages ?? []).length > 0) {
        retriedNames.push(`${where} > ${t.fullName}`);
      }
    }
  }
}
// The names again at the very end: a CI log is often read from its tail only.
const listed = [
  ...retriedNames.map((n) => `passed on its retry: ${n}`),
  ...failedNames.map((n) => `FAILED: ${n}`),
];
writeFileSync('.test-data/test-outcome.txt', listed.map((l) => `${l}\n`).join(''));
for (const line of listed) console.log(line);
const code = run.status ?? 1;
if (code !== 0 && failed === 0) failed = 1;
console.log(`npm test took ${Math.round((Date.now() - started) / 1000)} s.`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(code);
