-- PostgreSQL form of db/migrations/0015_broadcast_claims.sql: the worker delivering each recipient and when
-- it last showed it was alive; claims take rows with FOR UPDATE SKIP LOCKED (db/queries/broadcasts.py).
ALTER TABLE broadcast_recipients ADD COLUMN claimed_by TEXT COLLATE "C";
ALTER TABLE broadcast_recipients ADD COLUMN claimed_at TEXT COLLATE "C";
CREATE INDEX broadcast_recipients_unfinished ON broadcast_recipients(broadcast_id, position)
    WHERE state IN ('pending', 'sending');
