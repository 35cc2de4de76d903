-- Wake-ups for the loops that poll the outbox, the job queue and webhook messages
-- (src/platform/db/wakeups.ts).
--
-- A NOTIFY is not free: PostgreSQL serialises the commits of notifying transactions on
-- one lock (pgbench on this project's 2-core machine: two inserts per transaction at 32
-- clients went from ~2,900–4,400 tps to ~1,300–1,500 with a NOTIFY added). So a writer
-- notifies only while some loop says it is waiting: a waiting loop records, per wait,
-- until when it waits (`wakeup_listeners`); a loop kept busy by a steady stream of rows
-- stops saying so, and the writers stop paying for notifications nobody needs. With
-- wake-ups off (VW_DB_WAKEUPS=false) no row is written and no writer ever notifies.
--
-- The notification is sent in the writer's transaction, so it arrives at commit, when
-- the rows are visible to the woken claim. PostgreSQL folds identical notifications of
-- one transaction into one, and a statement trigger fires once per INSERT. Polling stays
-- the fallback: a notification not sent or lost costs the poll interval, never a row.
CREATE TABLE wakeup_listeners (
  channel text NOT NULL,
  listener text NOT NULL,
  waiting_until timestamptz NOT NULL,
  PRIMARY KEY (channel, listener)
);

CREATE FUNCTION notify_wakeup() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM wakeup_listeners
              WHERE channel = TG_ARGV[0] AND waiting_until > now()) THEN
    PERFORM pg_notify(TG_ARGV[0], '');
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER outbox_events_wakeup AFTER INSERT ON outbox_events
  FOR EACH STATEMENT EXECUTE FUNCTION notify_wakeup('vw_outbox_written');

CREATE TRIGGER jobs_wakeup AFTER INSERT ON jobs
  FOR EACH STATEMENT EXECUTE FUNCTION notify_wakeup('vw_jobs_written');
