-- History search. Each message gets a search key that orders by time (send_time * 2^20 plus a
-- few bits to keep keys unique), so "newest first" is key order whatever order pages arrived
-- in. The full-text table is contentless and keeps no positions: it holds only the token sets
-- made in Rust (search::tokens), written in the same transaction as the message.
ALTER TABLE message ADD COLUMN search_key INTEGER;
-- Searchable text of messages that are not plain text (link titles, places, menus...).
ALTER TABLE message ADD COLUMN search_extra TEXT;
CREATE UNIQUE INDEX message_search_key ON message (search_key);

CREATE VIRTUAL TABLE search_index USING fts5 (
    tokens, content = '', columnsize = 0, detail = 'none', tokenize = 'ascii'
);
-- Existing messages are indexed after this migration by Store::backfill_search (resumable:
-- it takes the rows whose search_key is still NULL).
-- Keep a whole page's tokens in memory until commit (FTS5 flushes a segment whenever its
-- pending data passes 'hashsize', 1 MiB by default: several small segments per page, each
-- merged again later).
INSERT INTO search_index (search_index, rank) VALUES ('hashsize', 16777216);
