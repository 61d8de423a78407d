-- PostgreSQL form of db/migrations/0002_schedule.sql: the sent-log of scheduled messages.
CREATE TABLE sent_log (
    kind TEXT COLLATE "C" NOT NULL,                   -- 'remind', 'escalate', 'digest'
    period TEXT COLLATE "C" NOT NULL,                 -- the report month 'YYYY-MM', or the digest's day 'YYYY-MM-DD'
    recipient BIGINT NOT NULL,            -- Telegram user id
    step TEXT COLLATE "C" NOT NULL,                   -- e.g. 'open', 'before-3', 'due', 'overdue-2', 'weekly'
    status TEXT COLLATE "C" NOT NULL CHECK (status IN ('claimed', 'sent', 'blocked', 'failed')),
    claimed_at TEXT COLLATE "C" NOT NULL,
    finished_at TEXT COLLATE "C",
    detail TEXT COLLATE "C",                          -- why it failed
    PRIMARY KEY (kind, period, recipient, step)
);
