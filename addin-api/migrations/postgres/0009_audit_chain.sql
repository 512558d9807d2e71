-- The audit trail records sign-in events beside the send events, and is hash-chained so
-- that editing or deleting a record shows (issue 12). Each record keeps who (mailbox_hash),
-- as whom (sender_hash: a shared mailbox sent from), from which device and client network,
-- all as keyed hashes. `seq` is the record's place in the chain and `hash` its link: a keyed
-- hash over the record, its seq and the link before it. Records from before the chain keep
-- seq NULL. A refused Entra ID token names no mailbox, so mailbox_hash may be NULL.
ALTER TABLE audit_log
    ALTER COLUMN mailbox_hash DROP NOT NULL,
    ADD COLUMN seq          BIGINT UNIQUE,
    ADD COLUMN sender_hash  BYTEA CHECK (octet_length(sender_hash) = 32),
    ADD COLUMN device_hash  BYTEA CHECK (octet_length(device_hash) = 32),
    ADD COLUMN network_hash BYTEA CHECK (octet_length(network_hash) = 32),
    ADD COLUMN prev_hash    BYTEA CHECK (octet_length(prev_hash) = 32),
    ADD COLUMN hash         BYTEA CHECK (octet_length(hash) = 32);

-- One row: the chain's head (the last record's seq and link, which appends advance under
-- this row's lock) and its anchor (the last record retention deleted, where verifying starts).
CREATE TABLE audit_chain (
    id          SMALLINT NOT NULL PRIMARY KEY CHECK (id = 1),
    head_seq    BIGINT   NOT NULL,
    head_hash   BYTEA    NOT NULL CHECK (octet_length(head_hash) = 32),
    anchor_seq  BIGINT   NOT NULL,
    anchor_hash BYTEA    NOT NULL CHECK (octet_length(anchor_hash) = 32)
);
INSERT INTO audit_chain (id, head_seq, head_hash, anchor_seq, anchor_hash)
    VALUES (1, 0, decode(repeat('00', 32), 'hex'), 0, decode(repeat('00', 32), 'hex'));
