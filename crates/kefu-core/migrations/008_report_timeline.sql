-- The report's timeline, kept as the rows are written: one narrow row per customer message,
-- delivered reply and end, with the conversation, account and sender as numbers. A month's
-- report reads these integers in time order instead of a million rows of text (see
-- store/report.rs and benches/report.rs).
--
-- What becomes a row is defined once, by the two views below; the triggers apply them to each
-- row written, in the same transaction, so the timeline can never disagree with the messages.

CREATE TABLE report_account (
    id        INTEGER PRIMARY KEY,
    open_kfid TEXT NOT NULL UNIQUE
);

CREATE TABLE report_conv (
    id              INTEGER PRIMARY KEY,
    account         INTEGER NOT NULL REFERENCES report_account (id),
    external_userid TEXT NOT NULL,
    UNIQUE (account, external_userid)
);

-- A sender with a name: an agent of this app (wecom = 0) or a WeCom servicer (wecom = 1).
-- Replies from this app without a recorded sender (solo mode) have no actor.
CREATE TABLE report_actor (
    id    INTEGER PRIMARY KEY,
    name  TEXT NOT NULL,
    wecom INTEGER NOT NULL,
    UNIQUE (name, wecom)
);

-- One row per customer message, delivered reply and end. `code` packs what the report reads, so
-- a month is two integers a row (reading five columns took twice as long, benches/report.rs):
--   code = conv << 33 | account << 20 | actor << 2 | kind
-- conv: report_conv.id (< 2^30); account: report_account.id (< 2^13; WeChat allows 5000 per
-- enterprise); actor: report_actor.id (< 2^18), 0 for a reply without a recorded sender;
-- kind: 0 customer message, 1 delivered reply, 2 ended in this console, 3 ended in the WeCom
-- client. src: the message's id (kinds 0, 1, 3) or the session_end's (kind 2). Decoded in
-- store/report.rs.
CREATE TABLE report_item (
    time INTEGER NOT NULL,
    code INTEGER NOT NULL,
    src  INTEGER NOT NULL,
    PRIMARY KEY (time, code, src)
) WITHOUT ROWID;

-- The messages that are timeline rows: customer messages, replies that reached WeChat (from
-- this app: not refused and not still queued; from a servicer in the WeCom client), and ends
-- by a servicer in the WeCom client.
CREATE VIEW report_message_source AS
SELECT m.send_time AS time,
       (c.id << 33) | (c.account << 20)
       | (COALESCE((SELECT r.id FROM report_actor r
                     WHERE m.origin IN (0, 5) AND r.name = COALESCE(m.sent_by, m.servicer_userid)
                       AND r.wecom = (m.origin = 5)), 0) << 2)
       | CASE m.origin WHEN 3 THEN 0 WHEN 4 THEN 3 ELSE 1 END AS code,
       m.id AS src
FROM message m
JOIN report_account a ON a.open_kfid = m.open_kfid
JOIN report_conv c ON c.account = a.id AND c.external_userid = m.external_userid
WHERE m.external_userid IS NOT NULL
  AND (m.origin IN (3, 5)
       OR (m.origin = 0 AND NOT EXISTS (
              SELECT 1 FROM outbox o
               WHERE o.msgid = m.msgid AND o.open_kfid = m.open_kfid
                 AND o.state IN ('queued', 'failed')))
       OR (m.origin = 4 AND m.msgtype = 'event'
           AND json_extract(m.json, '$.event.event_type') = 'session_status_change'
           AND json_extract(m.json, '$.event.change_type') = 3));

CREATE VIEW report_end_source AS
SELECT e.ended_at AS time, (c.id << 33) | (c.account << 20) | 2 AS code, e.id AS src
FROM session_end e
JOIN report_account a ON a.open_kfid = e.open_kfid
JOIN report_conv c ON c.account = a.id AND c.external_userid = e.external_userid;

-- Numbers for what is already stored, then its timeline.
INSERT OR IGNORE INTO report_account (open_kfid)
    SELECT open_kfid FROM message WHERE external_userid IS NOT NULL
    UNION SELECT open_kfid FROM session_end;
INSERT OR IGNORE INTO report_conv (account, external_userid)
    SELECT a.id, x.external_userid FROM (
        SELECT open_kfid, external_userid FROM message WHERE external_userid IS NOT NULL
        UNION SELECT open_kfid, external_userid FROM session_end) x
    JOIN report_account a ON a.open_kfid = x.open_kfid;
