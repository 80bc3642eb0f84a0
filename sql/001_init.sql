-- tfund schema, version 1: reference data, the journal and the domain
-- records of contributions. The journal (entries, postings) and the
-- records that point into it are append-only: triggers refuse UPDATE and
-- DELETE, whoever writes to the file.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE countries (
    iso3         TEXT PRIMARY KEY CHECK (length(iso3) = 3),
    m49          TEXT NOT NULL,
    name         TEXT NOT NULL,
    un_status    TEXT NOT NULL,
    region_group TEXT NOT NULL DEFAULT '',
    ldc_from     TEXT NOT NULL DEFAULT '',
    ldc_until    TEXT NOT NULL DEFAULT '',
    sids         INTEGER NOT NULL CHECK (sids IN (0, 1)),
    lldc         INTEGER NOT NULL CHECK (lldc IN (0, 1)),
    developing   INTEGER NOT NULL CHECK (developing IN (0, 1))
) STRICT;

CREATE TABLE rates (
    currency TEXT NOT NULL,
    date     TEXT NOT NULL,
    per_usd  TEXT NOT NULL,
    PRIMARY KEY (currency, date)
) STRICT, WITHOUT ROWID;

CREATE TABLE donors (
    id      TEXT PRIMARY KEY,
    name    TEXT NOT NULL,
    type    TEXT NOT NULL
            CHECK (type IN ('state', 'igo', 'private', 'foundation', 'other')),
    country TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE entries (
    id        INTEGER PRIMARY KEY,
    date      TEXT NOT NULL,
    kind      TEXT NOT NULL,
    memo      TEXT NOT NULL DEFAULT '',
    ref       TEXT,
    reverses  INTEGER REFERENCES entries (id),
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX entries_kind_ref ON entries (kind, ref)
    WHERE ref IS NOT NULL;
CREATE INDEX entries_date ON entries (date);
CREATE UNIQUE INDEX entries_reverses ON entries (reverses)
    WHERE reverses IS NOT NULL;

CREATE TABLE postings (
    id            INTEGER PRIMARY KEY,
    entry         INTEGER NOT NULL REFERENCES entries (id),
    account       TEXT NOT NULL,
    pool          TEXT NOT NULL
                  CHECK (pool IN ('unrestricted', 'travel', 'ldc-travel',
                                  'prep')),
    amount        INTEGER NOT NULL,
    orig_amount   INTEGER,
    orig_currency TEXT,
    rate          TEXT
) STRICT;
CREATE INDEX postings_entry ON postings (entry);
CREATE INDEX postings_account ON postings (account, pool);

-- Running balance of every account in every pool, so that a balance
-- query does not scan the journal. verify checks it against the postings.
CREATE TABLE balances (
    account TEXT NOT NULL,
    pool    TEXT NOT NULL,
    balance INTEGER NOT NULL,
    PRIMARY KEY (account, pool)
) STRICT, WITHOUT ROWID;

-- The head of the hash chain: lets verify notice entries cut off the end.
CREATE TABLE chain (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    last_entry INTEGER NOT NULL,
    last_hash  TEXT NOT NULL
) STRICT;
INSERT INTO chain (id, last_entry, last_hash) VALUES (1, 0, '');

CREATE TABLE pledges (
    ref         TEXT PRIMARY KEY,
    donor       TEXT NOT NULL REFERENCES donors (id),
    date        TEXT NOT NULL,
    amount      INTEGER NOT NULL CHECK (amount > 0),
    currency    TEXT NOT NULL,
    pool        TEXT NOT NULL,
    due         TEXT,
    rate        TEXT NOT NULL,
    base_amount INTEGER NOT NULL,
    implicit    INTEGER NOT NULL DEFAULT 0,
    entry       INTEGER NOT NULL REFERENCES entries (id)
) STRICT;
CREATE INDEX pledges_donor ON pledges (donor);

CREATE TABLE receipts (
    ref         TEXT PRIMARY KEY,
    pledge      TEXT NOT NULL REFERENCES pledges (ref),
    date        TEXT NOT NULL,
    amount      INTEGER NOT NULL CHECK (amount > 0),
    currency    TEXT NOT NULL,
    rate        TEXT NOT NULL,
    base_amount INTEGER NOT NULL,
    relieved    INTEGER NOT NULL,
    entry       INTEGER NOT NULL REFERENCES entries (id)
) STRICT;
CREATE INDEX receipts_pledge ON receipts (pledge);

CREATE TABLE sessions (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    venue         TEXT NOT NULL,
    start         TEXT NOT NULL,
    days          INTEGER NOT NULL CHECK (days > 0),
    dsa           INTEGER NOT NULL CHECK (dsa >= 0),
    terminal      INTEGER NOT NULL CHECK (terminal >= 0),
    extra_days    INTEGER NOT NULL DEFAULT 1 CHECK (extra_days >= 0),
    travel_budget INTEGER CHECK (travel_budget >= 0)
) STRICT;

-- Append-only: the journal and the records booked through it.
CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'entries are append-only'); END;
CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'entries are append-only'); END;
CREATE TRIGGER postings_no_update BEFORE UPDATE ON postings
BEGIN SELECT RAISE(ABORT, 'postings are append-only'); END;
CREATE TRIGGER postings_no_delete BEFORE DELETE ON postings
BEGIN SELECT RAISE(ABORT, 'postings are append-only'); END;
CREATE TRIGGER pledges_no_update BEFORE UPDATE ON pledges
BEGIN SELECT RAISE(ABORT, 'pledges are append-only'); END;
CREATE TRIGGER pledges_no_delete BEFORE DELETE ON pledges
BEGIN SELECT RAISE(ABORT, 'pledges are append-only'); END;
CREATE TRIGGER receipts_no_update BEFORE UPDATE ON receipts
BEGIN SELECT RAISE(ABORT, 'receipts are append-only'); END;
CREATE TRIGGER receipts_no_delete BEFORE DELETE ON receipts
BEGIN SELECT RAISE(ABORT, 'receipts are append-only'); END;
CREATE TRIGGER rates_no_update BEFORE UPDATE ON rates
BEGIN SELECT RAISE(ABORT, 'rates are append-only'); END;
CREATE TRIGGER rates_no_delete BEFORE DELETE ON rates
BEGIN SELECT RAISE(ABORT, 'rates are append-only'); END;
CREATE TRIGGER donors_no_delete BEFORE DELETE ON donors
BEGIN SELECT RAISE(ABORT, 'donors are never deleted'); END;
CREATE TRIGGER sessions_no_delete BEFORE DELETE ON sessions
BEGIN SELECT RAISE(ABORT, 'sessions are never deleted'); END;

-- A closed period accepts no entry dated on or before its date.
CREATE TRIGGER entries_closed_period BEFORE INSERT ON entries
WHEN NEW.date <= (SELECT value FROM settings WHERE key = 'closed_through')
BEGIN SELECT RAISE(ABORT, 'the period is closed'); END;
CREATE TRIGGER settings_period_forward BEFORE UPDATE ON settings
WHEN OLD.key = 'closed_through' AND NEW.value <= OLD.value
BEGIN SELECT RAISE(ABORT, 'a closed period cannot be reopened'); END;
CREATE TRIGGER settings_base_fixed BEFORE UPDATE ON settings
WHEN OLD.key = 'base_currency' AND NEW.value <> OLD.value
     AND EXISTS (SELECT 1 FROM entries)
BEGIN SELECT RAISE(ABORT, 'the base currency is fixed once entries exist'); END;
CREATE TRIGGER settings_no_delete BEFORE DELETE ON settings
BEGIN SELECT RAISE(ABORT, 'settings are never deleted'); END;
