-- A session knows whose saved numbers and settings it opens (owner_hash: the mailbox for
-- e-mail codes, the Entra ID account — tenant and object id — for Entra ID, so a renamed
-- account keeps its numbers), and when its user last proved who they are (validated_at:
-- Entra ID sessions must show a fresh access token every auth.entra.revalidate_after).
ALTER TABLE sessions ADD COLUMN owner_hash BLOB CHECK (length(owner_hash) = 32);
UPDATE sessions SET owner_hash = mailbox_hash;
ALTER TABLE sessions ADD COLUMN validated_at INTEGER;
UPDATE sessions SET validated_at = created_at;
