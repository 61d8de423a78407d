-- PostgreSQL form of db/migrations/0012_deputies.sql: one deputy per organization (deputy = 1).
ALTER TABLE users ADD COLUMN deputy BIGINT NOT NULL DEFAULT 0;
DROP INDEX users_one_chair_per_org;
CREATE UNIQUE INDEX users_one_chair_per_org ON users(org_id) WHERE org_id IS NOT NULL AND deputy = 0;
CREATE UNIQUE INDEX users_one_deputy_per_org ON users(org_id) WHERE org_id IS NOT NULL AND deputy = 1;
ALTER TABLE organizations ADD COLUMN deputy_code TEXT COLLATE "C";
CREATE UNIQUE INDEX organizations_deputy_code ON organizations(deputy_code) WHERE deputy_code IS NOT NULL;
