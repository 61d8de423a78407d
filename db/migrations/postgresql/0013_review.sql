-- PostgreSQL form of db/migrations/0013_review.sql: review of submitted reports by admins.
ALTER TABLE reports ADD COLUMN review TEXT NOT NULL DEFAULT 'submitted'
    CHECK (review IN ('submitted', 'accepted', 'returned'));
ALTER TABLE reports ADD COLUMN review_comment TEXT;
ALTER TABLE reports ADD COLUMN reviewed_by BIGINT;
ALTER TABLE reports ADD COLUMN reviewed_at TEXT;
