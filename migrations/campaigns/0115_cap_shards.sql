-- A campaign's total redemption cap K, split over up to 16 shards whose caps add up to K.
--
-- A redemption takes one use from a shard with room, skipping shards another redemption
-- holds (FOR UPDATE SKIP LOCKED), and waits for a held one only when no free shard has
-- room; each shard's `used <= cap` is checked under its row lock. Redemptions of one
-- capped campaign then commit side by side instead of queueing on one counter row, and
-- the shards together never grant more than K. A campaign without a cap has no shards
-- and no counter: its redemptions touch no campaign row at all.
CREATE TABLE campaign_cap_shards (
  campaign_id  text NOT NULL REFERENCES campaigns (id),
  shard        smallint NOT NULL CHECK (shard >= 0),
  cap          integer NOT NULL CHECK (cap >= 0),
  used         integer NOT NULL DEFAULT 0,
  PRIMARY KEY (campaign_id, shard),
  CHECK (used >= 0 AND used <= cap)
);

-- Existing capped campaigns: the same split, their uses filling the shards in order.
WITH split AS (
  SELECT m.id, m.redemption_limit AS k, m.redemptions_used AS u,
         least(16, greatest(m.redemption_limit, 1)) AS n
    FROM campaigns m
   WHERE m.redemption_limit IS NOT NULL
), shards AS (
  SELECT id, s, u,
         k / n + (CASE WHEN s < k % n THEN 1 ELSE 0 END) AS cap,
         s * (k / n) + least(s, k % n) AS before
    FROM split, generate_series(0, n - 1) AS s
)
INSERT INTO campaign_cap_shards (campaign_id, shard, cap, used)
SELECT id, s, cap, least(cap, greatest(0, u - before)) FROM shards;

ALTER TABLE campaigns DROP COLUMN redemptions_used;
ALTER TABLE campaigns ADD CHECK (budget_used >= 0);
