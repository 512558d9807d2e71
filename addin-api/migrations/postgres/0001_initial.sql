-- Hashes are 32-byte keyed hashes (HMAC-SHA-256) or SHA-256 digests; *_sealed and
-- sealed_phone are AES-GCM blobs. No address, phone number or token is stored in clear.
-- Times are Unix seconds.

CREATE TABLE sessions (
    token_hash     BYTEA  NOT NULL PRIMARY KEY CHECK (octet_length(token_hash) = 32),
    device_hash    BYTEA  NOT NULL CHECK (octet_length(device_hash) = 32),
    mailbox_hash   BYTEA  NOT NULL CHECK (octet_length(mailbox_hash) = 32),
    mailbox_sealed BYTEA  NOT NULL,
    method         TEXT   NOT NULL,
    created_at     BIGINT NOT NULL,
    last_used_at   BIGINT NOT NULL
);

-- delete_sessions_of ends every session of one mailbox.
CREATE INDEX sessions_mailbox_hash ON sessions (mailbox_hash);

CREATE TABLE pairings (
    owner_hash     BYTEA  NOT NULL CHECK (octet_length(owner_hash) = 32),
    recipient_hash BYTEA  NOT NULL CHECK (octet_length(recipient_hash) = 32),
    sealed_phone   BYTEA  NOT NULL,
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (owner_hash, recipient_hash)
);

CREATE TABLE settings (
    owner_hash         BYTEA  NOT NULL PRIMARY KEY CHECK (octet_length(owner_hash) = 32),
    language           TEXT,
    send_delay_seconds BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);

CREATE TABLE audit_log (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at              BIGINT NOT NULL,
    kind            TEXT   NOT NULL,
    mailbox_hash    BYTEA  NOT NULL CHECK (octet_length(mailbox_hash) = 32),
    token_id        TEXT,
    recipient_count BIGINT NOT NULL,
    routes          TEXT,
    codes           TEXT
);

-- The audit trail is read, and kept for its retention period, by time range.
CREATE INDEX audit_log_at ON audit_log (at);

-- At most one row: the last directory document that loaded.
CREATE TABLE directory_snapshot (
    id            SMALLINT NOT NULL PRIMARY KEY CHECK (id = 1),
    json          TEXT     NOT NULL,
    etag          TEXT,
    last_modified TEXT,
    loaded_at     BIGINT   NOT NULL
);
