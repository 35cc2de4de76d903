import { defineConfig } from 'vitest/config';

/**
 * Three projects:
 * - `pglite`: every test, with integration tests on the embedded database;
 * - `postgres`: integration (`*.int.test.ts`) and server-only (`*.pg.test.ts`) tests on
 *   a real PostgreSQL server (TEST_DATABASE_URL);
 * - `etcd`: tests on a real 3-member etcd cluster (`*.etcd.test.ts`, ETCD_CLUSTER_URLS).
 * scripts/test.mjs decides which run.
 */
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ['test/support/global-setup.ts'],
    // Every test fails when its code makes a network call inside a database transaction.
    setupFiles: ['test/support/network-guard.ts'],
    maxWorkers: 2,
    // CI runs on a shared 2-core machine whose speed varies about twofold from run to run:
    // a test that fails there is run once more, and scripts/test.mjs lists every test that
    // passed only on its second try, so flakiness is shown, not hidden. Locally: no retry.
    retry: process.env['CI'] === 'true' || process.env['CI'] === '1' ? 1 : 0,
    projects: [
      {
        extends: true,
        test: {
          name: 'pglite',
          include: [
            'src/**/*.test.ts',
            'test/**/*.test.ts',
            'packages/**/*.test.ts',
            'mall/src/**/*.test.ts',
          ],
          exclude: ['**/*.pg.test.ts', '**/*.etcd.test.ts', 'node_modules/**'],
          env: { VW_TEST_DB: 'pglite' },
        },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          include: ['src/**/*.{int,pg}.test.ts', 'test/**/*.{int,pg}.test.ts'],
          env: { VW_TEST_DB: 'postgres' },
        },
      },
      {
        extends: true,
        test: {
          name: 'etcd',
          include: ['src/**/*.etcd.test.ts', 'test/**/*.etcd.test.ts'],
          env: { VW_TEST_DB: 'postgres' },
        },
      },
    ],
  },
});
