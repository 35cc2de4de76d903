-- An operator's request (`vaultwire chains rewind --chain <key> --to <n>`) that the
-- chain's lease holder carries out on its next step (see src/chains/follower.ts).
ALTER TABLE chain_cursors ADD COLUMN rewind_to bigint;
