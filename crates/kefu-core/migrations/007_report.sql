-- Reports read a date range of the whole log.
CREATE INDEX message_time ON message (send_time);
