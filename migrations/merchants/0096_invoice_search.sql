-- Search over a merchant account's invoices (see src/merchants/search.ts). Every index
-- leads with account_id: a search never leaves its merchant and mode, and each kind of
-- filter has an index of its own so it stays fast on millions of rows. Results come
-- newest first by (created_at, id), so the equality indexes end with those columns and
-- hand rows over already in order.
--
-- Free text: `search_text` (description and metadata) as a full-text vector (simple
-- configuration: no stemming, any language), and, where the pg_trgm extension can be
-- installed, a trigram index for substrings ("coff" finds "coffee"). Without pg_trgm the
-- trigram index is skipped and the search answers `text_match: "full_text"`.

ALTER TABLE merchant_invoices
  ADD COLUMN search_text text GENERATED ALWAYS AS (
    coalesce(description, '') || ' ' || jsonb_path_query_array(metadata, '$.*')::text
  ) STORED;
ALTER TABLE merchant_invoices
  ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS (
    to_tsvector('simple'::regconfig,
                coalesce(description, '') || ' ' || jsonb_path_query_array(metadata, '$.*')::text)
  ) STORED;

CREATE INDEX merchant_invoices_search_status_idx
  ON merchant_invoices (account_id, status, created_at, id);
CREATE INDEX merchant_invoices_search_amount_idx ON merchant_invoices (account_id, amount);
CREATE INDEX merchant_invoices_search_created_idx ON merchant_invoices (account_id, created_at, id);
CREATE INDEX merchant_invoices_search_email_idx
  ON merchant_invoices (account_id, lower(customer_email), created_at, id)
  WHERE customer_email IS NOT NULL;
CREATE INDEX merchant_invoices_search_address_idx
  ON merchant_invoices (account_id, lower(address)) WHERE address IS NOT NULL;
CREATE INDEX merchant_invoices_search_tsv_idx ON merchant_invoices USING gin (search_tsv);
CREATE INDEX merchant_payments_search_tx_idx
  ON merchant_payments (account_id, lower(tx_hash)) WHERE tx_hash IS NOT NULL;

DO $$
BEGIN
  BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
  EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'pg_trgm is not available: invoice search falls back to full text only';
  END;
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
    EXECUTE 'CREATE INDEX merchant_invoices_search_trgm_idx
               ON merchant_invoices USING gin (search_text gin_trgm_ops)';
  END IF;
END
$$;
