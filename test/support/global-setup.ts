import pg from 'pg';

/**
 * Before the `postgres` project runs: drop test databases a crashed run left behind.
 * Only those nobody is connected to and created over an hour ago (the name carries the
 * creation time, see testDatabaseName), so two test runs on one server (two developers,
 * or a developer and CI) do not pull databases out from under each other, not even one
 * created a moment ago that a child process has yet to connect to.
 */
const LEFTOVER_AFTER_MS = 3600_000;

function createdAt(name: string): number | undefined {
  const m = /^vw_t_([0-9a-z]+)_[0-9a-f]+$/.exec(name);
  return m?.[1] ? parseInt(m[1], 36) : undefined;
}

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
      // Names without a time come from older versions of these helpers: leftovers.
      const at = createdAt(r.datname);
      if (at !== undefined && Date.now() - at < LEFTOVER_AFTER_MS) continue;
      await client.query(`DROP DATABASE IF EXISTS "${r.datname}"`).catch(() => undefined);
    }
  } finally {
    await client.end();
  }
}
