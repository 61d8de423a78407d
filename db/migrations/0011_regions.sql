-- Issue 11: regions above districts, a district's name unique within its region, stable organization
-- codes from the branch's records, archives, the chair's profile facts, chair handovers, region admins.
-- A district without a region (a deployment from before regions) gets one at the next roster import
-- (the `region` column, else `[bot] region`).
CREATE TABLE regions (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    archived_at TEXT                      -- archived: no reminders, not counted; its history stays
);

-- districts is rebuilt for UNIQUE (region_id, name). Foreign keys stay on in a migration's transaction:
-- the rows are kept aside, the table dropped (its children's references deferred to the commit) and
-- made again under the same name, and the rows put back before the commit checks the references.
PRAGMA defer_foreign_keys = ON;
CREATE TABLE districts_kept AS SELECT id, name FROM districts;
CREATE TABLE districts_new (
    id INTEGER PRIMARY KEY,
    region_id INTEGER REFERENCES regions(id),
    name TEXT NOT NULL,
    archived_at TEXT,
    UNIQUE (region_id, name)
);
DROP TABLE districts;
ALTER TABLE districts_new RENAME TO districts;
INSERT INTO districts(id, name) SELECT id, name FROM districts_kept;
DROP TABLE districts_kept;

ALTER TABLE organizations ADD COLUMN org_code TEXT;           -- the branch's own identifier, optional
ALTER TABLE organizations ADD COLUMN archived_at TEXT;
ALTER TABLE organizations ADD COLUMN chair_deputy INTEGER;     -- the chair is a maslikhat deputy (NULL: unknown)
ALTER TABLE organizations ADD COLUMN chair_council INTEGER;    -- the chair is a Public Council member
ALTER TABLE organizations ADD COLUMN chair_elected TEXT;       -- 'YYYY-MM-DD' or 'YYYY-MM'
ALTER TABLE organizations ADD COLUMN handover_by INTEGER;      -- an admin asked to replace the chair
CREATE UNIQUE INDEX organizations_org_code ON organizations(org_code) WHERE org_code IS NOT NULL;

-- Who filed, as they were named then: a report stays with its organization when the chair changes.
ALTER TABLE reports ADD COLUMN submitted_name TEXT;
UPDATE reports SET submitted_name = (SELECT full_name FROM users WHERE users.id = reports.submitted_by);

-- The region scope of admins: the CHECK of scope is rebuilt with the table.
CREATE TABLE admins_kept AS SELECT * FROM admins;
DROP TABLE admins;
CREATE TABLE admins (
    user_id INTEGER PRIMARY KEY,          -- Telegram user id
    scope TEXT NOT NULL CHECK (scope IN ('branch', 'region', 'district')),
    region_id INTEGER REFERENCES regions(id),
    district_id INTEGER REFERENCES districts(id),
    added_by INTEGER,
    added_at TEXT NOT NULL
);
INSERT INTO admins(user_id, scope, district_id, added_by, added_at)
    SELECT user_id, scope, district_id, added_by, added_at FROM admins_kept;
DROP TABLE admins_kept;

ALTER TABLE broadcasts ADD COLUMN region_id INTEGER REFERENCES regions(id);
