-- PostgreSQL form of db/migrations/0005_indexes.sql: (month, org_id, late) replaces reports_month.
CREATE INDEX reports_month_org ON reports(month, org_id, late);
DROP INDEX reports_month;
