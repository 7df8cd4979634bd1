-- Satisfaction survey answers are customer messages: a text whose menu_id is one of the
-- survey's items (kefu_csat_<1..3>, see kefu_core::survey). A partial index keeps only them.
CREATE INDEX message_survey ON message (send_time)
    WHERE origin = 3 AND msgtype = 'text'
      AND substr(json_extract(json, '$.text.menu_id'), 1, 10) = 'kefu_csat_';

-- One row per answer; the agent is who ended the customer's session here last before it.
CREATE VIEW survey_answer AS
    SELECT m.open_kfid, m.external_userid, m.send_time AS answered_at,
           CAST(substr(json_extract(m.json, '$.text.menu_id'), 11) AS INTEGER) AS rating,
           (SELECT e.ended_by FROM session_end e
             WHERE e.open_kfid = m.open_kfid AND e.external_userid = m.external_userid
               AND e.ended_at <= m.send_time
             ORDER BY e.ended_at DESC LIMIT 1) AS agent
    FROM message m
    WHERE m.origin = 3 AND m.msgtype = 'text'
      AND substr(json_extract(m.json, '$.text.menu_id'), 1, 10) = 'kefu_csat_'
      AND CAST(substr(json_extract(m.json, '$.text.menu_id'), 11) AS INTEGER) BETWEEN 1 AND 3;
