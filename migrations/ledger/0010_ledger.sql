-- Double-entry ledger (see src/ledger/service.ts).
--
-- Model: every movement is a transaction of balanced entries (per asset, debits equal
-- credits). Entries and transactions are append-only; a mistake is corrected by a
-- reversal transaction. Accounts carry running totals so a balance check never sums
-- history. Holds (two-phase transfers) reserve funds in the *_pending columns until they
-- are posted, voided or expire. Amounts are integers in the asset's minor unit,
-- numeric(78,0): room for any uint256, so 18-decimal assets in the billions are routine.
--
-- The guards that matter to an auditor are enforced here too, not only in code: balanced
-- amounts are positive, an account's asset is fixed and matches its entries (composite
-- foreign key), an account that may not go negative cannot be stored negative (CHECK),
-- a transaction is reversed at most once and a hold is posted at most once (unique
-- indexes), and entries/transactions refuse UPDATE, DELETE and TRUNCATE (triggers).

CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger: % on % is not allowed (%)', TG_OP, TG_TABLE_NAME, TG_ARGV[0]
    USING ERRCODE = 'integrity_constraint_violation';
END
$$;

CREATE TABLE ledger_assets (
  code       text        PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9]{1,15}$'),
  kind       text        NOT NULL CHECK (kind IN ('fiat', 'crypto')),
  scale      smallint    NOT NULL CHECK (scale BETWEEN 0 AND 36),
  name       text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- A scale can never change: every stored amount would silently change value.
CREATE TRIGGER ledger_assets_immutable BEFORE UPDATE ON ledger_assets FOR EACH ROW
  WHEN (OLD.code IS DISTINCT FROM NEW.code OR OLD.kind IS DISTINCT FROM NEW.kind
        OR OLD.scale IS DISTINCT FROM NEW.scale)
  EXECUTE FUNCTION ledger_refuse_change('an asset''s code, kind and scale are fixed');
CREATE TRIGGER ledger_assets_no_delete BEFORE DELETE ON ledger_assets FOR EACH ROW
  EXECUTE FUNCTION ledger_refuse_change('assets are never deleted');

CREATE TABLE ledger_accounts (
  id              text          PRIMARY KEY,                       -- lac_…
  asset           text          NOT NULL REFERENCES ledger_assets (code),
  owner           text,                                            -- opaque, e.g. usr_…
  house           text          CHECK (house IN ('liquidity', 'fees', 'rounding', 'settlement')),
  normal_side     text          NOT NULL CHECK (normal_side IN ('debit', 'credit')),
  may_go_negative boolean       NOT NULL,
  status          text          NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'frozen')),
  debits_posted   numeric(78,0) NOT NULL DEFAULT 0 CHECK (debits_posted >= 0),
  credits_posted  numeric(78,0) NOT NULL DEFAULT 0 CHECK (credits_posted >= 0),
  debits_pending  numeric(78,0) NOT NULL DEFAULT 0 CHECK (debits_pending >= 0),
  credits_pending numeric(78,0) NOT NULL DEFAULT 0 CHECK (credits_pending >= 0),
  created_at      timestamptz   NOT NULL DEFAULT now(),
  CONSTRAINT ledger_accounts_one_holder CHECK ((owner IS NULL) <> (house IS NULL)),
  -- Available balance (posted minus what holds reserve) of a guarded account is never
  -- below zero. The service checks first to answer `insufficient_funds`; this is the
  -- backstop if a bug ever computed otherwise.
  CONSTRAINT ledger_accounts_no_overdraft CHECK (
    may_go_negative OR CASE normal_side
      WHEN 'credit' THEN credits_posted - debits_posted - debits_pending >= 0
      ELSE debits_posted - credits_posted - credits_pending >= 0
    END),
  CONSTRAINT ledger_accounts_id_asset UNIQUE (id, asset)
) WITH (fillfactor = 80); -- room for HOT updates of the running totals

