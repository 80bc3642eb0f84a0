-- tfund schema, version 2: travel requests, allocation runs and their
-- decisions, draws on pools, and actual travel costs.

CREATE TABLE requests (
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
                  CHECK (status IN ('pending', 'funded', 'waitlisted',
                                    'rejected', 'disbursed', 'cancelled')),
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
CREATE INDEX requests_session ON requests (session, status);

-- One allocation run of one session.
CREATE TABLE runs (
    id       INTEGER PRIMARY KEY,
    session  TEXT NOT NULL REFERENCES sessions (id),
    date     TEXT NOT NULL,
    options  TEXT NOT NULL,
    share    TEXT NOT NULL
) STRICT;

-- Every decision ever taken, in order: the audit trail of requests.
CREATE TABLE decisions (
    id       INTEGER PRIMARY KEY,
    run      INTEGER REFERENCES runs (id),
    request  TEXT NOT NULL REFERENCES requests (ref),
    date     TEXT NOT NULL,
    status   TEXT NOT NULL,
    reason   TEXT NOT NULL,
    charge   INTEGER,
    note     TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX decisions_request ON decisions (request);

-- What a funded grant drew from each pool, in draw order.
CREATE TABLE draws (
    request  TEXT NOT NULL REFERENCES requests (ref),
    seq      INTEGER NOT NULL,
    pool     TEXT NOT NULL,
    amount   INTEGER NOT NULL CHECK (amount > 0),
    entry    INTEGER NOT NULL REFERENCES entries (id),
    PRIMARY KEY (request, seq)
) STRICT;

-- Actual travel costs, recorded after the trip.
CREATE TABLE costs (
    ref      TEXT PRIMARY KEY REFERENCES requests (ref),
    date     TEXT NOT NULL,
    amount   INTEGER NOT NULL CHECK (amount >= 0),
    currency TEXT NOT NULL
) STRICT;

-- A request's identity never changes; only its decision does.
CREATE TRIGGER requests_fixed BEFORE UPDATE OF ref, session, country,
    delegate, submitted, fare, fare_currency, gender ON requests
BEGIN SELECT RAISE(ABORT, 'a request''s details are never changed'); END;
CREATE TRIGGER requests_no_delete BEFORE DELETE ON requests
BEGIN SELECT RAISE(ABORT, 'requests are never deleted'); END;
CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
CREATE TRIGGER draws_no_update BEFORE UPDATE ON draws
BEGIN SELECT RAISE(ABORT, 'draws are append-only'); END;
CREATE TRIGGER draws_no_delete BEFORE DELETE ON draws
BEGIN SELECT RAISE(ABORT, 'draws are append-only'); END;
CREATE TRIGGER runs_no_update BEFORE UPDATE ON runs
BEGIN SELECT RAISE(ABORT, 'runs are append-only'); END;
CREATE TRIGGER runs_no_delete BEFORE DELETE ON runs
BEGIN SELECT RAISE(ABORT, 'runs are append-only'); END;
CREATE TRIGGER costs_no_update BEFORE UPDATE ON costs
BEGIN SELECT RAISE(ABORT, 'costs are append-only'); END;
CREATE TRIGGER costs_no_delete BEFORE DELETE ON costs
BEGIN SELECT RAISE(ABORT, 'costs are append-only'); END;
