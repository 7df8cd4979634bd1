-- Team mode: who sent each reply, which local replies reached the shared outbox, and how far
-- this desktop has mirrored each shared table (by change number).
ALTER TABLE message ADD COLUMN sent_by TEXT;
ALTER TABLE outbox ADD COLUMN team_pushed INTEGER NOT NULL DEFAULT 0;
CREATE TABLE team_mirror (
    name TEXT PRIMARY KEY,
    seq  INTEGER NOT NULL
);
