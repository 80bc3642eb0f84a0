-- tfund schema, version 6: accountability (who did what, and when, and
-- whether anything was changed behind tfund's back).
--
-- 1. The event log. Every command that writes appends one event, in its
--    own transaction, just before its commit: the time (UTC), the actor,
--    the command as given, a one-line summary, and what it wrote: the
--    rowids it inserted in each covered table ("wrote", as
--    "table:first-last[,first-last];..."), an 8-byte check value of each
--    inserted row ("checks", in that order) and a digest of the rows'
--    full hashes. Events are hash-chained as the journal is, and the head
--    of their chain is kept beside the journal's (chain.last_event).
--    docs/accountability.md gives the encodings.
-- 2. Covered tables are insert-only. What tfund keeps in place for speed
--    is a cache that verify re-derives: the current settings (from
--    setting_versions), the current country classification (from
--    country_versions), each request's state (from its decisions), the
--    running balances and the chain heads. A change to a setting or a
--    country is written to the cache and recorded, by the triggers below,
--    as the next version, whoever writes it: written outside tfund, that
--    version belongs to no event, and verify names it.
-- 3. rates becomes an ordinary rowid table (its key a unique index), so
--    that its rows can be named by rowid like every other table's.
-- 4. An allocation run records the settings it used; a decision records
--    every figure of the request's state, so that the state can be
--    re-derived from the decisions (the requests' figures of the latest
--    run decision of each request are copied here for the runs made
--    before this version).
-- 5. donors and sessions refuse UPDATE, as the other records do.
--
-- The rows already in the file are covered by one genesis event, which
-- tfund writes in C (it hashes every row) in the same transaction.

CREATE TABLE events (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    command   TEXT NOT NULL,
    summary   TEXT NOT NULL,
    wrote     TEXT NOT NULL,
    checks    BLOB NOT NULL,
    digest    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
) STRICT;
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

ALTER TABLE chain ADD COLUMN last_event INTEGER NOT NULL DEFAULT 0;
ALTER TABLE chain ADD COLUMN last_event_hash TEXT NOT NULL DEFAULT '';

-- Settings: every value ever set, in order; the current value of a key
-- is its latest version.
CREATE TABLE setting_versions (
    id    INTEGER PRIMARY KEY,
    key   TEXT NOT NULL,
    value TEXT NOT NULL
) STRICT;
CREATE INDEX setting_versions_key ON setting_versions (key, id);
INSERT INTO setting_versions (key, value)
    SELECT key, value FROM settings ORDER BY key;
CREATE TRIGGER setting_versions_no_update BEFORE UPDATE ON setting_versions
BEGIN SELECT RAISE(ABORT, 'setting versions are append-only'); END;
CREATE TRIGGER setting_versions_no_delete BEFORE DELETE ON setting_versions
BEGIN SELECT RAISE(ABORT, 'setting versions are append-only'); END;
CREATE TRIGGER settings_version_insert AFTER INSERT ON settings
BEGIN
    INSERT INTO setting_versions (key, value) VALUES (NEW.key, NEW.value);
END;
CREATE TRIGGER settings_version_update AFTER UPDATE ON settings
WHEN NEW.key IS NOT OLD.key OR NEW.value IS NOT OLD.value
BEGIN
    INSERT INTO setting_versions (key, value) VALUES (NEW.key, NEW.value);
END;

-- Countries: every classification ever recorded, in order; the current
-- one of a country is its latest version. tfund replaces a country's row
-- (INSERT OR REPLACE, which fires no delete trigger); it never updates
-- or deletes one.
CREATE TABLE country_versions (
    id           INTEGER PRIMARY KEY,
    iso3         TEXT NOT NULL,
    m49          TEXT NOT NULL,
    name         TEXT NOT NULL,
    un_status    TEXT NOT NULL,
    region_group TEXT NOT NULL,
    ldc_from     TEXT NOT NULL,
    ldc_until    TEXT NOT NULL,
    sids         INTEGER NOT NULL,
    lldc         INTEGER NOT NULL,
    developing   INTEGER NOT NULL
) STRICT;
CREATE INDEX country_versions_iso3 ON country_versions (iso3, id);
INSERT INTO country_versions (iso3, m49, name, un_status, region_group,
                              ldc_from, ldc_until, sids, lldc, developing)
    SELECT iso3, m49, name, un_status, region_group, ldc_from, ldc_until,
           sids, lldc, developing
    FROM countries ORDER BY rowid;
CREATE TRIGGER country_versions_no_update BEFORE UPDATE ON country_versions
BEGIN SELECT RAISE(ABORT, 'country versions are append-only'); END;
CREATE TRIGGER country_versions_no_delete BEFORE DELETE ON country_versions
BEGIN SELECT RAISE(ABORT, 'country versions are append-only'); END;
CREATE TRIGGER countries_version_insert AFTER INSERT ON countries
BEGIN
    INSERT INTO country_versions (iso3, m49, name, un_status, region_group,
                                  ldc_from, ldc_until, sids, lldc,
                                  developing)
    VALUES (NEW.iso3, NEW.m49, NEW.name, NEW.un_status, NEW.region_group,
            NEW.ldc_from, NEW.ldc_until, NEW.sids, NEW.lldc, NEW.developing);
END;
CREATE TRIGGER countries_no_update BEFORE UPDATE ON countries
BEGIN SELECT RAISE(ABORT, 'a country changes by a new version, never in place'); END;
CREATE TRIGGER countries_no_delete BEFORE DELETE ON countries
BEGIN SELECT RAISE(ABORT, 'countries are never deleted'); END;

-- Rates as a rowid table, in key order.
PRAGMA legacy_alter_table = ON;
CREATE TABLE rates_new (
    currency TEXT NOT NULL,
    date     TEXT NOT NULL,
    per_usd  TEXT NOT NULL,
    UNIQUE (currency, date)
) STRICT;
INSERT INTO rates_new (currency, date, per_usd)
    SELECT currency, date, per_usd FROM rates ORDER BY currency, date;
DROP TABLE rates;
ALTER TABLE rates_new RENAME TO rates;
CREATE TRIGGER rates_no_update BEFORE UPDATE ON rates
BEGIN SELECT RAISE(ABORT, 'rates are append-only'); END;
CREATE TRIGGER rates_no_delete BEFORE DELETE ON rates
BEGIN SELECT RAISE(ABORT, 'rates are append-only'); END;
PRAGMA legacy_alter_table = OFF;

-- The settings an allocation run used (NULL for runs made before this
-- version, which did not record them).
ALTER TABLE runs ADD COLUMN psc_rate TEXT;
ALTER TABLE runs ADD COLUMN reserve_rate TEXT;
ALTER TABLE runs ADD COLUMN quota_ldc INTEGER;
ALTER TABLE runs ADD COLUMN quota_developing INTEGER;

-- Every figure of a run's decision (NULL for the decisions of a
-- disbursement or a cancellation, which keep the run's figures).
ALTER TABLE decisions ADD COLUMN tier INTEGER;
ALTER TABLE decisions ADD COLUMN fare_base INTEGER;
ALTER TABLE decisions ADD COLUMN dsa INTEGER;
ALTER TABLE decisions ADD COLUMN terminal INTEGER;
ALTER TABLE decisions ADD COLUMN cost INTEGER;
ALTER TABLE decisions ADD COLUMN psc INTEGER;
DROP TRIGGER decisions_no_update;
UPDATE decisions
SET (tier, fare_base, dsa, terminal, cost, psc) =
    (SELECT q.tier, q.fare_base, q.dsa, q.terminal, q.cost, q.psc
     FROM requests q WHERE q.ref = decisions.request)
WHERE id IN (SELECT max(d.id) FROM decisions d
             JOIN requests q ON q.ref = d.request AND q.run = d.run
             GROUP BY d.request);
CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;

CREATE TRIGGER donors_no_update BEFORE UPDATE ON donors
BEGIN SELECT RAISE(ABORT, 'donors are never changed'); END;
CREATE TRIGGER sessions_no_update BEFORE UPDATE ON sessions
BEGIN SELECT RAISE(ABORT, 'sessions are never changed'); END;
