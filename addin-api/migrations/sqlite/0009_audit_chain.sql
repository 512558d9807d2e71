-- The audit trail records sign-in events beside the send events, and is hash-chained so
-- that editing or deleting a record shows (issue 12). Each record keeps who (mailbox_hash),
-- as whom (sender_hash: a shared mailbox sent from), from which device and client network,
-- all as keyed hashes. `seq` is the record's place in the chain and `hash` its link: a keyed
-- hash over the record, its seq and the link before it. Records from before the chain keep
-- seq NULL. A refused Entra ID token names no mailbox, so mailbox_hash may be NULL.
CREATE TABLE audit_log_chained (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    seq             INTEGER UNIQUE,
    at              INTEGER NOT NULL,
    kind            TEXT    NOT NULL,
    mailbox_hash    BLOB    CHECK (length(mailbox_hash) = 32),
    sender_hash     BLOB    CHECK (length(sender_hash) = 32),
    device_hash     BLOB    CHECK (length(device_hash) = 32),
    network_hash    BLOB    CHECK (length(network_hash) = 32),
    token_id        TEXT,
    recipient_count INTEGER NOT NULL,
    routes          TEXT,
    codes           TEXT,
    prev_hash       BLOB    CHECK (length(prev_hash) = 32),
    hash            BLOB    CHECK (length(hash) = 32)
) STRICT;
INSERT INTO audit_log_chained (id, at, kind, mailbox_hash, token_id, recipient_count, routes, codes)
    SELECT id, at, kind, mailbox_hash, token_id, recipient_count, routes, codes FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_chained RENAME TO audit_log;
CREATE INDEX audit_log_at ON audit_log (at);

-- One row: the chain's head (the last record's seq and link, which appends advance under
-- this row's lock) and its anchor (the last record retention deleted, where verifying starts).
CREATE TABLE audit_chain (
    id          INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    head_seq    INTEGER NOT NULL,
    head_hash   BLOB    NOT NULL CHECK (length(head_hash) = 32),
    anchor_seq  INTEGER NOT NULL,
    anchor_hash BLOB    NOT NULL CHECK (length(anchor_hash) = 32)
) STRICT;
INSERT INTO audit_chain (id, head_seq, head_hash, anchor_seq, anchor_hash)
    VALUES (1, 0, zeroblob(32), 0, zeroblob(32));
