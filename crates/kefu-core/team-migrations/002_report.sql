-- Reports read a date range of the whole log (an index-only scan where the table is vacuumed).
CREATE INDEX message_report ON kefu.message (send_time)
    INCLUDE (origin, open_kfid, external_userid, sent_by, servicer_userid);
