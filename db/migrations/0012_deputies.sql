-- Issue 11: optionally one deputy per organization (`[registration] deputies = 1`), who may file the
-- report when the chair does not. A deputy is a user bound to the organization with deputy = 1; the
-- chair stays the one user with deputy = 0. The deputy registers with the organization's deputy code.
ALTER TABLE users ADD COLUMN deputy INTEGER NOT NULL DEFAULT 0;
DROP INDEX users_one_chair_per_org;
CREATE UNIQUE INDEX users_one_chair_per_org ON users(org_id) WHERE org_id IS NOT NULL AND deputy = 0;
CREATE UNIQUE INDEX users_one_deputy_per_org ON users(org_id) WHERE org_id IS NOT NULL AND deputy = 1;
ALTER TABLE organizations ADD COLUMN deputy_code TEXT;
CREATE UNIQUE INDEX organizations_deputy_code ON organizations(deputy_code) WHERE deputy_code IS NOT NULL;
