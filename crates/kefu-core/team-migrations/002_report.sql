-- Reports read a date range of the whole log.
CREATE INDEX message_time ON kefu.message (send_time);
