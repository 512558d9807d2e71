-- A Viewer message's encrypted content and sealed key move to a table of their own. In SQLite
-- the columns after a large value are reached through its overflow pages, and an update of
-- any column rewrites the whole row: with a 20 MB message in the row, every page view and
-- every counted forward read or wrote 20 MB. Deleting the content is now deleting its row.
-- For the same reason the content is the last column.

CREATE TABLE viewer_contents (
    message_id TEXT NOT NULL PRIMARY KEY REFERENCES viewer_messages (id) ON DELETE CASCADE,
    sealed_key BLOB NOT NULL,
    -- What the message page shows (sender, subject, body, the attachments' names and sizes),
    -- encrypted with the message's key: the page need not decrypt and parse all of it.
    -- NULL for a message stored before this migration: its page parses the message.
    summary    BLOB,
    content    BLOB NOT NULL
) STRICT;

-- The sweep deletes the content of the messages it marked, found by when.
CREATE INDEX viewer_messages_deleted_at ON viewer_messages (deleted_at);

INSERT INTO viewer_contents (message_id, sealed_key, content)
    SELECT id, sealed_key, content FROM viewer_messages
    WHERE sealed_key IS NOT NULL AND content IS NOT NULL;

ALTER TABLE viewer_messages DROP COLUMN sealed_key;
ALTER TABLE viewer_messages DROP COLUMN content;
