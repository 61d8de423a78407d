-- PostgreSQL form of db/migrations/0007_inbox.sql: the durable inbox replaces processed_updates.
CREATE TABLE inbox (
    update_id BIGINT PRIMARY KEY,
    chat_key TEXT COLLATE "C",                        -- one chat's updates are handled in order
    payload TEXT COLLATE "C" NOT NULL,                -- the update as JSON
    received_at TEXT COLLATE "C" NOT NULL,
    done_at TEXT COLLATE "C"                          -- NULL until handled
);
CREATE INDEX inbox_pending ON inbox(update_id) WHERE done_at IS NULL;
CREATE INDEX inbox_done_at ON inbox(done_at);
INSERT INTO inbox(update_id, chat_key, payload, received_at, done_at)
    SELECT update_id, NULL, '{}', processed_at, processed_at FROM processed_updates;
DROP TABLE processed_updates;
CREATE TABLE reprompts (
    fsm_key TEXT COLLATE "C" PRIMARY KEY,
    boot TEXT COLLATE "C" NOT NULL,
    at TEXT COLLATE "C" NOT NULL
);
