import pg from 'pg';

/**
 * Before the `postgres` project runs: drop test databases a crashed run left behind.
 * Only those nobody is connected to, so two test runs on one server (two developers,
 * or a developer and CI) do not pull databases out from under each other.
 */
export default async function setup(): Promise<void> {
  const url = process.env['TEST_DATABASE_URL'];
  if (!url) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      `SELECT d.datname FROM pg_database d
        WHERE d.datname LIKE 'vw\\_t\\_%'
          AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)`,
    );
    for (const r of rows) {
      await client.query(`DROP DATABASE IF EXISTS "${r.datname}"`).catch(() => undefined);
    }
  } finally {
    await client.end();
  }
}
