-- Node operations: EOS and XRP Ledger chains, the Cosmos SDK REST (LCD) endpoint a
-- chain's validators are looked up at (active set, jailed), the release feed a chain's
-- running versions are compared with, and an EOS producer's account name.

ALTER TABLE nodeops_chains DROP CONSTRAINT nodeops_chains_family_check;
ALTER TABLE nodeops_chains ADD CONSTRAINT nodeops_chains_family_check
  CHECK (family IN ('cometbft', 'evm', 'eos', 'xrpl'));

-- Cosmos SDK REST base URL (`/cosmos/staking/v1beta1/validators`); CometBFT chains only.
ALTER TABLE nodeops_chains ADD COLUMN lcd_url text;
-- A GitHub-releases-shaped feed (`/repos/<owner>/<repo>/releases/latest` or `/releases`).
ALTER TABLE nodeops_chains ADD COLUMN release_feed text;

-- An EOS block producer's account (whose rounds in the schedule are counted).
ALTER TABLE nodeops_nodes ADD COLUMN producer_name text;
