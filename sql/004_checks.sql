-- tfund schema, version 4: the same rules, checked more cheaply.
--
-- 1. SQLite runs a CHECK of the form `x IN (a, b, c, ...)` with more than
--    two values as a lookup in a temporary index that it builds afresh for
--    every row written: it made writing a posting cost three times what
--    storing it does, and the allocation's update of each request twice.
--    `x = a OR x = b OR ...` accepts exactly the same values without one.
-- 2. The foreign keys of the tables the ledger and the allocation write in
--    bulk (entries, postings, requests, decisions, draws) are checked at
--    commit (DEFERRABLE INITIALLY DEFERRED), as every other rule of a
--    command is: a command that breaks one still fails whole. Checked
--    statement by statement, SQLite keeps a journal of every page each
--    statement touches in case it has to undo that one statement, which
--    was most of the cost of writing them.
-- 3. A closed period's refusal rolls the transaction back (RAISE(ROLLBACK))
--    instead of undoing the one statement, for the same reason: tfund ends
--    a command at its first failure anyway.
-- 4. The requests' index by session loses its status column: every query
--    of it reads a session's requests whole, and with status in the key
--    each decision moved the row in the index.
-- 5. Postings are no longer indexed by account (postings_account): the
--    running balances answer for today, a date's figures come through
--    entries by date, and that index was a third of the cost of storing a
--    posting. The one account every allocation and disbursement asks for
--    as of a date, the commitments (budget:encumbrances), keeps a small
--    index of its own.
--
-- SQLite cannot alter a constraint in place, so these tables are rebuilt
-- with the same columns, rows, rowids, indexes and triggers (the migration
-- runs with foreign keys off and checks them all before it commits, as
-- SQLite's procedure for changing a table asks). The renames run in
-- legacy mode, so that SQLite neither rewrites nor re-checks the triggers
-- of other tables that name a table being rebuilt (settings_base_fixed
-- reads entries): they find the new table under the old name.

PRAGMA legacy_alter_table = ON;

CREATE TABLE entries_new (
    id        INTEGER PRIMARY KEY,
    date      TEXT NOT NULL,
    kind      TEXT NOT NULL,
    memo      TEXT NOT NULL DEFAULT '',
    ref       TEXT,
    reverses  INTEGER REFERENCES entries (id) DEFERRABLE INITIALLY DEFERRED,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
) STRICT;
INSERT INTO entries_new (id, date, kind, memo, ref, reverses, prev_hash, hash)
    SELECT id, date, kind, memo, ref, reverses, prev_hash, hash
    FROM entries ORDER BY id;
DROP TABLE entries;
ALTER TABLE entries_new RENAME TO entries;
CREATE UNIQUE INDEX entries_kind_ref ON entries (kind, ref)
    WHERE ref IS NOT NULL;
CREATE INDEX entries_date ON entries (date);
CREATE UNIQUE INDEX entries_reverses ON entries (reverses)
    WHERE reverses IS NOT NULL;
CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'entries are append-only'); END;
CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'entries are append-only'); END;
CREATE TRIGGER entries_closed_period BEFORE INSERT ON entries
WHEN NEW.date <= (SELECT value FROM settings WHERE key = 'closed_through')
BEGIN SELECT RAISE(ROLLBACK, 'the period is closed'); END;

CREATE TABLE postings_new (
    id            INTEGER PRIMARY KEY,
    entry         INTEGER NOT NULL
                  REFERENCES entries (id) DEFERRABLE INITIALLY DEFERRED,
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
CREATE INDEX postings_committed ON postings (entry, pool, amount)
    WHERE account = 'budget:encumbrances';
CREATE TRIGGER postings_no_update BEFORE UPDATE ON postings
BEGIN SELECT RAISE(ABORT, 'postings are append-only'); END;
CREATE TRIGGER postings_no_delete BEFORE DELETE ON postings
BEGIN SELECT RAISE(ABORT, 'postings are append-only'); END;

CREATE TABLE requests_new (
    ref           TEXT PRIMARY KEY,
    session       TEXT NOT NULL
                  REFERENCES sessions (id) DEFERRABLE INITIALLY DEFERRED,
    country       TEXT NOT NULL
                  REFERENCES countries (iso3) DEFERRABLE INITIALLY DEFERRED,
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
    run           INTEGER REFERENCES runs (id) DEFERRABLE INITIALLY DEFERRED,
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
CREATE INDEX requests_session ON requests (session);
CREATE TRIGGER requests_fixed BEFORE UPDATE OF ref, session, country,
    delegate, submitted, fare, fare_currency, gender ON requests
BEGIN SELECT RAISE(ABORT, 'a request''s details are never changed'); END;
CREATE TRIGGER requests_no_delete BEFORE DELETE ON requests
BEGIN SELECT RAISE(ABORT, 'requests are never deleted'); END;

CREATE TABLE decisions_new (
    id       INTEGER PRIMARY KEY,
    run      INTEGER REFERENCES runs (id) DEFERRABLE INITIALLY DEFERRED,
    request  TEXT NOT NULL
             REFERENCES requests (ref) DEFERRABLE INITIALLY DEFERRED,
    date     TEXT NOT NULL,
    status   TEXT NOT NULL,
    reason   TEXT NOT NULL,
    charge   INTEGER,
    note     TEXT NOT NULL DEFAULT ''
) STRICT;
INSERT INTO decisions_new (id, run, request, date, status, reason, charge,
                           note)
    SELECT id, run, request, date, status, reason, charge, note
    FROM decisions ORDER BY id;
DROP TABLE decisions;
ALTER TABLE decisions_new RENAME TO decisions;
CREATE INDEX decisions_request ON decisions (request);
CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;

CREATE TABLE draws_new (
    request  TEXT NOT NULL
             REFERENCES requests (ref) DEFERRABLE INITIALLY DEFERRED,
    seq      INTEGER NOT NULL,
    pool     TEXT NOT NULL,
    amount   INTEGER NOT NULL CHECK (amount > 0),
    entry    INTEGER NOT NULL
             REFERENCES entries (id) DEFERRABLE INITIALLY DEFERRED,
    PRIMARY KEY (request, seq)
) STRICT;
INSERT INTO draws_new (rowid, request, seq, pool, amount, entry)
    SELECT rowid, request, seq, pool, amount, entry FROM draws ORDER BY rowid;
DROP TABLE draws;
ALTER TABLE draws_new RENAME TO draws;
CREATE TRIGGER draws_no_update BEFORE UPDATE ON draws
BEGIN SELECT RAISE(ABORT, 'draws are append-only'); END;
CREATE TRIGGER draws_no_delete BEFORE DELETE ON draws
BEGIN SELECT RAISE(ABORT, 'draws are append-only'); END;

PRAGMA legacy_alter_table = OFF;
