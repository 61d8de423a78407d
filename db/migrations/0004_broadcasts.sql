-- Broadcasts by admins and the delivery state of every recipient (issue 4).
CREATE TABLE broadcasts (
    id INTEGER PRIMARY KEY,
    created_by INTEGER NOT NULL,          -- Telegram id of the admin
    admin_chat_id INTEGER NOT NULL,       -- where progress and the receipt go
    district_id INTEGER REFERENCES districts(id),  -- the district it was limited to; NULL = whole region
    audience TEXT NOT NULL,               -- 'all', 'district', 'missing', 'lang:kk', 'admins', 'custom'
    from_chat_id INTEGER NOT NULL,        -- the message copied to everyone
    message_id INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'cancelled')),
    progress_message_id INTEGER,
    created_at TEXT NOT NULL,
    finished_at TEXT,
    cancelled_by INTEGER
);
CREATE INDEX broadcasts_status ON broadcasts(status);
CREATE TABLE broadcast_recipients (
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts(id),
    position INTEGER NOT NULL,            -- delivery order
    chat_id INTEGER NOT NULL,
    -- 'sending' is written before the Bot API call: after a crash it is sent again.
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'sending', 'sent', 'blocked', 'failed', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    PRIMARY KEY (broadcast_id, position),
    UNIQUE (broadcast_id, chat_id)
);
