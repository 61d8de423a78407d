-- Every update is stored here before Telegram is told it was received (bot/telegram/inbox.py),
-- handled from here, marked done, and pruned some days later. It replaces processed_updates.
CREATE TABLE inbox (
    update_id INTEGER PRIMARY KEY,
    chat_key TEXT,                        -- one chat's updates are handled in order
    payload TEXT NOT NULL,                -- the update as JSON
    received_at TEXT NOT NULL,
    done_at TEXT                          -- NULL until handled
);
CREATE INDEX inbox_pending ON inbox(update_id) WHERE done_at IS NULL;
CREATE INDEX inbox_done_at ON inbox(done_at);
-- Updates handled before the inbox existed stay handled: a re-delivery is not handled twice.
INSERT INTO inbox(update_id, chat_key, payload, received_at, done_at)
    SELECT update_id, NULL, '{}', processed_at, processed_at FROM processed_updates;
DROP TABLE processed_updates;
-- The boot that last asked a waiting dialog its question again (bot/telegram/resume.py).
CREATE TABLE reprompts (
    fsm_key TEXT PRIMARY KEY,
    boot TEXT NOT NULL,
    at TEXT NOT NULL
);
