-- A customer's answer to the satisfaction survey (effect 'survey_answer',
-- kefu_core::store::SessionEffect::SurveyAnswer) no longer puts an ended session back in the
-- waiting queue. ingest_page is otherwise as in 001.
CREATE OR REPLACE FUNCTION kefu.ingest_page(p_kfid text, p_key integer, p_old text, p_new text,
                                 p_items jsonb, p_now bigint) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = kefu, pg_temp AS $$
DECLARE
    it jsonb;
    stored integer := 0;
    duplicates integer := 0;
    kfid text;
    customer text;
    t_at bigint;
    moved integer;
BEGIN
    PERFORM kefu.assert_poller(p_key);
    PERFORM kefu.next_change();
    IF p_old IS NULL THEN
        INSERT INTO kefu.cursor VALUES (p_kfid, p_new, p_now, session_user) ON CONFLICT DO NOTHING;
    ELSE
        UPDATE kefu.cursor SET cursor = p_new, updated_at = p_now, poller = session_user
        WHERE open_kfid = p_kfid AND cursor = p_old;
    END IF;
    GET DIAGNOSTICS moved = ROW_COUNT;
    IF moved = 0 THEN
        RAISE EXCEPTION 'the cursor of % moved: another poller stored this page', p_kfid
            USING ERRCODE = 'KF002';
    END IF;
    FOR it IN SELECT * FROM jsonb_array_elements(p_items) LOOP
        kfid := COALESCE(it->>'open_kfid', p_kfid);
        customer := it->>'external_userid';
        t_at := (it->>'send_time')::bigint;
        INSERT INTO kefu.message (open_kfid, msgid, external_userid, send_time, origin, msgtype,
                                  servicer_userid, text, search_extra, media_id, json, raw_reason, seq)
        VALUES (kfid, it->>'msgid', customer, t_at, (it->>'origin')::integer, it->>'msgtype',
                it->>'servicer_userid', it->>'text', it->>'search_extra', it->>'media_id',
                it->>'json', it->>'raw_reason', kefu.next_change())
        ON CONFLICT DO NOTHING;
        GET DIAGNOSTICS moved = ROW_COUNT;
        IF moved = 0 THEN
            duplicates := duplicates + 1;
            CONTINUE;
        END IF;
        stored := stored + 1;
        CASE it->>'effect'
        WHEN 'enter' THEN
            PERFORM kefu.ensure_session(kfid, customer, t_at);
        WHEN 'wecom_take' THEN
            PERFORM kefu.ensure_session(kfid, customer, t_at);
            UPDATE kefu.session SET state = 'wecom', wecom_servicer = it->>'servicer', owner = NULL,
                   updated_at = t_at, seq = kefu.next_change()
            WHERE open_kfid = kfid AND external_userid = customer;
        WHEN 'wecom_end' THEN
            PERFORM kefu.ensure_session(kfid, customer, t_at);
            UPDATE kefu.session SET state = 'ended', wecom_servicer = NULL, owner = NULL,
                   updated_at = t_at, seq = kefu.next_change()
            WHERE open_kfid = kfid AND external_userid = customer;
        WHEN 'recall' THEN
            UPDATE kefu.message SET recalled = true, seq = kefu.next_change()
            WHERE open_kfid = kfid AND msgid = it->>'target';
        WHEN 'send_fail' THEN
            UPDATE kefu.outbox SET state = 'failed', last_error = it->>'reason', seq = kefu.next_change()
            WHERE msgid = it->>'target';
        WHEN 'customer' THEN
            PERFORM kefu.ensure_session(kfid, customer, t_at);
            UPDATE kefu.session SET
                state = CASE WHEN state = 'ended' THEN 'waiting' ELSE state END,
                waiting_since = CASE WHEN state = 'ended' THEN t_at ELSE waiting_since END,
                last_customer_msg_at = GREATEST(COALESCE(last_customer_msg_at, 0), t_at),
                replies_since_customer = CASE WHEN t_at >= COALESCE(last_customer_msg_at, 0) THEN 0
                                              ELSE replies_since_customer END,
                updated_at = t_at, seq = kefu.next_change()
            WHERE open_kfid = kfid AND external_userid = customer;
        WHEN 'survey_answer' THEN
            -- A tap on the satisfaction survey: the window starts over, but an ended session
            -- stays ended (nobody needs to answer it).
            PERFORM kefu.ensure_session(kfid, customer, t_at);
            UPDATE kefu.session SET
                last_customer_msg_at = GREATEST(COALESCE(last_customer_msg_at, 0), t_at),
                replies_since_customer = CASE WHEN t_at >= COALESCE(last_customer_msg_at, 0) THEN 0
                                              ELSE replies_since_customer END,
                updated_at = t_at, seq = kefu.next_change()
            WHERE open_kfid = kfid AND external_userid = customer;
        ELSE
            NULL;
        END CASE;
    END LOOP;
    PERFORM kefu.auto_assign(p_kfid, p_now);
    RETURN jsonb_build_object('stored', stored, 'duplicates', duplicates);
END $$;