CREATE UNIQUE INDEX ledger_accounts_owner_asset ON ledger_accounts (owner, asset) WHERE owner IS NOT NULL;
CREATE UNIQUE INDEX ledger_accounts_house_asset ON ledger_accounts (house, asset) WHERE house IS NOT NULL;

-- Running totals and status change; what an account is does not.
CREATE TRIGGER ledger_accounts_identity_fixed BEFORE UPDATE ON ledger_accounts FOR EACH ROW
  WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.asset IS DISTINCT FROM NEW.asset
        OR OLD.owner IS DISTINCT FROM NEW.owner OR OLD.house IS DISTINCT FROM NEW.house
        OR OLD.normal_side IS DISTINCT FROM NEW.normal_side
        OR OLD.may_go_negative IS DISTINCT FROM NEW.may_go_negative)
  EXECUTE FUNCTION ledger_refuse_change('an account''s asset, holder, side and rule are fixed');
CREATE TRIGGER ledger_accounts_no_delete BEFORE DELETE ON ledger_accounts FOR EACH ROW
  EXECUTE FUNCTION ledger_refuse_change('accounts are never deleted');

-- Running totals of accounts that may go negative (house accounts), split over slots.
-- Such an account needs no balance check, so no batch has to see its exact total
-- before writing; each concurrent batch adds its net change to its own slot, and
-- batches never queue behind each other on the liquidity account every trade touches.
-- Its totals are the account row's (always zero) plus the sum of its slots; guarded
-- accounts keep theirs in the row, where the locked balance check reads them. Slots
-- are signed: a hold reserved in one slot may be released in another.
CREATE TABLE ledger_balance_slots (
  account_id      text          NOT NULL REFERENCES ledger_accounts (id),
  slot            smallint      NOT NULL CHECK (slot >= 0),
  debits_posted   numeric(78,0) NOT NULL DEFAULT 0,
  credits_posted  numeric(78,0) NOT NULL DEFAULT 0,
  debits_pending  numeric(78,0) NOT NULL DEFAULT 0,
  credits_pending numeric(78,0) NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, slot)
) WITH (fillfactor = 50);

-- An account's four totals wherever they are kept (row plus slots).
CREATE VIEW ledger_account_totals AS
SELECT a.id, a.asset, a.normal_side, a.may_go_negative,
       a.debits_posted + coalesce(s.dp, 0) AS debits_posted,
       a.credits_posted + coalesce(s.cp, 0) AS credits_posted,
       a.debits_pending + coalesce(s.dq, 0) AS debits_pending,
       a.credits_pending + coalesce(s.cq, 0) AS credits_pending
  FROM ledger_accounts a
  LEFT JOIN (SELECT account_id, sum(debits_posted) AS dp, sum(credits_posted) AS cp,
                    sum(debits_pending) AS dq, sum(credits_pending) AS cq
               FROM ledger_balance_slots GROUP BY account_id) s ON s.account_id = a.id;

CREATE TABLE ledger_holds (
  id                text          PRIMARY KEY,                     -- lhd_…
  idempotency_key   text          NOT NULL,
  debit_account_id  text          NOT NULL,
  credit_account_id text          NOT NULL,
  asset             text          NOT NULL,
  amount            numeric(78,0) NOT NULL CHECK (amount > 0),
  status            text          NOT NULL DEFAULT 'pending'
                                  CHECK (status IN ('pending', 'posted', 'voided', 'expired')),
  posted_amount     numeric(78,0) CHECK (posted_amount > 0 AND posted_amount <= amount),
  expires_at        timestamptz,
  description       text,
  metadata          jsonb,
  created_at        timestamptz   NOT NULL DEFAULT now(),
  resolved_at       timestamptz,
  FOREIGN KEY (debit_account_id, asset) REFERENCES ledger_accounts (id, asset),
  FOREIGN KEY (credit_account_id, asset) REFERENCES ledger_accounts (id, asset),
  CHECK (debit_account_id <> credit_account_id),
  CHECK ((status = 'pending') = (resolved_at IS NULL)),
  CHECK ((status = 'posted') = (posted_amount IS NOT NULL))
);

