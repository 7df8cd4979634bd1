-- Reports read a date range of the whole log: every column they need is in this index, so a
-- month is one sequential read (no row lookups).
CREATE INDEX message_report ON message (send_time, origin, open_kfid, external_userid, sent_by, servicer_userid);
-- Events (origin 4) of a range, for the sessions ended in the WeCom client, without reading
-- every message of the range.
CREATE INDEX message_event ON message (send_time) WHERE origin = 4;
CREATE INDEX session_end_time ON session_end (ended_at, open_kfid, external_userid);
