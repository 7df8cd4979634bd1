-- Inbound media, downloaded on arrival (media ids expire after 3 days). Files live under
-- <data dir>/media/ with names the app chooses (content hash + type), never a sender's name.
CREATE TABLE media (
    open_kfid    TEXT NOT NULL,
    msgid        TEXT NOT NULL,
    media_id     TEXT NOT NULL,
    msgtype      TEXT NOT NULL,
    state        TEXT NOT NULL,  -- pending | stored | failed
    path         TEXT,           -- relative to the data directory
    size         INTEGER,
    content_type TEXT,
    filename     TEXT,           -- as sent, for display only
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    PRIMARY KEY (open_kfid, msgid)
);
CREATE INDEX media_pending ON media (state);
