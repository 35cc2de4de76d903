-- Producer (validator) signing keys, one per chain, sealed with the platform's secret box
-- (envelope encryption). The high-water mark is not here: it lives in etcd, shared by
-- every region, and is advanced in the same etcd transaction that checks the lease.
CREATE TABLE producer_keys (
  chain_key          text        PRIMARY KEY,
  algorithm          text        NOT NULL CHECK (algorithm IN ('ed25519', 'secp256k1')),
  public_key         text        NOT NULL,             -- hex
  sealed_private_key text        NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now()
);
