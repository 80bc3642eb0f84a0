-- tfund schema, version 3: conference-preparation spending, transfers
-- between pools (surplus routed to preparation) and refunds at closing.

CREATE TABLE spends (
    ref         TEXT PRIMARY KEY,
    date        TEXT NOT NULL,
    amount      INTEGER NOT NULL CHECK (amount > 0),
    currency    TEXT NOT NULL,
    memo        TEXT NOT NULL DEFAULT '',
    base_amount INTEGER NOT NULL,
    psc         INTEGER NOT NULL,
    entry       INTEGER NOT NULL REFERENCES entries (id)
) STRICT;

-- One leg of a transfer entry: money moved from one pool to another.
CREATE TABLE transfers (
    entry     INTEGER NOT NULL REFERENCES entries (id),
    from_pool TEXT NOT NULL,
    to_pool   TEXT NOT NULL,
    amount    INTEGER NOT NULL CHECK (amount > 0),
    PRIMARY KEY (entry, from_pool, to_pool)
) STRICT;

-- Refunds payable to donors when the fund closes.
CREATE TABLE refunds (
    entry   INTEGER NOT NULL REFERENCES entries (id),
    donor   TEXT NOT NULL REFERENCES donors (id),
    pool    TEXT NOT NULL,
    amount  INTEGER NOT NULL CHECK (amount > 0),
    PRIMARY KEY (entry, donor)
) STRICT;

CREATE TRIGGER spends_no_update BEFORE UPDATE ON spends
BEGIN SELECT RAISE(ABORT, 'spending is append-only'); END;
CREATE TRIGGER spends_no_delete BEFORE DELETE ON spends
BEGIN SELECT RAISE(ABORT, 'spending is append-only'); END;
CREATE TRIGGER transfers_no_update BEFORE UPDATE ON transfers
BEGIN SELECT RAISE(ABORT, 'transfers are append-only'); END;
CREATE TRIGGER transfers_no_delete BEFORE DELETE ON transfers
BEGIN SELECT RAISE(ABORT, 'transfers are append-only'); END;
CREATE TRIGGER refunds_no_update BEFORE UPDATE ON refunds
BEGIN SELECT RAISE(ABORT, 'refunds are append-only'); END;
CREATE TRIGGER refunds_no_delete BEFORE DELETE ON refunds
BEGIN SELECT RAISE(ABORT, 'refunds are append-only'); END;
-- Once closed, a fund stays closed.
CREATE TRIGGER settings_closed_final BEFORE UPDATE ON settings
WHEN OLD.key = 'closed_on'
BEGIN SELECT RAISE(ABORT, 'a closed fund cannot be reopened'); END;
