-- Hashes are 32-byte keyed hashes (HMAC-SHA-256) or SHA-256 digests; *_sealed and
-- sealed_phone are AES-GCM blobs. No address, phone number or token is stored in clear.
-- Times are Unix seconds. STRICT makes SQLite enforce the column types, as PostgreSQL does.
-- WITHOUT ROWID keeps each small keyed table in one B-tree ordered by its primary key.

CREATE TABLE sessions (
    token_hash     BLOB    NOT NULL PRIMARY KEY CHECK (length(token_hash) = 32),
    device_hash    BLOB    NOT NULL CHECK (length(device_hash) = 32),
    mailbox_hash   BLOB    NOT NULL CHECK (length(mailbox_hash) = 32),
    mailbox_sealed BLOB    NOT NULL,
    method         TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    last_used_at   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- delete_sessions_of ends every session of one mailbox.
CREATE INDEX sessions_mailbox_hash ON sessions (mailbox_hash);

CREATE TABLE pairings (
    owner_hash     BLOB    NOT NULL CHECK (length(owner_hash) = 32),
    recipient_hash BLOB    NOT NULL CHECK (length(recipient_hash) = 32),
    sealed_phone   BLOB    NOT NULL,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (owner_hash, recipient_hash)
) STRICT, WITHOUT ROWID;

CREATE TABLE settings (
    owner_hash         BLOB    NOT NULL PRIMARY KEY CHECK (length(owner_hash) = 32),
    language           TEXT,
    send_delay_seconds INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- AUTOINCREMENT: an audit entry's id is never reused, even after old entries are pruned.
CREATE TABLE audit_log (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    at              INTEGER NOT NULL,
    kind            TEXT    NOT NULL,
    mailbox_hash    BLOB    NOT NULL CHECK (length(mailbox_hash) = 32),
    token_id        TEXT,
    recipient_count INTEGER NOT NULL,
    routes          TEXT,
    codes           TEXT
) STRICT;

-- The audit trail is read, and kept for its retention period, by time range.
CREATE INDEX audit_log_at ON audit_log (at);

-- At most one row: the last directory document that loaded.
CREATE TABLE directory_snapshot (
    id            INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    json          TEXT    NOT NULL,
    etag          TEXT,
    last_modified TEXT,
    loaded_at     INTEGER NOT NULL
) STRICT;
