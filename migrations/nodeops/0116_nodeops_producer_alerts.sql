-- Node operations: alerts about a chain's block producer (the `producer` module's events:
-- a refused double-sign attempt, a health failover). An alert is now about exactly one
-- node, one monitor or one producer chain.

ALTER TABLE nodeops_alerts ADD COLUMN producer_chain text;
ALTER TABLE nodeops_alerts DROP CONSTRAINT nodeops_alerts_subject_check;
ALTER TABLE nodeops_alerts ADD CONSTRAINT nodeops_alerts_subject_check
  CHECK ((node_id IS NOT NULL)::int + (monitor_id IS NOT NULL)::int
         + (producer_chain IS NOT NULL)::int = 1);
-- One open alert per producer chain and kind: producer events can come twice or from two
-- worker replicas at once; the second insert finds the first.
CREATE UNIQUE INDEX nodeops_alerts_producer_open_uq ON nodeops_alerts (producer_chain, kind)
  WHERE status <> 'resolved';

-- The region last seen becoming a chain's active producer, from `producer.region.activated`.
-- Events reach their subscribers in any order and concurrently: each producer event's
-- handler locks its chain's row first, so a failover and the activation that ends it are
-- handled one after the other and the later one sees the earlier.
CREATE TABLE nodeops_producer_chains (
  chain_key     text        PRIMARY KEY,
  active_region text,
  activated_at  timestamptz
);
