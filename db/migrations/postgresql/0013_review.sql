-- PostgreSQL form of db/migrations/0013_review.sql: review of submitted reports by admins.
ALTER TABLE reports ADD COLUMN review TEXT COLLATE "C" NOT NULL DEFAULT 'submitted'
    CHECK (review IN ('submitted', 'accepted', 'returned'));
ALTER TABLE reports ADD COLUMN review_comment TEXT COLLATE "C";
ALTER TABLE reports ADD COLUMN reviewed_by BIGINT;
ALTER TABLE reports ADD COLUMN reviewed_at TEXT COLLATE "C";
