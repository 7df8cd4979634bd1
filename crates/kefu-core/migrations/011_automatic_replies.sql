-- Messages the app sends by itself (the welcome, the away text, the closing message and
-- survey) are not an agent's replies: reports leave them out.
ALTER TABLE outbox ADD COLUMN automatic INTEGER NOT NULL DEFAULT 0;

DROP VIEW report_message_source;
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
                 AND (o.state IN ('queued', 'failed') OR o.automatic = 1)))
       OR (m.origin = 4 AND m.msgtype = 'event'
           AND json_extract(m.json, '$.event.event_type') = 'session_status_change'
           AND json_extract(m.json, '$.event.change_type') = 3));
