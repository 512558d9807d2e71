-- The Viewer's recipient side (SPEC §14): access codes, Viewer sessions, replies, forwards,
-- withdrawal and retention. Hashes only: no code, session token or address in clear.

-- Replies a recipient has sent on this message (at most two), and wrong forwarding
-- passwords tried (a cap on guessing).
ALTER TABLE viewer_recipients ADD COLUMN replies INTEGER NOT NULL DEFAULT 0 CHECK (replies >= 0);
ALTER TABLE viewer_recipients ADD COLUMN forward_failures INTEGER NOT NULL DEFAULT 0
    CHECK (forward_failures >= 0);
-- Forwards made of this message (at most two).
ALTER TABLE viewer_messages ADD COLUMN forwards INTEGER NOT NULL DEFAULT 0 CHECK (forwards >= 0);

-- Retention and withdrawal clear content and key; the sweep finds the rest by these.
CREATE INDEX viewer_messages_withdrawn_at ON viewer_messages (withdrawn_at);
CREATE INDEX viewer_messages_reference ON viewer_messages (reference);

-- One live access code per recipient link and browser: a stranger's request makes a code of
-- their own, it neither voids nor spends the recipient's. code_hash is a keyed hash (the data
-- key's HMAC) over link, browser and code.
CREATE TABLE viewer_codes (
    link_hash   BLOB    NOT NULL CHECK (length(link_hash) = 32),
    device_hash BLOB    NOT NULL CHECK (length(device_hash) = 32),
    code_hash   BLOB    NOT NULL CHECK (length(code_hash) = 32),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    attempts    INTEGER NOT NULL CHECK (attempts >= 0),
    PRIMARY KEY (link_hash, device_hash)
) STRICT, WITHOUT ROWID;

CREATE INDEX viewer_codes_expires_at ON viewer_codes (expires_at);

-- One row per code sent, for the request limits; pruned after a day.
CREATE TABLE viewer_code_requests (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    link_hash   BLOB    NOT NULL CHECK (length(link_hash) = 32),
    device_hash BLOB    NOT NULL CHECK (length(device_hash) = 32),
    at          INTEGER NOT NULL
) STRICT;

CREATE INDEX viewer_code_requests_link_at ON viewer_code_requests (link_hash, at);
CREATE INDEX viewer_code_requests_at ON viewer_code_requests (at);

-- A Viewer session opens one recipient's message, by the SHA-256 of its cookie.
CREATE TABLE viewer_sessions (
    token_hash   BLOB    NOT NULL PRIMARY KEY CHECK (length(token_hash) = 32),
    link_hash    BLOB    NOT NULL CHECK (length(link_hash) = 32),
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX viewer_sessions_last_used_at ON viewer_sessions (last_used_at);
