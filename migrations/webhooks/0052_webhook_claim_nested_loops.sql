-- webhook_claim (0046) finds the rows it claimed by joining its due list back to the
-- table. Inside a SQL function the limit is a parameter the planner cannot see, so it
-- may expect a large share of the due rows and pick a hash or merge join over the whole
-- table (measured on the job queue's claim, same shape: 73 ms at 200,000 due rows
-- instead of ~1 ms; see 0051). Nested loops, i.e. a primary-key probe per claimed row,
-- are the only join it may use.
ALTER FUNCTION webhook_claim(integer, integer) SET enable_hashjoin = off;
ALTER FUNCTION webhook_claim(integer, integer) SET enable_mergejoin = off;
