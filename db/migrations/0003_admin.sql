-- Admin tools: the audit log and join requests of users without an invite code.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,                     -- ISO 8601 UTC, from the clock
    actor_id INTEGER NOT NULL,            -- Telegram user id of the admin
    actor_role TEXT NOT NULL,             -- 'branch', 'district', ...
    action TEXT NOT NULL,                 -- e.g. 'join.approve', 'admin.add', 'report.reopen'
    object_ref TEXT NOT NULL DEFAULT '',  -- e.g. 'org:12', 'user:345', 'month:2026-10'
    details TEXT NOT NULL DEFAULT '{}'    -- JSON object
);
CREATE TABLE join_requests (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL,
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    full_name TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    created_at TEXT NOT NULL,
    decided_by INTEGER,
    decided_at TEXT
);
CREATE INDEX join_requests_user_status ON join_requests(user_id, status);
