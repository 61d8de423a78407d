-- Several workers may deliver the same broadcast (a standby taking over, two leaders for a moment): each
-- claims a few recipients at a time (db/queries/broadcasts.py `claim`) and sends only those. claimed_by is
-- the worker, claimed_at when it last showed it was alive (the claim, then every state it writes); a claim
-- older than the lease is taken over by another worker. Delivery order, unfinished recipients only: the
-- claim's scan skips the delivered ones.
ALTER TABLE broadcast_recipients ADD COLUMN claimed_by TEXT;
ALTER TABLE broadcast_recipients ADD COLUMN claimed_at TEXT;
CREATE INDEX broadcast_recipients_unfinished ON broadcast_recipients(broadcast_id, position)
    WHERE state IN ('pending', 'sending');
