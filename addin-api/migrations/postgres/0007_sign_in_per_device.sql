-- Sign-in that a stranger cannot spoil (SPEC §8): a pending code and its tries belong to the
-- mailbox *and the device* (panel) that asked for it, so another device can neither void nor
-- burn it. Codes live 15 minutes: the old table's few rows are simply dropped.
DROP TABLE sign_in_requests;
DROP TABLE sign_in_codes;

CREATE TABLE sign_in_codes (
    mailbox_hash BYTEA  NOT NULL CHECK (octet_length(mailbox_hash) = 32),
    device_hash  BYTEA  NOT NULL CHECK (octet_length(device_hash) = 32),
    code_hash    BYTEA  NOT NULL CHECK (octet_length(code_hash) = 32),
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    attempts     BIGINT NOT NULL CHECK (attempts >= 0),
    PRIMARY KEY (mailbox_hash, device_hash)
);

CREATE INDEX sign_in_codes_expires_at ON sign_in_codes (expires_at);

-- Devices that signed in to a mailbox before: the mailbox-wide limits, which a stranger can
-- reach, do not apply to them, so the owner's own panels cannot be locked out.
CREATE TABLE known_devices (
    mailbox_hash    BYTEA  NOT NULL CHECK (octet_length(mailbox_hash) = 32),
    device_hash     BYTEA  NOT NULL CHECK (octet_length(device_hash) = 32),
    last_sign_in_at BIGINT NOT NULL,
    PRIMARY KEY (mailbox_hash, device_hash)
);

-- Sliding-window rate limits shared by every instance: one row per counted event in a
-- bucket, a keyed hash of what is limited (a mailbox, a mailbox and device, a client
-- network). Rows older than the longest window are pruned.
CREATE TABLE rate_events (
    id     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    bucket BYTEA  NOT NULL CHECK (octet_length(bucket) = 32),
    at     BIGINT NOT NULL
);

CREATE INDEX rate_events_bucket_at ON rate_events (bucket, at);
CREATE INDEX rate_events_at ON rate_events (at);
