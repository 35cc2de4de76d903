-- A campaign's codes listed from chunks of its batches' codes, instead of a second index
-- entry for every code.
--
-- The (batch, code) btree of 0122 made the listing a keyset walk, but it is a second index
-- entry per code beside the code's unique key: a million-code generation wrote a million
-- of them, which cost about what writing the codes themselves did (bench:commerce: 2.3× a
-- unique COPY of as many strings, where the issue asks for at most 1.5×).
--
-- A chunk row holds up to 100 consecutive codes of one batch, separated by spaces, in byte
-- order ("C"), keyed by (campaign, batch, last code). A page starting after a code walks that key
-- from the cursor's position: the chunk holding the next code by one descent, then the
-- next chunks in key order (the rest of the batch, then the campaign's later batches),
-- one at a time until they hold a page, so the last page costs what the first does. A
-- million codes are 10,000 chunk rows. A chunk is written with its codes, in their
-- transaction, from the codes that were inserted (src/campaigns/service.ts: fill,
-- addCode); codes are never deleted, so a chunk never goes stale. The campaign is its
-- batch's (a batch never changes campaign), kept here so that the walk reads one key.
--
-- A chunk of 10-character codes is ~1.1 KB, small enough to stay in its row (no TOAST
-- lookup to read it) and big enough that the chunks cost next to nothing beside their codes.
-- Longer codes may take a chunk out of line; it is never compressed: random codes do not
-- compress, so trying would only cost the time of the attempt.
CREATE TABLE campaign_code_chunks (
  campaign_id  text NOT NULL,
  batch        bigint NOT NULL REFERENCES campaign_code_batches (id),
  last_code    text COLLATE "C" NOT NULL,
  size         integer NOT NULL CHECK (size >= 1),
  codes        text NOT NULL,
  PRIMARY KEY (campaign_id, batch, last_code)
);
ALTER TABLE campaign_code_chunks ALTER COLUMN codes SET STORAGE EXTERNAL;

-- Existing codes: each batch's in byte order, cut every 100 (CHUNK_CODES in codes.ts).
INSERT INTO campaign_code_chunks (campaign_id, batch, last_code, size, codes)
SELECT b.campaign_id, n.batch, max(n.code), count(*), string_agg(n.code, ' ' ORDER BY n.code)
  FROM (SELECT batch, code COLLATE "C" AS code,
               (row_number() OVER (PARTITION BY batch ORDER BY code COLLATE "C") - 1) / 100
                 AS chunk
          FROM campaign_codes) n
  JOIN campaign_code_batches b ON b.id = n.batch
 GROUP BY b.campaign_id, n.batch, n.chunk;

-- The code row laid out in 48 bytes instead of 56: after a short text a bigint is padded to
-- the next 8 bytes, so (code, batch, used) took 24 header + 11 + 5 padding + 8 + 4 (52, padded to 56),
-- where (batch, used, code) takes 24 + 8 + 4 + 11 (47, padded to 48). A million codes are ~8 MB less to write (the
-- heap is over half of what generating them writes). Same columns, constraint and key;
-- the rows in (batch, code) order, as a generation writes them. The (batch, code) index of
-- 0122 goes with the old table.
CREATE TABLE campaign_codes_lean (
  batch  bigint NOT NULL,
  used   integer NOT NULL DEFAULT 0,
  code   text NOT NULL,
  CONSTRAINT campaign_codes_used_check CHECK (used >= 0)
) WITH (fillfactor = 90);
INSERT INTO campaign_codes_lean (batch, used, code)
SELECT batch, used, code FROM campaign_codes ORDER BY batch, code COLLATE "C";
DROP TABLE campaign_codes;
ALTER TABLE campaign_codes_lean RENAME TO campaign_codes;
ALTER TABLE campaign_codes ADD CONSTRAINT campaign_codes_pkey PRIMARY KEY (code);
