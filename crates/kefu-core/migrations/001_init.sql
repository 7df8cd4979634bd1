-- Accounts this console serves.
CREATE TABLE account (
    open_kfid TEXT PRIMARY KEY,
    name      TEXT NOT NULL DEFAULT '',
    avatar    TEXT NOT NULL DEFAULT ''
);

-- One sync cursor per account, advanced in the same transaction as the page it follows.
CREATE TABLE sync_cursor (
    open_kfid  TEXT PRIMARY KEY,
    cursor     TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Sync health per account.
CREATE TABLE sync_status (
    open_kfid       TEXT PRIMARY KEY,
    last_success_at INTEGER,
    last_error      TEXT,
    last_error_at   INTEGER,
    pages           INTEGER NOT NULL DEFAULT 0
);

-- Customer profiles from kf/customer/batchget.
CREATE TABLE customer (
    external_userid TEXT PRIMARY KEY,
    nickname        TEXT NOT NULL DEFAULT '',
    avatar          TEXT NOT NULL DEFAULT '',
    gender          INTEGER NOT NULL DEFAULT 0,
    refreshed_at    INTEGER
);

-- One conversation per (account, customer), with the local queue state.
CREATE TABLE session (
    id                    INTEGER PRIMARY KEY,
    open_kfid             TEXT NOT NULL,
    external_userid       TEXT NOT NULL,
    local_state           TEXT NOT NULL,  -- waiting | mine | wecom | ended
    claimed_by            TEXT,
    wecom_servicer        TEXT,
    waiting_since         INTEGER,
    last_customer_msg_at  INTEGER,
    replies_since_customer INTEGER NOT NULL DEFAULT 0,
    updated_at            INTEGER NOT NULL,
    UNIQUE (open_kfid, external_userid)
);

-- Every item from kf/sync_msg (origin 3, 4, 5) and our own replies (origin 0: sent by this app).
CREATE TABLE message (
    id              INTEGER PRIMARY KEY,
    msgid           TEXT NOT NULL,
    open_kfid       TEXT NOT NULL,
    external_userid TEXT,
    send_time       INTEGER NOT NULL,
    origin          INTEGER NOT NULL,
    msgtype         TEXT NOT NULL,
    servicer_userid TEXT,
    text            TEXT,
    json            TEXT NOT NULL,
    raw_reason      TEXT,
    recalled        INTEGER NOT NULL DEFAULT 0,
    UNIQUE (open_kfid, msgid)
);
CREATE INDEX message_conversation ON message (open_kfid, external_userid, send_time, id);

-- Replies, written before any network call; retried with the same msgid.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    msgid           TEXT NOT NULL UNIQUE,
    open_kfid       TEXT NOT NULL,
    external_userid TEXT NOT NULL,
    content         TEXT NOT NULL,
    state           TEXT NOT NULL,  -- queued | sent | failed
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER
);
CREATE INDEX outbox_queued ON outbox (state, id);