CREATE INDEX ledger_holds_due ON ledger_holds (expires_at) WHERE status = 'pending' AND expires_at IS NOT NULL;
CREATE INDEX ledger_holds_debit_account ON ledger_holds (debit_account_id) WHERE status = 'pending';
CREATE INDEX ledger_holds_credit_account ON ledger_holds (credit_account_id) WHERE status = 'pending';

-- A hold resolves once: pending -> posted | voided | expired, its terms never change.
CREATE TRIGGER ledger_holds_resolve_once BEFORE UPDATE ON ledger_holds FOR EACH ROW
  WHEN (OLD.status <> 'pending' OR OLD.id IS DISTINCT FROM NEW.id
        OR OLD.amount IS DISTINCT FROM NEW.amount OR OLD.asset IS DISTINCT FROM NEW.asset
        OR OLD.debit_account_id IS DISTINCT FROM NEW.debit_account_id
        OR OLD.credit_account_id IS DISTINCT FROM NEW.credit_account_id
        OR OLD.idempotency_key IS DISTINCT FROM NEW.idempotency_key)
  EXECUTE FUNCTION ledger_refuse_change('a hold resolves once and its terms are fixed');
CREATE TRIGGER ledger_holds_no_delete BEFORE DELETE ON ledger_holds FOR EACH ROW
  EXECUTE FUNCTION ledger_refuse_change('holds are never deleted');

CREATE TABLE ledger_transactions (
  id              text        PRIMARY KEY,                         -- ltx_…
  kind            text        NOT NULL CHECK (kind IN ('transfer', 'reversal', 'hold_post')),
  idempotency_key text        NOT NULL,
  reverses_id     text        REFERENCES ledger_transactions (id),
  hold_id         text        REFERENCES ledger_holds (id),
  description     text,
  metadata        jsonb,
  effective_at    timestamptz NOT NULL,                            -- when it counts
  created_at      timestamptz NOT NULL DEFAULT now(),              -- when it was recorded
  CHECK ((kind = 'reversal') = (reverses_id IS NOT NULL)),
  CHECK ((kind = 'hold_post') = (hold_id IS NOT NULL))
);

CREATE UNIQUE INDEX ledger_transactions_reversed_once ON ledger_transactions (reverses_id)
  WHERE reverses_id IS NOT NULL;
CREATE UNIQUE INDEX ledger_transactions_hold_posted_once ON ledger_transactions (hold_id)
  WHERE hold_id IS NOT NULL;

CREATE TABLE ledger_entries (
  transaction_id text          NOT NULL REFERENCES ledger_transactions (id),
  leg            smallint      NOT NULL,
  account_id     text          NOT NULL,
  asset          text          NOT NULL,
  direction      text          NOT NULL CHECK (direction IN ('debit', 'credit')),
  amount         numeric(78,0) NOT NULL CHECK (amount > 0),
  effective_at   timestamptz   NOT NULL,                           -- copy of the transaction's
  PRIMARY KEY (transaction_id, leg),
  FOREIGN KEY (account_id, asset) REFERENCES ledger_accounts (id, asset)
);

-- History of an account, newest first by transaction id (ULIDs sort by time).
CREATE INDEX ledger_entries_account ON ledger_entries (account_id, transaction_id);

CREATE TRIGGER ledger_transactions_append_only BEFORE UPDATE OR DELETE ON ledger_transactions
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change('transactions are append-only; reverse instead');
CREATE TRIGGER ledger_transactions_no_truncate BEFORE TRUNCATE ON ledger_transactions
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change('transactions are append-only');
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change('entries are append-only; reverse instead');
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change('entries are append-only');

-- One row per write that took effect, inserted in the same transaction as its effects.
-- The key is claimed first (a concurrent duplicate waits on the primary key), and a
-- claim whose write is refused is removed in the same transaction, so a key exists
-- exactly when its effects do. Kept forever: the ledger is the book of record and a
-- retry weeks later must still replay, not re-apply.
CREATE TABLE ledger_idempotency (
  key          text        PRIMARY KEY,
  operation    text        NOT NULL,
  request_hash text        NOT NULL,
  result_id    text        NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);

