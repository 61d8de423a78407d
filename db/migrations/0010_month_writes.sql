-- Writes per report month, for the dashboard's figures kept between requests (db/queries/dashboard.py):
-- a month's trend figures are recomputed only when its counter, the previous month's (like-for-like) or
-- '*' (an organization added, removed or moved to another district) has moved since they were computed.
-- Closed months hardly ever change, so a dashboard request recomputes the open month at most.
-- Kept by triggers in the writer's transaction, whichever connection or process writes.
CREATE TABLE month_writes (
    month TEXT PRIMARY KEY,               -- 'YYYY-MM', or '*' for the organizations
    n INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TRIGGER month_writes_report_insert AFTER INSERT ON reports BEGIN
    INSERT INTO month_writes(month, n) VALUES (NEW.month, 1) ON CONFLICT(month) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER month_writes_report_update AFTER UPDATE ON reports BEGIN
    INSERT INTO month_writes(month, n) VALUES (NEW.month, 1) ON CONFLICT(month) DO UPDATE SET n = n + 1;
    INSERT INTO month_writes(month, n) SELECT OLD.month, 1 WHERE OLD.month != NEW.month
        ON CONFLICT(month) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER month_writes_report_delete AFTER DELETE ON reports BEGIN
    INSERT INTO month_writes(month, n) VALUES (OLD.month, 1) ON CONFLICT(month) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER month_writes_org_insert AFTER INSERT ON organizations BEGIN
    INSERT INTO month_writes(month, n) VALUES ('*', 1) ON CONFLICT(month) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER month_writes_org_move AFTER UPDATE OF district_id ON organizations BEGIN
    INSERT INTO month_writes(month, n) VALUES ('*', 1) ON CONFLICT(month) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER month_writes_org_delete AFTER DELETE ON organizations BEGIN
    INSERT INTO month_writes(month, n) VALUES ('*', 1) ON CONFLICT(month) DO UPDATE SET n = n + 1;
END;
