-- Review of submitted reports by admins (bot/features/review): 'submitted' (waiting for review),
-- 'accepted', or 'returned' for correction with the admin's comment. A returned report can be edited
-- past its due date until it is submitted again, which sets it back to 'submitted'.
ALTER TABLE reports ADD COLUMN review TEXT NOT NULL DEFAULT 'submitted'
    CHECK (review IN ('submitted', 'accepted', 'returned'));
ALTER TABLE reports ADD COLUMN review_comment TEXT;
ALTER TABLE reports ADD COLUMN reviewed_by INTEGER;
ALTER TABLE reports ADD COLUMN reviewed_at TEXT;
