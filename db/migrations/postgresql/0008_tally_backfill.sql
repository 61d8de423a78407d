-- PostgreSQL form of db/migrations/0008_tally_backfill.sql: reports with an id below backfill_below have
-- still to be back-filled for the key (NULL: complete).
ALTER TABLE tallied_keys ADD COLUMN backfill_below BIGINT;