-- The one engine every ledger write goes through (transfers, multi-leg transactions,
-- reversals, holds). One call decides and writes a whole batch in one round trip:
--
-- 1. claims the idempotency keys, in key order, before taking any account lock, so a
--    batch waiting on a duplicate key in flight elsewhere holds nothing else;
-- 2. locks the guarded accounts (those that may not go negative) in id order and
--    reads every account the batch touches;
-- 3. decides each item in order against the running totals: an item applies fully or
--    not at all, and later items see exactly the effects of earlier accepted ones,
--    the same outcome as running them one by one;
-- 4. adds every account's net change for the whole batch at once: one UPDATE of the
--    guarded account rows, one upsert of the unguarded accounts' balance slot
--    `p_slot`; inserts transactions and entries; releases the keys of refused items.
--
-- Guarded accounts stay locked from the read to the commit, so no decision can be
-- invalidated. House accounts get no balance check and are never locked as rows: a
-- batch touches only its own slot of them, once, however many items touched them
-- (see ledger_balance_slots). The caller gives concurrent batches different slots. The
-- lock order (keys, guarded accounts, slot rows, each sorted) rules out deadlocks.
--
-- Items: p_claim says whether to claim p_keys[i] here (hold and reversal paths claim
-- first, in their own statement). p_tx_ids[i] NULL means the item writes no
-- transaction (hold reserve/release). Changes p_first[i]..p_last[i] belong to item i:
-- a posted leg (p_c_pending false, positive amount, one entry) or a pending change
-- (signed amount to the debit or credit pending total). p_c_account indexes p_accounts;
-- p_c_leg numbers a transaction's posted legs from 0.
-- Returns one row per item, in order: 'ok', 'replay' (with the stored result id) or a
-- refusal code, with the account at fault and its available balance before the item.
CREATE FUNCTION ledger_apply(
  p_keys text[], p_claim boolean[], p_ops text[], p_hashes text[], p_result_ids text[],
  p_require_active boolean[], p_tx_ids text[], p_kinds text[], p_reverses text[],
  p_hold_ids text[], p_descriptions text[], p_metadata jsonb[], p_effective timestamptz[],
  p_first int[], p_last int[], p_accounts text[],
  p_c_item int[], p_c_account int[], p_c_asset text[], p_c_direction text[],
  p_c_amount numeric[], p_c_pending boolean[], p_c_leg int[], p_atomic boolean, p_slot int
) RETURNS TABLE (r_status text, r_result_id text, r_account_id text, r_available numeric, r_now timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
  v_n int := coalesce(array_length(p_keys, 1), 0);
  v_m int := coalesce(array_length(p_accounts, 1), 0);
  v_claimed boolean[];
  v_prior_op text[];
  v_prior_hash text[];
  v_prior_result text[];
  a_asset text[]; a_side text[]; a_may_neg boolean[]; a_state text[];
  a_dp numeric[]; a_cp numeric[]; a_dq numeric[]; a_cq numeric[];
  o_dp numeric[]; o_cp numeric[]; o_dq numeric[]; o_cq numeric[];
  s_status text[] := array_fill(NULL::text, ARRAY[v_n]);
  s_result text[] := p_result_ids;
  s_account text[] := array_fill(NULL::text, ARRAY[v_n]);
  s_available numeric[] := array_fill(NULL::numeric, ARRAY[v_n]);
  t_idx int[]; t_dp numeric[]; t_cp numeric[]; t_dq numeric[]; t_cq numeric[];
  v_nt int;
  v_i int; v_j int; v_s int; v_a int;
  v_refusal text;
  v_amount numeric;
  v_before numeric;
  v_after numeric;
  v_any_refused boolean := false;
  d_ids text[] := '{}'; d_dp numeric[] := '{}'; d_cp numeric[] := '{}';
  d_dq numeric[] := '{}'; d_cq numeric[] := '{}';
  u_ids text[] := '{}'; u_dp numeric[] := '{}'; u_cp numeric[] := '{}';
  u_dq numeric[] := '{}'; u_cq numeric[] := '{}';
  v_nd int := 0;
  v_nu int := 0;
  v_release text[] := '{}';
  v_nr int := 0;
BEGIN
  -- 1. Claim keys.
  WITH input AS (
    SELECT * FROM unnest(p_keys, p_claim, p_ops, p_hashes, p_result_ids)
      WITH ORDINALITY AS x(k, c, o, h, r, i)
  ), claimed AS (
    INSERT INTO ledger_idempotency (key, operation, request_hash, result_id)
    SELECT k, o, h, r FROM input WHERE c ORDER BY k
    ON CONFLICT (key) DO NOTHING
    RETURNING key
  )
  SELECT coalesce(array_agg(NOT x.c OR cl.key IS NOT NULL ORDER BY x.i), '{}')
    INTO v_claimed
    FROM input x LEFT JOIN claimed cl ON cl.key = x.k;

  IF NOT (true = ALL (v_claimed)) THEN
    -- A new statement sees keys committed while we waited on them.
    SELECT array_agg(l.operation ORDER BY x.i), array_agg(l.request_hash ORDER BY x.i),
           array_agg(l.result_id ORDER BY x.i)
      INTO v_prior_op, v_prior_hash, v_prior_result
      FROM unnest(p_keys) WITH ORDINALITY AS x(k, i)
      LEFT JOIN ledger_idempotency l ON l.key = x.k;
  END IF;

  -- 2. Lock guarded accounts (sorted; a locked row reads as its latest version), read all.
  WITH guarded AS (
    SELECT id, asset, normal_side, may_go_negative, status,
           debits_posted, credits_posted, debits_pending, credits_pending
      FROM ledger_accounts
     WHERE id = ANY (p_accounts) AND NOT may_go_negative
     ORDER BY id FOR NO KEY UPDATE
  ), touched AS (
    SELECT * FROM guarded
    UNION ALL
    SELECT id, asset, normal_side, may_go_negative, status,
           debits_posted, credits_posted, debits_pending, credits_pending
      FROM ledger_accounts
     WHERE id = ANY (p_accounts) AND may_go_negative
  )
  SELECT array_agg(ac.asset ORDER BY u.o), array_agg(ac.normal_side ORDER BY u.o),
         array_agg(ac.may_go_negative ORDER BY u.o), array_agg(ac.status ORDER BY u.o),
         array_agg(ac.debits_posted ORDER BY u.o), array_agg(ac.credits_posted ORDER BY u.o),
         array_agg(ac.debits_pending ORDER BY u.o), array_agg(ac.credits_pending ORDER BY u.o)
    INTO a_asset, a_side, a_may_neg, a_state, a_dp, a_cp, a_dq, a_cq
    FROM unnest(p_accounts) WITH ORDINALITY AS u(id, o)
    LEFT JOIN touched ac ON ac.id = u.id;
  o_dp := a_dp; o_cp := a_cp; o_dq := a_dq; o_cq := a_cq;

  -- 3. Decide each item in order.
  FOR v_i IN 1 .. v_n LOOP
    IF NOT v_claimed[v_i] THEN
      IF v_prior_op[v_i] = p_ops[v_i] AND v_prior_hash[v_i] = p_hashes[v_i] THEN
        s_status[v_i] := 'replay';
        s_result[v_i] := v_prior_result[v_i];
      ELSE
        s_status[v_i] := 'idempotency_conflict';
        v_any_refused := true;
      END IF;
      CONTINUE;
    END IF;

    v_refusal := NULL;
    FOR v_j IN p_first[v_i] .. p_last[v_i] LOOP
      v_a := p_c_account[v_j];
      IF a_asset[v_a] IS NULL THEN
        v_refusal := 'unknown_account';
      ELSIF a_asset[v_a] <> p_c_asset[v_j] THEN
        v_refusal := 'asset_mismatch';
      ELSIF p_require_active[v_i] AND a_state[v_a] <> 'active' THEN
        v_refusal := 'account_frozen';
      END IF;
      IF v_refusal IS NOT NULL THEN
        s_account[v_i] := p_accounts[v_a];
        EXIT;
      END IF;
    END LOOP;

    IF v_refusal IS NULL THEN
      v_nt := 0;
      t_idx := '{}';
      FOR v_j IN p_first[v_i] .. p_last[v_i] LOOP
        v_a := p_c_account[v_j];
        IF NOT (v_a = ANY (t_idx)) THEN
          v_nt := v_nt + 1;
          t_idx[v_nt] := v_a;
          t_dp[v_nt] := a_dp[v_a]; t_cp[v_nt] := a_cp[v_a];
          t_dq[v_nt] := a_dq[v_a]; t_cq[v_nt] := a_cq[v_a];
        END IF;
        v_amount := p_c_amount[v_j];
        IF p_c_pending[v_j] THEN
          IF p_c_direction[v_j] = 'debit' THEN a_dq[v_a] := a_dq[v_a] + v_amount;
          ELSE a_cq[v_a] := a_cq[v_a] + v_amount; END IF;
        ELSE
          IF p_c_direction[v_j] = 'debit' THEN a_dp[v_a] := a_dp[v_a] + v_amount;
          ELSE a_cp[v_a] := a_cp[v_a] + v_amount; END IF;
        END IF;
      END LOOP;

      FOR v_s IN 1 .. v_nt LOOP
        v_a := t_idx[v_s];
        IF NOT a_may_neg[v_a] THEN
          IF a_dp[v_a] < 0 OR a_cp[v_a] < 0 OR a_dq[v_a] < 0 OR a_cq[v_a] < 0 THEN
            -- Only releasing a hold lowers a total; below zero means the holds and
            -- the totals disagree. Never paper over it: verifyLedger will say where.
            RAISE EXCEPTION 'ledger: running totals of % would go below zero', p_accounts[v_a];
          END IF;
          IF a_side[v_a] = 'credit' THEN
            v_before := t_cp[v_s] - t_dp[v_s] - t_dq[v_s];
            v_after := a_cp[v_a] - a_dp[v_a] - a_dq[v_a];
          ELSE
            v_before := t_dp[v_s] - t_cp[v_s] - t_cq[v_s];
            v_after := a_dp[v_a] - a_cp[v_a] - a_cq[v_a];
          END IF;
          -- Only what lowers the available balance can be refused for it, so credits
          -- and releases always go through.
          IF v_after < v_before AND v_after < 0 THEN
            v_refusal := 'insufficient_funds';
            s_account[v_i] := p_accounts[v_a];
            s_available[v_i] := v_before;
            EXIT;
          END IF;
        END IF;
      END LOOP;

      IF v_refusal IS NOT NULL THEN
        FOR v_s IN 1 .. v_nt LOOP
          v_a := t_idx[v_s];
          a_dp[v_a] := t_dp[v_s]; a_cp[v_a] := t_cp[v_s];
          a_dq[v_a] := t_dq[v_s]; a_cq[v_a] := t_cq[v_s];
        END LOOP;
      END IF;
    END IF;

    IF v_refusal IS NOT NULL THEN
      v_any_refused := true;
      IF p_claim[v_i] THEN v_nr := v_nr + 1; v_release[v_nr] := p_keys[v_i]; END IF;
    END IF;
    s_status[v_i] := coalesce(v_refusal, 'ok');
  END LOOP;

  IF p_atomic AND v_any_refused THEN
    FOR v_i IN 1 .. v_n LOOP
      IF s_status[v_i] = 'ok' THEN
        s_status[v_i] := 'linked_transfer_failed';
        IF p_claim[v_i] THEN v_nr := v_nr + 1; v_release[v_nr] := p_keys[v_i]; END IF;
      END IF;
    END LOOP;
    a_dp := o_dp; a_cp := o_cp; a_dq := o_dq; a_cq := o_cq;
  END IF;

  -- 4. Write.
  FOR v_a IN 1 .. v_m LOOP
    IF a_dp[v_a] <> o_dp[v_a] OR a_cp[v_a] <> o_cp[v_a]
       OR a_dq[v_a] <> o_dq[v_a] OR a_cq[v_a] <> o_cq[v_a] THEN
      -- Indexed assignment: appending with || would copy the array every time.
      IF a_may_neg[v_a] THEN
        v_nu := v_nu + 1;
        u_ids[v_nu] := p_accounts[v_a];
        u_dp[v_nu] := a_dp[v_a] - o_dp[v_a];
        u_cp[v_nu] := a_cp[v_a] - o_cp[v_a];
        u_dq[v_nu] := a_dq[v_a] - o_dq[v_a];
        u_cq[v_nu] := a_cq[v_a] - o_cq[v_a];
      ELSE
        v_nd := v_nd + 1;
        d_ids[v_nd] := p_accounts[v_a];
        d_dp[v_nd] := a_dp[v_a] - o_dp[v_a];
        d_cp[v_nd] := a_cp[v_a] - o_cp[v_a];
        d_dq[v_nd] := a_dq[v_a] - o_dq[v_a];
        d_cq[v_nd] := a_cq[v_a] - o_cq[v_a];
      END IF;
    END IF;
  END LOOP;

  IF cardinality(d_ids) > 0 THEN
    UPDATE ledger_accounts ac
       SET debits_posted = ac.debits_posted + d.dp,
           credits_posted = ac.credits_posted + d.cp,
           debits_pending = ac.debits_pending + d.dq,
           credits_pending = ac.credits_pending + d.cq
      FROM unnest(d_ids, d_dp, d_cp, d_dq, d_cq) AS d(id, dp, cp, dq, cq)
     WHERE ac.id = d.id;
  END IF;

  IF cardinality(u_ids) > 0 THEN
    INSERT INTO ledger_balance_slots AS sl
      (account_id, slot, debits_posted, credits_posted, debits_pending, credits_pending)
    SELECT d.id, p_slot, d.dp, d.cp, d.dq, d.cq
      FROM unnest(u_ids, u_dp, u_cp, u_dq, u_cq) AS d(id, dp, cp, dq, cq)
     ORDER BY d.id
    ON CONFLICT (account_id, slot) DO UPDATE
       SET debits_posted = sl.debits_posted + excluded.debits_posted,
           credits_posted = sl.credits_posted + excluded.credits_posted,
           debits_pending = sl.debits_pending + excluded.debits_pending,
           credits_pending = sl.credits_pending + excluded.credits_pending;
  END IF;

  IF 'ok' = ANY (s_status) THEN
    INSERT INTO ledger_transactions
      (id, kind, idempotency_key, reverses_id, hold_id, description, metadata, effective_at)
    SELECT t.id, t.kind, t.k, t.rev, t.hold, t.descr, t.meta, t.eff
      FROM unnest(p_tx_ids, p_kinds, p_keys, p_reverses, p_hold_ids, p_descriptions,
                  p_metadata, p_effective) WITH ORDINALITY AS t(id, kind, k, rev, hold, descr, meta, eff, i)
     WHERE t.id IS NOT NULL AND s_status[t.i] = 'ok';

    INSERT INTO ledger_entries (transaction_id, leg, account_id, asset, direction, amount, effective_at)
    SELECT p_tx_ids[c.item], c.leg, p_accounts[c.acct], c.asset, c.dir, c.amount,
           p_effective[c.item]
      FROM unnest(p_c_item, p_c_account, p_c_asset, p_c_direction, p_c_amount, p_c_pending,
                  p_c_leg) AS c(item, acct, asset, dir, amount, pending, leg)
     WHERE NOT c.pending AND s_status[c.item] = 'ok' AND p_tx_ids[c.item] IS NOT NULL;
  END IF;

  IF cardinality(v_release) > 0 THEN
    DELETE FROM ledger_idempotency WHERE key = ANY (v_release);
  END IF;

  RETURN QUERY
    SELECT s_status[g], s_result[g], s_account[g], s_available[g], now()
      FROM generate_series(1, v_n) AS g ORDER BY g;
END
$$;
