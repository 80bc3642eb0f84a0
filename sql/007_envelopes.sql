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

-- 3. Corrections of a grant's life (DESIGN.md section 10).
--    An allocation run undone, and later the steps of a run's approval,
--    are steps of the run, one row each: the run itself never changes.
CREATE TABLE run_steps (
    id     INTEGER PRIMARY KEY,
    run    INTEGER NOT NULL REFERENCES runs (id) DEFERRABLE INITIALLY DEFERRED,
    step   TEXT NOT NULL
           CHECK (step = 'undone' OR step = 'proposed' OR
                  step = 'certified' OR step = 'approved' OR
                  step = 'rejected'),
    date   TEXT NOT NULL,
    actor  TEXT NOT NULL,
    note   TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX run_steps_run ON run_steps (run, id);
CREATE TRIGGER run_steps_no_update BEFORE UPDATE ON run_steps
BEGIN SELECT RAISE(ABORT, 'run steps are append-only'); END;
CREATE TRIGGER run_steps_no_delete BEFORE DELETE ON run_steps
BEGIN SELECT RAISE(ABORT, 'run steps are append-only'); END;

--    A pending or waitlisted request's details amended: each amendment
--    holds the whole of the new details; the request's current details
--    are its latest amendment's, else its own row's, which stays as it was
--    recorded.
CREATE TABLE amendments (
    id            INTEGER PRIMARY KEY,
    request       TEXT NOT NULL
                  REFERENCES requests (ref) DEFERRABLE INITIALLY DEFERRED,
    delegate      TEXT NOT NULL,
    fare          INTEGER NOT NULL CHECK (fare >= 0),
    fare_currency TEXT NOT NULL,
    gender        TEXT NOT NULL
) STRICT;
CREATE INDEX amendments_request ON amendments (request, id);
CREATE TRIGGER amendments_no_update BEFORE UPDATE ON amendments
BEGIN SELECT RAISE(ABORT, 'amendments are append-only'); END;
CREATE TRIGGER amendments_no_delete BEFORE DELETE ON amendments
BEGIN SELECT RAISE(ABORT, 'amendments are append-only'); END;

--    A grant may now be funded again (after an undo or a reinstatement)
--    and disbursed again (a correction): its commitments, releases and
--    disbursements are no longer one of each per reference. The other
--    kinds keep their reference unique (named one by one, so that a query
--    of one kind can use the index).
DROP INDEX entries_kind_ref;
CREATE UNIQUE INDEX entries_kind_ref ON entries (kind, ref)
    WHERE ref IS NOT NULL
      AND (kind = 'pledge' OR kind = 'receipt' OR kind = 'transfer' OR
           kind = 'spend' OR kind = 'refund' OR kind = 'reversal' OR
           kind = 'adjustment');
CREATE INDEX entries_grant_ref ON entries (kind, ref)
    WHERE kind = 'commitment' OR kind = 'release' OR kind = 'disbursement';

--    The duplicate guard looks a request up by session, country and
--    delegate with case and spaces folded.
CREATE INDEX requests_delegate ON requests
    (session, country, lower(replace(delegate, ' ', '')));

-- 4. Approvals (DESIGN.md section 11; the setting approvals: none,
--    approve or certify-approve). With approvals on, a run that writes is
--    proposed: its decisions are kept here, as it took them, and nothing
--    else changes (no request's state, no entry) until it is approved;
--    the run's steps (run_steps: proposed, certified, approved, rejected)
--    say where it stands. seen_decision and seen_amendment are the
--    request's latest decision and amendment when the run was proposed:
--    its figures hold at the approval only if the request has not moved
--    since.
CREATE TABLE proposals (
    id             INTEGER PRIMARY KEY,
    run            INTEGER NOT NULL
                   REFERENCES runs (id) DEFERRABLE INITIALLY DEFERRED,
    request        TEXT NOT NULL
                   REFERENCES requests (ref) DEFERRABLE INITIALLY DEFERRED,
    status         TEXT NOT NULL,
    reason         TEXT NOT NULL,
    tier           INTEGER,
    fare_base      INTEGER NOT NULL,
    dsa            INTEGER NOT NULL,
    terminal       INTEGER NOT NULL,
    cost           INTEGER NOT NULL,
    psc            INTEGER NOT NULL,
    charge         INTEGER NOT NULL,
    draws          TEXT NOT NULL,
    seen_decision  INTEGER NOT NULL,
    seen_amendment INTEGER NOT NULL,
    UNIQUE (run, request)
) STRICT;
CREATE TRIGGER proposals_no_update BEFORE UPDATE ON proposals
BEGIN SELECT RAISE(ABORT, 'proposals are append-only'); END;
CREATE TRIGGER proposals_no_delete BEFORE DELETE ON proposals
BEGIN SELECT RAISE(ABORT, 'proposals are append-only'); END;

--    A disbursement with approvals on is a payment request, posted when
--    approved: what disburse was given (amount and currency NULL: the
--    imported cost), who asked, and its steps.
CREATE TABLE payments (
    id       INTEGER PRIMARY KEY,
    request  TEXT NOT NULL
             REFERENCES requests (ref) DEFERRABLE INITIALLY DEFERRED,
    date     TEXT,
    amount   INTEGER,
    currency TEXT,
    force    INTEGER NOT NULL CHECK (force = 0 OR force = 1),
    correct  INTEGER NOT NULL CHECK (correct = 0 OR correct = 1),
    actor    TEXT NOT NULL
) STRICT;
CREATE INDEX payments_request ON payments (request);
CREATE TRIGGER payments_no_update BEFORE UPDATE ON payments
BEGIN SELECT RAISE(ABORT, 'payments are append-only'); END;
CREATE TRIGGER payments_no_delete BEFORE DELETE ON payments
BEGIN SELECT RAISE(ABORT, 'payments are append-only'); END;

CREATE TABLE payment_steps (
    id      INTEGER PRIMARY KEY,
    payment INTEGER NOT NULL
            REFERENCES payments (id) DEFERRABLE INITIALLY DEFERRED,
    step    TEXT NOT NULL
            CHECK (step = 'certified' OR step = 'approved' OR
                   step = 'rejected'),
    date    TEXT NOT NULL,
    actor   TEXT NOT NULL,
    note    TEXT NOT NULL DEFAULT '',
    entry   INTEGER REFERENCES entries (id) DEFERRABLE INITIALLY DEFERRED
) STRICT;
CREATE INDEX payment_steps_payment ON payment_steps (payment, id);
CREATE TRIGGER payment_steps_no_update BEFORE UPDATE ON payment_steps
BEGIN SELECT RAISE(ABORT, 'payment steps are append-only'); END;
CREATE TRIGGER payment_steps_no_delete BEFORE DELETE ON payment_steps
BEGIN SELECT RAISE(ABORT, 'payment steps are append-only'); END;
