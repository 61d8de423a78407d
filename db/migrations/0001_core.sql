CREATE TABLE districts (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE organizations (
    id INTEGER PRIMARY KEY,
    district_id INTEGER NOT NULL REFERENCES districts(id),
    name TEXT NOT NULL,
    sector TEXT NOT NULL DEFAULT '',
    members INTEGER NOT NULL DEFAULT 0,
    invite_code TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (district_id, name)
);
CREATE TABLE users (
    id INTEGER PRIMARY KEY,               -- Telegram user id
    locale TEXT,                          -- 'kk' or 'ru'; NULL until chosen
    full_name TEXT,
    phone TEXT,
    org_id INTEGER REFERENCES organizations(id),
    registered_at TEXT,
    active INTEGER NOT NULL DEFAULT 1,    -- 0 once the user blocked the bot
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX users_one_chair_per_org ON users(org_id) WHERE org_id IS NOT NULL;
CREATE TABLE code_attempts (
    user_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    code TEXT NOT NULL
);
CREATE INDEX code_attempts_user_at ON code_attempts(user_id, at);
CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    month TEXT NOT NULL,                  -- 'YYYY-MM'
    answers TEXT NOT NULL,                -- JSON object, keys from the form definition
    late INTEGER NOT NULL DEFAULT 0,
    submitted_by INTEGER,
    submitted_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    reopened_until TEXT,                  -- an admin reopened it for editing until this day
    UNIQUE (org_id, month)
);
CREATE INDEX reports_month ON reports(month);
CREATE TABLE drafts (
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    month TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    answers TEXT NOT NULL,                -- JSON object
    cursor TEXT,                          -- key of the question being asked; NULL = at the summary
    updated_at TEXT NOT NULL,
    PRIMARY KEY (org_id, month)
);
CREATE TABLE processed_updates (
    update_id INTEGER PRIMARY KEY,
    processed_at TEXT NOT NULL
);
CREATE TABLE fsm (
    key TEXT PRIMARY KEY,
    state TEXT,
    data TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE admins (
    user_id INTEGER PRIMARY KEY,          -- Telegram user id
    scope TEXT NOT NULL CHECK (scope IN ('branch', 'district')),
    district_id INTEGER REFERENCES districts(id),
    added_by INTEGER,
    added_at TEXT NOT NULL
);
