-- A Viewer message's encrypted content and sealed key move to a table of their own, as in
-- SQLite (where a large value in the row makes every read and update of the row pay for it):
-- one schema for both backends. Deleting the content is now deleting its row.

CREATE TABLE viewer_contents (
    message_id TEXT  NOT NULL PRIMARY KEY REFERENCES viewer_messages (id) ON DELETE CASCADE,
    sealed_key BYTEA NOT NULL,
    -- What the message page shows, encrypted with the message's key (see the SQLite
    -- migration); NULL for a message stored before this migration.
    summary    BYTEA,
    content    BYTEA NOT NULL
);

-- The sweep deletes the content of the messages it marked, found by when.
CREATE INDEX viewer_messages_deleted_at ON viewer_messages (deleted_at);

INSERT INTO viewer_contents (message_id, sealed_key, content)
    SELECT id, sealed_key, content FROM viewer_messages
    WHERE sealed_key IS NOT NULL AND content IS NOT NULL;

ALTER TABLE viewer_messages DROP COLUMN sealed_key, DROP COLUMN content;
