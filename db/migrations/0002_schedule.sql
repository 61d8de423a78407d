-- The sent-log of scheduled messages (reminders, escalations, digests): one row per
-- (kind, period, recipient, step). Written as 'claimed' before sending, finished after
-- (see db/queries/sent.py for why this order).
CREATE TABLE sent_log (
    kind TEXT NOT NULL,                   -- 'remind', 'escalate', 'digest'
    period TEXT NOT NULL,                 -- the report month 'YYYY-MM', or the digest's day 'YYYY-MM-DD'
    recipient INTEGER NOT NULL,           -- Telegram user id
    step TEXT NOT NULL,                   -- e.g. 'open', 'before-3', 'due', 'overdue-2', 'weekly'
    status TEXT NOT NULL CHECK (status IN ('claimed', 'sent', 'blocked', 'failed')),
    claimed_at TEXT NOT NULL,
    finished_at TEXT,
    detail TEXT,                          -- why it failed
    PRIMARY KEY (kind, period, recipient, step)
);
