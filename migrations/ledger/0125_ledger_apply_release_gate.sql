-- ledger_apply, fifth version: the key release of step 4 runs only when a movement
-- released its key. Contract, steps and outputs are unchanged (see 0010-0013).
--
-- The release (`DELETE ... WHERE key = ANY (v_release)`) ran in every batch, usually with
-- an empty array. PL/pgSQL keeps a statement's generic plan for the life of the
-- session, planned at the table's size then; a session that planned it while
-- ledger_idempotency was small (a new install, a benchmark's first seconds) kept a
-- sequential scan of the whole table, which grows by one row per transfer, until
-- autovacuum's next ANALYZE invalidated the plan. Measured on PostgreSQL 15, a plan made
-- at 300 rows and run at 20,300: a 200-page scan, 7.8 ms, to delete nothing. In
-- `bench:api` (payments only, 8 then 32 clients) it read 117,814 rows for 770 payments,
-- more per payment the longer the run. Gated on the count of released keys, the common
-- batch skips the scan whatever plan is cached; a refusal still releases its key.

CREATE OR REPLACE FUNCTION ledger_apply(
  p_keys text[], p_claim boolean[], p_ops text[], p_hashes text[], p_result_ids text[],
  p_require_active boolean[], p_tx_ids text[], p_kinds text[], p_reverses text[],
  p_hold_ids text[], p_descriptions text[], p_metadata jsonb[], p_effective timestamptz[],
  p_first int[], p_last int[], p_accounts text[],
  p_c_item int[], p_c_account int[], p_c_asset text[], p_c_direction text[],
  p_c_amount numeric[], p_c_pending boolean[], p_c_leg int[], p_atomic boolean, p_slot int,
  OUT r_status text[], OUT r_result_id text[], OUT r_account_id text[], OUT r_available numeric[],
  OUT r_now timestamptz
) LANGUAGE plpgsql AS $$
DECLARE
  v_n int := coalesce(array_length(p_keys, 1), 0);
  v_m int := coalesce(array_length(p_accounts, 1), 0);
  v_claimed boolean[];
  v_prior_op text[];
  v_prior_hash text[];
  v_prior_result text[];
  a_asset text[]; a_side text[]; a_may_neg boolean[]; a_state text[];
  a_dp numeric[]; a_cp numeric[]; a_dq numeric[]; a_cq numeric[]; a_ctid tid[];
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
  d_ids text[] := '{}'; d_ctids tid[] := '{}'; d_dp numeric[] := '{}'; d_cp numeric[] := '{}';
  d_dq numeric[] := '{}'; d_cq numeric[] := '{}';
  u_ids text[] := '{}'; u_dp numeric[] := '{}'; u_cp numeric[] := '{}';
  u_dq numeric[] := '{}'; u_cq numeric[] := '{}';
  v_nd int := 0;
  v_nu int := 0;
  v_release text[] := '{}';
  v_nr int := 0;
  v_changed int;
  v_fast boolean := false;
BEGIN
  -- 1 and 2. Claim keys, then lock the guarded accounts (sorted; a locked row reads as
  -- its latest version) and read all. The lock scan is gated on the claim (an InitPlan
  -- that counts it), so no account lock is taken before every key is claimed.
  WITH input AS (
    SELECT * FROM unnest(p_keys, p_claim, p_ops, p_hashes, p_result_ids)
      WITH ORDINALITY AS x(k, c, o, h, r, i)
  ), claimed AS (
    INSERT INTO ledger_idempotency (key, operation, request_hash, result_id)
    SELECT k, o, h, r FROM input WHERE c ORDER BY k
    ON CONFLICT (key) DO NOTHING
    RETURNING key
  ), guarded AS (
    SELECT id, asset, normal_side, may_go_negative, status,
           debits_posted, credits_posted, debits_pending, credits_pending, ctid
      FROM ledger_accounts
     WHERE id = ANY (p_accounts) AND NOT may_go_negative
       AND (SELECT count(*) FROM claimed) >= 0
     ORDER BY id FOR NO KEY UPDATE
  ), touched AS (
    SELECT * FROM guarded
    UNION ALL
    -- Only the ids the locking scan did not return: most batches name no house
    -- account, and then this scan probes nothing.
    SELECT id, asset, normal_side, may_go_negative, status,
           debits_posted, credits_posted, debits_pending, credits_pending, NULL::tid
      FROM ledger_accounts
     WHERE id = ANY (ARRAY(SELECT unnest(p_accounts) EXCEPT ALL SELECT g.id FROM guarded g))
       AND may_go_negative
  ), accounts AS (
    SELECT array_agg(ac.asset ORDER BY u.o) AS asset, array_agg(ac.normal_side ORDER BY u.o) AS side,
           array_agg(ac.may_go_negative ORDER BY u.o) AS may_neg, array_agg(ac.status ORDER BY u.o) AS state,
           array_agg(ac.debits_posted ORDER BY u.o) AS dp, array_agg(ac.credits_posted ORDER BY u.o) AS cp,
           array_agg(ac.debits_pending ORDER BY u.o) AS dq, array_agg(ac.credits_pending ORDER BY u.o) AS cq,
           array_agg(ac.ctid ORDER BY u.o) AS ctid
      FROM unnest(p_accounts) WITH ORDINALITY AS u(id, o)
      LEFT JOIN touched ac ON ac.id = u.id
  )
  SELECT (SELECT coalesce(array_agg(NOT x.c OR cl.key IS NOT NULL ORDER BY x.i), '{}')
            FROM input x LEFT JOIN claimed cl ON cl.key = x.k),
         a.asset, a.side, a.may_neg, a.state, a.dp, a.cp, a.dq, a.cq, a.ctid
    INTO v_claimed, a_asset, a_side, a_may_neg, a_state, a_dp, a_cp, a_dq, a_cq, a_ctid
    FROM accounts a;
  o_dp := a_dp; o_cp := a_cp; o_dq := a_dq; o_cq := a_cq;

  IF NOT (true = ALL (v_claimed)) THEN
    -- A new statement sees keys committed while we waited on them.
    SELECT array_agg(l.operation ORDER BY x.i), array_agg(l.request_hash ORDER BY x.i),
           array_agg(l.result_id ORDER BY x.i)
      INTO v_prior_op, v_prior_hash, v_prior_result
      FROM unnest(p_keys) WITH ORDINALITY AS x(k, i)
      LEFT JOIN ledger_idempotency l ON l.key = x.k;
  END IF;

  -- 3a. The common case, decided for the whole batch at once. When every key was
  -- claimed, every change is posted (no holds), and each account can take the sum of
  -- this batch's changes to it, deciding item by item would accept every item: an
  -- item is refused only for an unknown or frozen account, another asset, or an
  -- available balance that its debit would take below zero, and if an account's
  -- balance before the batch covers all of the batch's debits to it, it covers every
  -- prefix of them. So the sums per account are computed in one statement and the
  -- per-item loop below (interpreted PL/pgSQL, most of a batch's time) is skipped.
  -- Anything else, including a batch that would only pass thanks to a credit earlier
  -- in the same batch, takes the loop.
  IF v_n > 0 AND true = ALL (v_claimed) AND NOT (true = ANY (p_c_pending)) THEN
    WITH ch AS (
      SELECT c.acct, c.dir, c.amount, c.asset, p_require_active[c.item] AS need_active
        FROM unnest(p_c_account, p_c_item, p_c_direction, p_c_amount, p_c_asset)
             AS c(acct, item, dir, amount, asset)
    ), per AS (
      SELECT acct,
             coalesce(sum(amount) FILTER (WHERE dir = 'debit'), 0) AS d,
             coalesce(sum(amount) FILTER (WHERE dir = 'credit'), 0) AS c,
             bool_and(asset = a_asset[acct]) AS asset_ok,
             bool_or(need_active) AS need_active
        FROM ch GROUP BY acct
    )
    SELECT coalesce(bool_and(
             a_asset[acct] IS NOT NULL AND asset_ok
             AND (NOT need_active OR a_state[acct] = 'active')
             AND (a_may_neg[acct]
                  OR CASE WHEN a_side[acct] = 'credit'
                          THEN d = 0 OR a_cp[acct] - a_dp[acct] - a_dq[acct] - d >= 0
                          ELSE c = 0 OR a_dp[acct] - a_cp[acct] - a_cq[acct] - c >= 0 END)), false),
           coalesce(array_agg(p_accounts[acct] ORDER BY acct) FILTER (WHERE NOT a_may_neg[acct]), '{}'),
           coalesce(array_agg(a_ctid[acct] ORDER BY acct) FILTER (WHERE NOT a_may_neg[acct]), '{}'),
           coalesce(array_agg(d ORDER BY acct) FILTER (WHERE NOT a_may_neg[acct]), '{}'),
           coalesce(array_agg(c ORDER BY acct) FILTER (WHERE NOT a_may_neg[acct]), '{}'),
           coalesce(array_agg(p_accounts[acct] ORDER BY acct) FILTER (WHERE a_may_neg[acct]), '{}'),
           coalesce(array_agg(d ORDER BY acct) FILTER (WHERE a_may_neg[acct]), '{}'),
           coalesce(array_agg(c ORDER BY acct) FILTER (WHERE a_may_neg[acct]), '{}')
      INTO v_fast, d_ids, d_ctids, d_dp, d_cp, u_ids, u_dp, u_cp
      FROM per;
    IF v_fast THEN
      v_nd := coalesce(array_length(d_ids, 1), 0);
      v_nu := coalesce(array_length(u_ids, 1), 0);
      d_dq := array_fill(0::numeric, ARRAY[v_nd]); d_cq := d_dq;
      u_dq := array_fill(0::numeric, ARRAY[v_nu]); u_cq := u_dq;
      s_status := array_fill('ok'::text, ARRAY[v_n]);
    ELSE
      d_ids := '{}'; d_ctids := '{}'; d_dp := '{}'; d_cp := '{}';
      u_ids := '{}'; u_dp := '{}'; u_cp := '{}';
    END IF;
  END IF;

  -- 3. Decide each item in order.
  IF NOT v_fast THEN
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
        d_ctids[v_nd] := a_ctid[v_a];
        d_dp[v_nd] := a_dp[v_a] - o_dp[v_a];
        d_cp[v_nd] := a_cp[v_a] - o_cp[v_a];
        d_dq[v_nd] := a_dq[v_a] - o_dq[v_a];
        d_cq[v_nd] := a_cq[v_a] - o_cq[v_a];
      END IF;
    END IF;
  END LOOP;
  END IF;

  -- One statement for every write (each part is a no-op when its arrays are empty).
  WITH changed AS (
    UPDATE ledger_accounts ac
       SET debits_posted = ac.debits_posted + d.dp,
           credits_posted = ac.credits_posted + d.cp,
           debits_pending = ac.debits_pending + d.dq,
           credits_pending = ac.credits_pending + d.cq
      FROM unnest(d_ids, d_ctids, d_dp, d_cp, d_dq, d_cq) AS d(id, t, dp, cp, dq, cq)
     -- By the row version the locking read returned: locked rows cannot move until we
     -- commit, so a TID probe finds them without a second descent of the index. The id
     -- is compared as well, and the count below proves every row was found.
     WHERE ac.ctid = d.t AND ac.id = d.id
    RETURNING 1
  ), slots AS (
    INSERT INTO ledger_balance_slots AS sl
      (account_id, slot, debits_posted, credits_posted, debits_pending, credits_pending)
    SELECT d.id, p_slot, d.dp, d.cp, d.dq, d.cq
      FROM unnest(u_ids, u_dp, u_cp, u_dq, u_cq) AS d(id, dp, cp, dq, cq)
     ORDER BY d.id
    ON CONFLICT (account_id, slot) DO UPDATE
       SET debits_posted = sl.debits_posted + excluded.debits_posted,
           credits_posted = sl.credits_posted + excluded.credits_posted,
           debits_pending = sl.debits_pending + excluded.debits_pending,
           credits_pending = sl.credits_pending + excluded.credits_pending
    RETURNING 1
  ), transactions AS (
    INSERT INTO ledger_transactions
      (id, kind, idempotency_key, reverses_id, hold_id, description, metadata, effective_at)
    SELECT t.id, t.kind, t.k, t.rev, t.hold, t.descr, t.meta, t.eff
      FROM unnest(p_tx_ids, p_kinds, p_keys, p_reverses, p_hold_ids, p_descriptions,
                  p_metadata, p_effective) WITH ORDINALITY AS t(id, kind, k, rev, hold, descr, meta, eff, i)
     WHERE t.id IS NOT NULL AND s_status[t.i] = 'ok'
    RETURNING 1
  ), entries AS (
    -- Their foreign key to the transaction is checked at the end of the statement.
    INSERT INTO ledger_entries (transaction_id, leg, account_id, asset, direction, amount, effective_at)
    SELECT p_tx_ids[c.item], c.leg, p_accounts[c.acct], c.asset, c.dir, c.amount,
           p_effective[c.item]
      FROM unnest(p_c_item, p_c_account, p_c_asset, p_c_direction, p_c_amount, p_c_pending,
                  p_c_leg) AS c(item, acct, asset, dir, amount, pending, leg)
     WHERE NOT c.pending AND s_status[c.item] = 'ok' AND p_tx_ids[c.item] IS NOT NULL
    RETURNING 1
  ), released AS (
    -- Only a refused movement releases its key, so the common batch has nothing here;
    -- v_nr gates the scan (a one-time filter), whatever plan the statement has cached.
    DELETE FROM ledger_idempotency WHERE v_nr > 0 AND key = ANY (v_release) RETURNING 1
  )
  SELECT now(), (SELECT count(*) FROM changed) INTO r_now, v_changed
   WHERE (SELECT count(*) FROM slots)
       + (SELECT count(*) FROM transactions) + (SELECT count(*) FROM entries)
       + (SELECT count(*) FROM released) >= 0;
  IF v_changed <> v_nd THEN
    RAISE EXCEPTION 'ledger: updated % of % locked accounts', v_changed, v_nd;
  END IF;

  r_status := s_status;
  r_result_id := s_result;
  r_account_id := s_account;
  r_available := s_available;
END
$$;
