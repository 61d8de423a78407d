-- Month totals without parsing JSON (found by bench/: summing a month's ~9,000 answers with json_each
-- read rows scattered over the whole reports table: 40-50 ms a month and aggregate).
-- The JSON answers stay the source of truth; these tables hold, clustered by month and key, the numeric
-- answers and the chosen options of the keys listed in tallied_keys. Which keys those are comes from the
-- form (config.toml), which SQL cannot see: StatsRepo registers a key the first time it is asked to
-- total it and back-fills it from every report then (db/queries/stats.py). From then on the triggers
-- below keep the rows in step with every write to reports, in the writer's transaction: a re-submitted
-- (edited) report has its rows replaced.
CREATE TABLE tallied_keys (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('number', 'option')),
    UNIQUE (key, kind)
);
CREATE TABLE report_numbers (
    month TEXT NOT NULL,
    key_id INTEGER NOT NULL,
    org_id INTEGER NOT NULL,
    value INTEGER,
    PRIMARY KEY (month, key_id, org_id)
) WITHOUT ROWID;
CREATE TABLE report_options (
    month TEXT NOT NULL,
    key_id INTEGER NOT NULL,
    option NOT NULL,                      -- as in the JSON array (an option key), no type affinity
    org_id INTEGER NOT NULL,
    PRIMARY KEY (month, key_id, option, org_id)
) WITHOUT ROWID;

CREATE TRIGGER reports_tally_insert AFTER INSERT ON reports BEGIN
    INSERT INTO report_numbers(month, key_id, org_id, value)
        SELECT NEW.month, t.id, NEW.org_id, CAST(j.value AS INTEGER)
        FROM json_each(NEW.answers) j CROSS JOIN tallied_keys t ON t.key = j.key AND t.kind = 'number'
        WHERE j.type IN ('integer', 'real', 'text');
    INSERT INTO report_options(month, key_id, option, org_id)
        SELECT DISTINCT NEW.month, t.id, p.value, NEW.org_id
        FROM json_each(NEW.answers) j CROSS JOIN tallied_keys t ON t.key = j.key AND t.kind = 'option'
        JOIN json_each(j.value) p
        WHERE j.type = 'array';
END;

CREATE TRIGGER reports_tally_update AFTER UPDATE OF answers, month, org_id ON reports BEGIN
    DELETE FROM report_numbers
        WHERE month = OLD.month AND key_id IN (SELECT id FROM tallied_keys) AND org_id = OLD.org_id;
    DELETE FROM report_options WHERE month = OLD.month AND org_id = OLD.org_id;
    INSERT INTO report_numbers(month, key_id, org_id, value)
        SELECT NEW.month, t.id, NEW.org_id, CAST(j.value AS INTEGER)
        FROM json_each(NEW.answers) j CROSS JOIN tallied_keys t ON t.key = j.key AND t.kind = 'number'
        WHERE j.type IN ('integer', 'real', 'text');
    INSERT INTO report_options(month, key_id, option, org_id)
        SELECT DISTINCT NEW.month, t.id, p.value, NEW.org_id
        FROM json_each(NEW.answers) j CROSS JOIN tallied_keys t ON t.key = j.key AND t.kind = 'option'
        JOIN json_each(j.value) p
        WHERE j.type = 'array';
END;

CREATE TRIGGER reports_tally_delete AFTER DELETE ON reports BEGIN
    DELETE FROM report_numbers
        WHERE month = OLD.month AND key_id IN (SELECT id FROM tallied_keys) AND org_id = OLD.org_id;
    DELETE FROM report_options WHERE month = OLD.month AND org_id = OLD.org_id;
END;
