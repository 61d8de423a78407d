-- The back-fill of a newly tallied key (migration 0006) in small steps instead of one transaction over
-- every report (the write lock held for the whole of it), and remembered across restarts.
-- backfill_below: NULL once the key's rows are complete; otherwise reports with an id below it have
-- still to be back-filled (db/queries/stats.py goes down the ids a few hundred reports per
-- transaction). Reports written after the key was registered are kept by the triggers of 0006.
-- Keys registered before this migration were back-filled in one transaction: NULL, complete.
ALTER TABLE tallied_keys ADD COLUMN backfill_below INTEGER;
