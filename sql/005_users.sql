-- tfund schema, version 5: the users of a team fund (roles, logins,
-- passwords).
--
-- A user is never edited in place: every change (added, disabled, a new
-- password) is a new row, the user's next version, holding the whole of
-- its state after the change. The current state of a user is its latest
-- version (users_current), so every row ever written stays as it was and
-- whatever hashes the rows a command inserted covers users too.
--
-- A fund with no row here is a single-user fund; from the first row on it
-- is a team fund, and the first row must make an admin.

CREATE TABLE users (
    seq      INTEGER PRIMARY KEY,
    id       TEXT NOT NULL,
    version  INTEGER NOT NULL CHECK (version >= 1),
    name     TEXT NOT NULL,
    -- Comma-separated, in the order admin, recorder, programme,
    -- certifying, approving, auditor, donor.
    roles    TEXT NOT NULL CHECK (roles <> ''),
    -- The operating-system login mapped to the user (NULL: browser only).
    login    TEXT,
    donor    TEXT REFERENCES donors (id),
    -- An Argon2id hash in libsodium's string form (NULL: none set yet).
    password TEXT CHECK (password IS NULL OR password LIKE '$argon2id$%'),
    disabled INTEGER NOT NULL CHECK (disabled = 0 OR disabled = 1),
    -- What this version changed, when (UTC) and by whom.
    change   TEXT NOT NULL
             CHECK (change = 'add' OR change = 'disable' OR
                    change = 'password'),
    at       TEXT NOT NULL,
    actor    TEXT NOT NULL,
    UNIQUE (id, version),
    CHECK ((instr(',' || roles || ',', ',donor,') > 0) = (donor IS NOT NULL))
) STRICT;
CREATE INDEX users_login ON users (login) WHERE login IS NOT NULL;

-- Each user's latest version, with when it was added.
CREATE VIEW users_current AS
SELECT u.id, u.version, u.name, u.roles, u.login, u.donor, u.password,
       u.disabled, u.change, u.at,
       (SELECT f.at FROM users f WHERE f.id = u.id AND f.version = 1)
           AS created
FROM users u
WHERE u.version = (SELECT max(v.version) FROM users v WHERE v.id = u.id);

CREATE TRIGGER users_no_update BEFORE UPDATE ON users
BEGIN SELECT RAISE(ABORT, 'users are append-only: a change is a new version'); END;
CREATE TRIGGER users_no_delete BEFORE DELETE ON users
BEGIN SELECT RAISE(ABORT, 'users are append-only: a change is a new version'); END;

-- Versions follow one another; an id and a user's bindings never change.
CREATE TRIGGER users_versions BEFORE INSERT ON users
WHEN NEW.version <> 1 + coalesce((SELECT max(version) FROM users
                                  WHERE id = NEW.id), 0)
BEGIN SELECT RAISE(ABORT, 'a user''s versions follow one another'); END;
CREATE TRIGGER users_first_admin BEFORE INSERT ON users
WHEN NOT EXISTS (SELECT 1 FROM users)
     AND instr(',' || NEW.roles || ',', ',admin,') = 0
BEGIN SELECT RAISE(ABORT, 'the first user of a fund must be an admin'); END;
CREATE TRIGGER users_one_login BEFORE INSERT ON users
WHEN NEW.login IS NOT NULL AND NEW.disabled = 0
     AND EXISTS (SELECT 1 FROM users_current c
                 WHERE c.login = NEW.login AND c.id <> NEW.id
                   AND c.disabled = 0)
BEGIN SELECT RAISE(ABORT, 'a login is mapped to one active user'); END;
