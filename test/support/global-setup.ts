import pg from 'pg';

/**
 * Before the `postgres` project runs: drop test databases a crashed run left behind.
 * Each test file then clones a migrated template (see db.ts), which takes ~100 ms.
 */
export default async function setup(): Promise<void> {
  const url = process.env['TEST_DATABASE_URL'];
  if (!url) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'vw\\_t\\_%' OR datname LIKE 'vw\\_tpl\\_%'",
    );
    for (const r of rows) {
      await client.query(`DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`);
    }
  } finally {
    await client.end();
  }
}
