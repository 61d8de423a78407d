-- PostgreSQL form of db/migrations/0007_inbox.sql: the durable inbox replaces processed_updates.
CREATE TABLE inbox (
    update_id BIGINT PRIMARY KEY,
    chat_key TEXT,                        -- one chat's updates are handled in order
    payload TEXT NOT NULL,                -- the update as JSON
    received_at TEXT NOT NULL,
    done_at TEXT                          -- NULL until handled
);
CREATE INDEX inbox_pending ON inbox(update_id) WHERE done_at IS NULL;
CREATE INDEX inbox_done_at ON inbox(done_at);
INSERT INTO inbox(update_id, chat_key, payload, received_at, done_at)
    SELECT update_id, NULL, '{}', processed_at, processed_at FROM processed_updates;
DROP TABLE processed_updates;
CREATE TABLE reprompts (
    fsm_key TEXT PRIMARY KEY,
    boot TEXT NOT NULL,
    at TEXT NOT NULL
);