INSERT OR IGNORE INTO report_actor (name, wecom)
    SELECT DISTINCT COALESCE(sent_by, servicer_userid), origin = 5 FROM message
     WHERE origin IN (0, 5) AND COALESCE(sent_by, servicer_userid) IS NOT NULL;
INSERT OR IGNORE INTO report_item SELECT * FROM report_message_source;
INSERT OR IGNORE INTO report_item SELECT * FROM report_end_source;

-- A new message: number what it names, then add its row, if it is one.
CREATE TRIGGER report_message_insert AFTER INSERT ON message
WHEN NEW.external_userid IS NOT NULL AND NEW.origin IN (0, 3, 4, 5)
BEGIN
    INSERT OR IGNORE INTO report_account (open_kfid) VALUES (NEW.open_kfid);
    INSERT OR IGNORE INTO report_conv (account, external_userid)
        SELECT id, NEW.external_userid FROM report_account WHERE open_kfid = NEW.open_kfid;
    INSERT OR IGNORE INTO report_actor (name, wecom)
        SELECT COALESCE(NEW.sent_by, NEW.servicer_userid), NEW.origin = 5
         WHERE NEW.origin IN (0, 5) AND COALESCE(NEW.sent_by, NEW.servicer_userid) IS NOT NULL;
    INSERT OR IGNORE INTO report_item SELECT * FROM report_message_source WHERE src = NEW.id;
END;

-- A sender recorded later (a team mirror learning who sent a reply).
CREATE TRIGGER report_message_sender AFTER UPDATE OF sent_by, servicer_userid ON message
WHEN NEW.external_userid IS NOT NULL AND NEW.origin IN (0, 5)
 AND (NEW.sent_by IS NOT OLD.sent_by OR NEW.servicer_userid IS NOT OLD.servicer_userid)
BEGIN
    INSERT OR IGNORE INTO report_actor (name, wecom)
        SELECT COALESCE(NEW.sent_by, NEW.servicer_userid), NEW.origin = 5
         WHERE COALESCE(NEW.sent_by, NEW.servicer_userid) IS NOT NULL;
    DELETE FROM report_item WHERE time = OLD.send_time AND src = OLD.id AND code & 3 = 1;
    INSERT OR IGNORE INTO report_item SELECT * FROM report_message_source WHERE src = NEW.id;
END;

-- A reply queued, sent, refused or queued again: its row follows its delivery.
CREATE TRIGGER report_outbox_insert AFTER INSERT ON outbox
BEGIN
    DELETE FROM report_item WHERE (time, src) IN (
        SELECT send_time, id FROM message WHERE open_kfid = NEW.open_kfid AND msgid = NEW.msgid)
        AND code & 3 = 1;
    INSERT OR IGNORE INTO report_item SELECT * FROM report_message_source WHERE src = (
        SELECT id FROM message WHERE open_kfid = NEW.open_kfid AND msgid = NEW.msgid);
END;

CREATE TRIGGER report_outbox_state AFTER UPDATE OF state ON outbox
WHEN NEW.state IS NOT OLD.state
BEGIN
    DELETE FROM report_item WHERE (time, src) IN (
        SELECT send_time, id FROM message WHERE open_kfid = NEW.open_kfid AND msgid = NEW.msgid)
        AND code & 3 = 1;
    INSERT OR IGNORE INTO report_item SELECT * FROM report_message_source WHERE src = (
        SELECT id FROM message WHERE open_kfid = NEW.open_kfid AND msgid = NEW.msgid);
END;

CREATE TRIGGER report_session_end AFTER INSERT ON session_end
BEGIN
    INSERT OR IGNORE INTO report_account (open_kfid) VALUES (NEW.open_kfid);
    INSERT OR IGNORE INTO report_conv (account, external_userid)
        SELECT id, NEW.external_userid FROM report_account WHERE open_kfid = NEW.open_kfid;
    INSERT OR IGNORE INTO report_item SELECT * FROM report_end_source WHERE src = NEW.id;
END;

-- The scans these replace.
DROP INDEX message_report;
DROP INDEX message_event;
DROP INDEX session_end_time;
