-- The index key: the key of every keyed hash (lookup key) in the database, sealed with the
-- data key ring like any sealed value (issue 12). One row. key_id names the key every hash
-- was made with; rotating the ring re-seals the row but never changes the key, so the hashes
-- stay valid. The first start stores the key the data key derived until now.
CREATE TABLE index_key (
    singleton SMALLINT NOT NULL PRIMARY KEY CHECK (singleton = 1),
    key_id    TEXT     NOT NULL,
    sealed    BYTEA    NOT NULL
);
