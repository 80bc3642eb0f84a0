-- tfund schema, version 7: allocation over a whole preparatory process
-- (session envelopes) and the corrections of a grant's life.
--
-- Every table here is insert-only, like the others the event log covers:
-- a change of state is a new row, never an edit.
--
-- 1. A session's envelope per pool is fixed by its first run that writes
--    and stored with the run, one row per pool a grant may draw: the
--    envelope in force for the run, what the session's grants had drawn
--    when it started (used), the pool's available on its date and the
--    allowance the run could spend, max(0, min(available, envelope -
--    used)). A run says how it came by its envelope (basis): 'fixed' (the
--    session's first), 'kept' (a re-run) or 'reset' (a re-run given
--    --budget all). Runs written before this version have no envelope and
--    no basis (NULL). A run also records who ran it (actor).
-- 2. A draw names the run whose funding it is (NULL before this version:
--    a request was funded at most once then), so a request funded again
--    after an undo or a reinstatement has its draws told apart: seq is the
--    draw's order within its funding, unique per request and run. The
--    table is rebuilt for that key with the same rows and rowids (the new
--    column last, NULL in the old rows, so their check values stay).

ALTER TABLE runs ADD COLUMN basis TEXT
    CHECK (basis IS NULL OR basis = 'fixed' OR basis = 'kept' OR
           basis = 'reset');
ALTER TABLE runs ADD COLUMN actor TEXT;

PRAGMA legacy_alter_table = ON;
CREATE TABLE draws_new (
    request  TEXT NOT NULL
             REFERENCES requests (ref) DEFERRABLE INITIALLY DEFERRED,
    seq      INTEGER NOT NULL,
    pool     TEXT NOT NULL,
    amount   INTEGER NOT NULL CHECK (amount > 0),
    entry    INTEGER NOT NULL
             REFERENCES entries (id) DEFERRABLE INITIALLY DEFERRED,
    run      INTEGER REFERENCES runs (id) DEFERRABLE INITIALLY DEFERRED,
    UNIQUE (request, run, seq)
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

CREATE TABLE envelopes (
    id        INTEGER PRIMARY KEY,
    run       INTEGER NOT NULL
              REFERENCES runs (id) DEFERRABLE INITIALLY DEFERRED,
    pool      TEXT NOT NULL,
    envelope  INTEGER NOT NULL,
    used      INTEGER NOT NULL,
    available INTEGER NOT NULL,
    allowance INTEGER NOT NULL CHECK (allowance >= 0),
    UNIQUE (run, pool)
) STRICT;
CREATE TRIGGER envelopes_no_update BEFORE UPDATE ON envelopes
BEGIN SELECT RAISE(ABORT, 'envelopes are append-only'); END;
CREATE TRIGGER envelopes_no_delete BEFORE DELETE ON envelopes
BEGIN SELECT RAISE(ABORT, 'envelopes are append-only'); END;
