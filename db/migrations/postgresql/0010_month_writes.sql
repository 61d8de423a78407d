-- PostgreSQL form of db/migrations/0010_month_writes.sql: writes per report month ('*': the
-- organizations), counted by triggers in the writer's transaction.
CREATE TABLE month_writes (
    month TEXT COLLATE "C" PRIMARY KEY,               -- 'YYYY-MM', or '*' for the organizations
    n BIGINT NOT NULL
);

CREATE FUNCTION month_writes_count(written TEXT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO month_writes(month, n) VALUES (written, 1) ON CONFLICT (month) DO UPDATE SET n = month_writes.n + 1
$$;

CREATE FUNCTION month_writes_reports() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM month_writes_count(OLD.month);
    ELSE
        PERFORM month_writes_count(NEW.month);
        IF TG_OP = 'UPDATE' AND OLD.month <> NEW.month THEN
            PERFORM month_writes_count(OLD.month);
        END IF;
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION month_writes_organizations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM month_writes_count('*');
    RETURN NULL;
END
$$;

CREATE TRIGGER month_writes_report_insert AFTER INSERT ON reports
    FOR EACH ROW EXECUTE FUNCTION month_writes_reports();
CREATE TRIGGER month_writes_report_update AFTER UPDATE ON reports
    FOR EACH ROW EXECUTE FUNCTION month_writes_reports();
CREATE TRIGGER month_writes_report_delete AFTER DELETE ON reports
    FOR EACH ROW EXECUTE FUNCTION month_writes_reports();
CREATE TRIGGER month_writes_org_insert AFTER INSERT ON organizations
    FOR EACH ROW EXECUTE FUNCTION month_writes_organizations();
CREATE TRIGGER month_writes_org_move AFTER UPDATE OF district_id ON organizations
    FOR EACH ROW EXECUTE FUNCTION month_writes_organizations();
CREATE TRIGGER month_writes_org_delete AFTER DELETE ON organizations
    FOR EACH ROW EXECUTE FUNCTION month_writes_organizations();
