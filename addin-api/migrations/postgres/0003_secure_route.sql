-- The secure route (SPEC §7, §13, §14): dispatches, what the relay handed over, and the
-- Viewer's messages. As everywhere: no address, phone number, subject or content in clear.

-- What was checked before a send token was issued, under the token's jti (128 random bits,
-- the only thing the mail's header carries). `sealed` is the dispatch as JSON, AES-GCM under
-- the data key. The relay moves `state` issued → delivering → delivered (or failed, to be
-- retried by Exchange); `message_hash` (SHA-256 of the Message-ID) ties the jti to the one
-- message that may use it.
CREATE TABLE dispatches (
    token_id     TEXT    NOT NULL PRIMARY KEY,
    owner_hash   BYTEA    NOT NULL CHECK (octet_length(owner_hash) = 32),
    sealed       BYTEA    NOT NULL,
    issued_at    BIGINT NOT NULL,
    message_hash BYTEA    CHECK (octet_length(message_hash) = 32),
    state        TEXT    NOT NULL DEFAULT 'issued'
                 CHECK (state IN ('issued', 'delivering', 'delivered', 'failed')),
    state_at     BIGINT
);

-- The parts of a relayed message already handed to the next hop ("next-hop:3" for the
-- dispatch's fourth recipient, "notification:0", "confirmation"), so Exchange's retry after a
-- failure sends none of them twice.
CREATE TABLE dispatch_handovers (
    token_id TEXT    NOT NULL REFERENCES dispatches (token_id) ON DELETE CASCADE,
    part     TEXT    NOT NULL,
    at       BIGINT NOT NULL,
    PRIMARY KEY (token_id, part)
);

-- A message stored for Viewer recipients (SPEC §14): `content` is the message as received
-- (token header removed), AES-256-GCM under a key of its own; `sealed_key` is that key sealed
-- with the data key. Retention and withdrawal delete both (the row stays for the audit).
-- `reference` is the kenmerk the sender quotes; `withdraw_hash` the SHA-256 of the secret in
-- the sender's withdraw link.
CREATE TABLE viewer_messages (
    id            TEXT    NOT NULL PRIMARY KEY,
    token_id      TEXT    NOT NULL UNIQUE REFERENCES dispatches (token_id),
    owner_hash    BYTEA    NOT NULL CHECK (octet_length(owner_hash) = 32),
    reference     TEXT    NOT NULL UNIQUE,
    withdraw_hash BYTEA    NOT NULL UNIQUE CHECK (octet_length(withdraw_hash) = 32),
    sealed_key    BYTEA,
    content       BYTEA,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    withdrawn_at  BIGINT,
    deleted_at    BIGINT
);

-- Retention finds expired messages by time.
CREATE INDEX viewer_messages_expires_at ON viewer_messages (expires_at);

-- One row per Viewer recipient: `link_hash` is the SHA-256 of the secret in the recipient's
-- "Bericht lezen" link; `sealed` holds the address, phone and language, under the data key.
CREATE TABLE viewer_recipients (
    link_hash  BYTEA    NOT NULL PRIMARY KEY CHECK (octet_length(link_hash) = 32),
    message_id TEXT    NOT NULL REFERENCES viewer_messages (id) ON DELETE CASCADE,
    position   BIGINT NOT NULL,
    sealed     BYTEA    NOT NULL,
    UNIQUE (message_id, position)
);
