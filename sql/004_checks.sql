-- tfund schema, version 4: the same rules, checked more cheaply.
--
-- SQLite runs a CHECK of the form `x IN (a, b, c, ...)` with more than
-- two values as a lookup in a temporary index that it builds afresh for
-- every row written: it made writing a posting cost three times what
-- storing it does, and the allocation's update of each request twice.
-- The requests' index by session also loses its status column (below).
-- `x = a OR x = b OR ...` accepts exactly the same values without one.
-- SQLite cannot alter a CHECK in place, so postings and requests are
-- rebuilt with the same columns, rows, rowids, indexes and triggers (the
-- migration runs with foreign keys off and checks them all before it
-- commits, as SQLite's procedure for changing a table asks).

CREATE TABLE postings_new (
    id            INTEGER PRIMARY KEY,
    entry         INTEGER NOT NULL REFERENCES entries (id),
    account       TEXT NOT NULL,
    pool          TEXT NOT NULL
                  CHECK (pool = 'unrestricted' OR pool = 'travel' OR
                         pool = 'ldc-travel' OR pool = 'prep'),
    amount        INTEGER NOT NULL,
    orig_amount   INTEGER,
    orig_currency TEXT,
    rate          TEXT
) STRICT;
INSERT INTO postings_new (id, entry, account, pool, amount, orig_amount,
                          orig_currency, rate)
    SELECT id, entry, account, pool, amount, orig_amount, orig_currency, rate
    FROM postings ORDER BY id;
DROP TABLE postings;
ALTER TABLE postings_new RENAME TO postings;
CREATE INDEX postings_entry ON postings (entry);
CREATE INDEX postings_account ON postings (account, pool);
CREATE TRIGGER postings_no_update BEFORE UPDATE ON postings
BEGIN SELECT RAISE(ABORT, 'postings are append-only'); END;
CREATE TRIGGER postings_no_delete BEFORE DELETE ON postings
BEGIN SELECT RAISE(ABORT, 'postings are append-only'); END;

CREATE TABLE requests_new (
    ref           TEXT PRIMARY KEY,
    session       TEXT NOT NULL REFERENCES sessions (id),
    country       TEXT NOT NULL REFERENCES countries (iso3),
    delegate      TEXT NOT NULL,
    submitted     TEXT NOT NULL,
    fare          INTEGER NOT NULL CHECK (fare >= 0),
    fare_currency TEXT NOT NULL,
    gender        TEXT NOT NULL DEFAULT '',
    -- The current decision; the history is in decisions.
    status        TEXT NOT NULL DEFAULT 'pending'
                  CHECK (status = 'pending' OR status = 'funded' OR
                         status = 'waitlisted' OR status = 'rejected' OR
                         status = 'disbursed' OR status = 'cancelled'),
    reason        TEXT NOT NULL DEFAULT '',
    tier          INTEGER,
    run           INTEGER REFERENCES runs (id),
    decided       TEXT,
    fare_base     INTEGER,
    dsa           INTEGER,
    terminal      INTEGER,
    cost          INTEGER,
    psc           INTEGER,
    charge        INTEGER
) STRICT;
INSERT INTO requests_new (rowid, ref, session, country, delegate, submitted,
                          fare, fare_currency, gender, status, reason, tier,
                          run, decided, fare_base, dsa, terminal, cost, psc,
                          charge)
    SELECT rowid, ref, session, country, delegate, submitted, fare,
           fare_currency, gender, status, reason, tier, run, decided,
           fare_base, dsa, terminal, cost, psc, charge
    FROM requests ORDER BY rowid;
DROP TABLE requests;
ALTER TABLE requests_new RENAME TO requests;
-- By session only: every query of it reads a session's requests whole,
-- and with status in the key each decision moved the row in the index.
CREATE INDEX requests_session ON requests (session);
CREATE TRIGGER requests_fixed BEFORE UPDATE OF ref, session, country,
    delegate, submitted, fare, fare_currency, gender ON requests
BEGIN SELECT RAISE(ABORT, 'a request''s details are never changed'); END;
CREATE TRIGGER requests_no_delete BEFORE DELETE ON requests
BEGIN SELECT RAISE(ABORT, 'requests are never deleted'); END;
