-- Sign-in by e-mail code (SPEC §8).
--
-- One live code per mailbox: a new code replaces the row. code_hash is a keyed hash
-- (HMAC-SHA-256 with the data key) over the mailbox, the device and the code: eight digits
-- are too few to keep from a brute force over a plain hash, so a copy of the database alone
-- must not be enough. attempts counts the tries made on this code; a code with as many tries
-- as allowed is refused even when right.
CREATE TABLE sign_in_codes (
    mailbox_hash BYTEA  NOT NULL PRIMARY KEY CHECK (octet_length(mailbox_hash) = 32),
    code_hash    BYTEA  NOT NULL CHECK (octet_length(code_hash) = 32),
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    attempts     BIGINT NOT NULL CHECK (attempts >= 0)
);

-- Expired codes are pruned by time.
CREATE INDEX sign_in_codes_expires_at ON sign_in_codes (expires_at);

-- One row per code sent, for the per-mailbox rate limit; rows older than the longest limit
-- window are pruned.
CREATE TABLE sign_in_requests (
    mailbox_hash BYTEA  NOT NULL CHECK (octet_length(mailbox_hash) = 32),
    at           BIGINT NOT NULL
);

-- Counting one mailbox's recent codes, and pruning everyone's old ones.
CREATE INDEX sign_in_requests_mailbox_at ON sign_in_requests (mailbox_hash, at);
CREATE INDEX sign_in_requests_at ON sign_in_requests (at);
