-- In a cluster (bot/cluster/), the process handling an inbox row and when it last said so: the leading
-- worker takes over rows not done whose claim is stale (db/queries/inbox.py). NULL for a single process.
ALTER TABLE inbox ADD COLUMN claimed_by TEXT;
ALTER TABLE inbox ADD COLUMN claimed_at TEXT;
