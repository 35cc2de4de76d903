-- A campaign belongs to a merchant tenant (the merchants module's `mch_…`), not to the user
-- who made it: the merchant's members (and its live API key) run it, and its codes
-- discount only that merchant's stores. `created_by` keeps who made it (a member's user id
-- or the key's merchant account).
ALTER TABLE campaigns RENAME COLUMN owner_id TO created_by;
ALTER TABLE campaigns ADD COLUMN merchant_id text;

-- Existing campaigns: the one merchant their maker manages (owner, admin or developer),
-- when there is exactly one.
UPDATE campaigns m SET merchant_id = sole.merchant_id
  FROM (SELECT user_id, min(merchant_id) AS merchant_id FROM merchant_members
         WHERE role IN ('owner', 'admin', 'developer')
         GROUP BY user_id HAVING count(*) = 1) sole
 WHERE sole.user_id = m.created_by;

-- An installation that has commerce's stores (a fresh database gets them after this file,
-- with no rows to mend) mends two things here, where the campaigns that need the second
-- are placed:
-- 1. Stores opened before stores had merchants (commerce/0110) could not be checked out
--    until their opener attached one: a store whose opener manages exactly one merchant
--    now belongs to it (an opener of several still chooses with PATCH /v1/stores/{id}).
-- 2. A coupon used to apply to the stores its campaign's maker opened: a campaign still
--    without a merchant whose maker's stores all belong to one merchant goes to it. One
--    that neither places keeps no merchant: its codes apply nowhere, as they matched no
--    store before, and no one lists it.
DO $$
BEGIN
  IF to_regclass('commerce_stores') IS NOT NULL THEN
    UPDATE commerce_stores s SET merchant_id = sole.merchant_id
      FROM (SELECT user_id, min(merchant_id) AS merchant_id FROM merchant_members
             WHERE role IN ('owner', 'admin', 'developer')
             GROUP BY user_id HAVING count(*) = 1) sole
     WHERE s.merchant_id IS NULL AND sole.user_id = s.owner_id;
    UPDATE campaigns m SET merchant_id = mine.merchant_id
      FROM (SELECT owner_id, min(merchant_id) AS merchant_id FROM commerce_stores
             WHERE merchant_id IS NOT NULL
             GROUP BY owner_id HAVING count(DISTINCT merchant_id) = 1) mine
     WHERE m.merchant_id IS NULL AND mine.owner_id = m.created_by;
  END IF;
END
$$;

DROP INDEX campaigns_owner;
CREATE INDEX campaigns_merchant ON campaigns (merchant_id, id);

-- A generation job is its campaign's merchant's.
ALTER TABLE campaign_code_generations RENAME COLUMN owner_id TO merchant_id;
ALTER TABLE campaign_code_generations ALTER COLUMN merchant_id DROP NOT NULL;
UPDATE campaign_code_generations g SET merchant_id = m.merchant_id
  FROM campaigns m WHERE m.id = g.campaign_id;
