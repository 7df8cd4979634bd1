-- The agent's own notes and tags on a customer (never sent to WeChat).
CREATE TABLE customer_note (
    external_userid TEXT PRIMARY KEY,
    note            TEXT NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE TABLE customer_tag (
    external_userid TEXT NOT NULL,
    tag             TEXT NOT NULL,
    PRIMARY KEY (external_userid, tag)
);

-- Sessions ended in this console (claim/transfer/end are local; the message log does not
-- record them). Ends by a servicer in the WeCom client are session_status_change events.
CREATE TABLE session_end (
    id              INTEGER PRIMARY KEY,
    open_kfid       TEXT NOT NULL,
    external_userid TEXT NOT NULL,
    ended_at        INTEGER NOT NULL,
    ended_by        TEXT NOT NULL
);
CREATE INDEX session_end_customer ON session_end (external_userid, ended_at);

-- A customer's conversation across accounts, paged newest first.
CREATE INDEX message_customer ON message (external_userid, send_time, id);

-- When the current run of sync failures began (NULL while syncing works): "offline since".
ALTER TABLE sync_status ADD COLUMN failing_since INTEGER;
