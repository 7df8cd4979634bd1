-- Team mode on PostgreSQL: one shared queue, outbox, message log and customer notes.
--
-- Agents are LOGIN roles in the group role kefu_agents. They may read every table of schema
-- kefu and write only through the SECURITY DEFINER functions below, which act as session_user:
-- no agent can claim, reply, note or end as another.
--
-- Change order: every write takes kefu.change_lock() first and numbers what it changes from
-- kefu.change_seq. The lock is held until commit, so changes commit in the order of their
-- numbers and a desktop that has seen change n has seen every change before it; mirrors page
-- each table by `seq`. Taking the lock first also means row locks never wait on each other.

CREATE SCHEMA IF NOT EXISTS kefu;
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kefu_agents') THEN
        CREATE ROLE kefu_agents NOLOGIN;
    END IF;
END $$;

CREATE SEQUENCE kefu.change_seq;

CREATE TABLE kefu.agent (
    name             text PRIMARY KEY,      -- the agent's PostgreSQL role
    presence         text NOT NULL DEFAULT 'offline' CHECK (presence IN ('online', 'away', 'offline')),
    capacity         integer NOT NULL DEFAULT 10 CHECK (capacity >= 0),
    last_seen_at     bigint,
    last_assigned_at bigint NOT NULL DEFAULT 0,
    seq              bigint NOT NULL DEFAULT 0
);

-- Team-wide switches: auto_assign = 'on' | 'off'.
CREATE TABLE kefu.setting (
    key   text PRIMARY KEY,
    value text NOT NULL
);
INSERT INTO kefu.setting VALUES ('auto_assign', 'off');

CREATE TABLE kefu.account (
    open_kfid text PRIMARY KEY,
    name      text NOT NULL DEFAULT '',
    avatar    text NOT NULL DEFAULT '',
    seq       bigint NOT NULL
);

-- The sync cursor of each account, advanced in the transaction that stores its page.
CREATE TABLE kefu.cursor (
    open_kfid  text PRIMARY KEY,
    cursor     text NOT NULL,
    updated_at bigint NOT NULL,
    poller     text NOT NULL
);

CREATE TABLE kefu.message (
    open_kfid       text NOT NULL,
    msgid           text NOT NULL,
    external_userid text,
    send_time       bigint NOT NULL,
    origin          integer NOT NULL,
    msgtype         text NOT NULL,
    servicer_userid text,
    text            text,
    search_extra    text,
    media_id        text,
    json            text NOT NULL,
    raw_reason      text,
    recalled        boolean NOT NULL DEFAULT false,
    sent_by         text,                   -- the agent, for replies from this app
    seq             bigint NOT NULL,
    PRIMARY KEY (open_kfid, msgid)
);
CREATE INDEX message_seq ON kefu.message (seq);

CREATE TABLE kefu.session (
    open_kfid              text NOT NULL,
    external_userid        text NOT NULL,
    state                  text NOT NULL CHECK (state IN ('waiting', 'mine', 'wecom', 'ended')),
    owner                  text,            -- the agent who has it (state mine)
    wecom_servicer         text,
    waiting_since          bigint,
    last_customer_msg_at   bigint,
    replies_since_customer integer NOT NULL DEFAULT 0,
    updated_at             bigint NOT NULL,
    seq                    bigint NOT NULL,
    PRIMARY KEY (open_kfid, external_userid)
);
CREATE INDEX session_seq ON kefu.session (seq);
CREATE INDEX session_owner ON kefu.session (owner) WHERE state = 'mine';

CREATE TABLE kefu.session_end (
    id              bigserial PRIMARY KEY,
    open_kfid       text NOT NULL,
    external_userid text NOT NULL,
    ended_at        bigint NOT NULL,
    ended_by        text NOT NULL,
    seq             bigint NOT NULL
);
CREATE INDEX session_end_seq ON kefu.session_end (seq);

-- Replies, keyed by our msgid; sent by the account's poller, retried with the same msgid.
CREATE TABLE kefu.outbox (
    msgid           text PRIMARY KEY,
    open_kfid       text NOT NULL,
    external_userid text NOT NULL,
    content         text NOT NULL,
    state           text NOT NULL CHECK (state IN ('queued', 'sent', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    last_error      text,
    created_at      bigint NOT NULL,
    sent_at         bigint,
    sent_by         text NOT NULL,
    counted         boolean NOT NULL DEFAULT true,  -- counts against the 5-reply allowance
    seq             bigint NOT NULL
);
CREATE INDEX outbox_seq ON kefu.outbox (seq);
CREATE INDEX outbox_queued ON kefu.outbox (open_kfid, created_at) WHERE state = 'queued';

CREATE TABLE kefu.note (
    external_userid text PRIMARY KEY,
    note            text NOT NULL,
    updated_at      bigint NOT NULL,
    updated_by      text NOT NULL,
    seq             bigint NOT NULL
);
CREATE INDEX note_seq ON kefu.note (seq);

CREATE TABLE kefu.tags (
    external_userid text PRIMARY KEY,
    tags            text[] NOT NULL,
    updated_at      bigint NOT NULL,
    updated_by      text NOT NULL,
    seq             bigint NOT NULL
);
CREATE INDEX tags_seq ON kefu.tags (seq);

-- "<colleague> is typing": refreshed while an agent types, read by the others' composers.
CREATE TABLE kefu.typing (
    open_kfid       text NOT NULL,
    external_userid text NOT NULL,
    agent           text NOT NULL,
    typed_at        bigint NOT NULL,
    PRIMARY KEY (open_kfid, external_userid, agent)
);

-- ── helpers ────────────────────────────────────────────────────────────────────────────────

CREATE FUNCTION kefu.next_change() RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(1801807477, 0);
    PERFORM pg_notify('kefu_change', '');
    RETURN nextval('kefu.change_seq');
END $$;

-- The poller of an account holds pg_try_advisory_lock(1801807478, key) on its connection;
-- every write a poller makes checks that it still holds it (a lost lock stops it at once).
CREATE FUNCTION kefu.assert_poller(p_key integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_locks
                   WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
                     AND classid = 1801807478 AND objid = p_key::oid AND objsubid = 2) THEN
        RAISE EXCEPTION 'this connection does not hold the poller lock of the account'
            USING ERRCODE = 'KF001';
    END IF;
END $$;

CREATE FUNCTION kefu.ensure_session(p_kfid text, p_customer text, p_at bigint) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO kefu.session (open_kfid, external_userid, state, updated_at, seq)
    VALUES (p_kfid, p_customer, 'ended', p_at, kefu.next_change())
    ON CONFLICT DO NOTHING
$$;

-- ── the poller: pages with their cursor, sends, welcome replies ─────────────────────────────

-- Stores a page and advances the cursor from p_old to p_new in one transaction. Items are
-- {msgid, open_kfid, external_userid, send_time, origin, msgtype, servicer_userid, text,
-- search_extra, media_id, json, raw_reason, effect, target, servicer, reason}; `effect` is how
-- the item moves the queue, decided by the client (kefu_core::store::SessionEffect).
CREATE FUNCTION kefu.ingest_page(p_kfid text, p_key integer, p_old text, p_new text,
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
        ELSE
            NULL;
        END CASE;
    END LOOP;
    PERFORM kefu.auto_assign(p_kfid, p_now);
    RETURN jsonb_build_object('stored', stored, 'duplicates', duplicates);
END $$;

-- Round robin over agents online (seen in the last 60 s) and under capacity, oldest waiting
-- customer first; only when the team turned auto_assign on.
CREATE FUNCTION kefu.auto_assign(p_kfid text, p_now bigint) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = kefu, pg_temp AS $$
DECLARE
    s record;
    a text;
    assigned integer := 0;
BEGIN
    IF (SELECT value FROM kefu.setting WHERE key = 'auto_assign') IS DISTINCT FROM 'on' THEN
        RETURN 0;
    END IF;
    PERFORM kefu.next_change();
    FOR s IN SELECT open_kfid, external_userid FROM kefu.session
             WHERE open_kfid = p_kfid AND state = 'waiting' ORDER BY waiting_since, external_userid LOOP
        SELECT g.name INTO a FROM kefu.agent g
        WHERE g.presence = 'online' AND g.last_seen_at >= p_now - 60
          AND (SELECT count(*) FROM kefu.session m WHERE m.state = 'mine' AND m.owner = g.name) < g.capacity
        ORDER BY g.last_assigned_at, g.name LIMIT 1;
        EXIT WHEN a IS NULL;
        UPDATE kefu.session SET state = 'mine', owner = a, updated_at = p_now, seq = kefu.next_change()
        WHERE open_kfid = s.open_kfid AND external_userid = s.external_userid;
        UPDATE kefu.agent SET last_assigned_at = p_now * 1000 + assigned, seq = kefu.next_change()
        WHERE name = a;
        assigned := assigned + 1;
    END LOOP;
    RETURN assigned;
END $$;

CREATE FUNCTION kefu.outbox_queued(p_kfid text, p_key integer)
RETURNS SETOF kefu.outbox LANGUAGE plpgsql SECURITY DEFINER SET search_path = kefu, pg_temp AS $$
BEGIN
    PERFORM kefu.assert_poller(p_key);
    RETURN QUERY SELECT * FROM kefu.outbox WHERE open_kfid = p_kfid AND state = 'queued'
                 ORDER BY created_at, msgid;
END $$;

-- p_step: 'attempt' (before a call), 'note' (no verdict), 'sent', 'failed'.
CREATE FUNCTION kefu.outbox_step(p_msgid text, p_key integer, p_step text, p_error text, p_now bigint)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = kefu, pg_temp AS $$
DECLARE
    o kefu.outbox;
BEGIN
    PERFORM kefu.assert_poller(p_key);
    PERFORM kefu.next_change();
    SELECT * INTO o FROM kefu.outbox WHERE msgid = p_msgid;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF p_step = 'attempt' THEN
        UPDATE kefu.outbox SET attempts = attempts + 1 WHERE msgid = p_msgid;
    ELSIF p_step = 'note' THEN
        UPDATE kefu.outbox SET last_error = p_error, seq = kefu.next_change() WHERE msgid = p_msgid;
    ELSIF p_step = 'sent' THEN
        UPDATE kefu.outbox SET state = 'sent', sent_at = p_now, last_error = NULL, seq = kefu.next_change()
        WHERE msgid = p_msgid AND state = 'queued';
    ELSIF p_step = 'failed' THEN
        UPDATE kefu.outbox SET state = 'failed', last_error = p_error, seq = kefu.next_change()
        WHERE msgid = p_msgid AND state = 'queued';
        IF FOUND AND o.counted THEN
            UPDATE kefu.session SET replies_since_customer = GREATEST(replies_since_customer - 1, 0),
                   seq = kefu.next_change()
            WHERE open_kfid = o.open_kfid AND external_userid = o.external_userid;
        END IF;
    ELSE
        RAISE EXCEPTION 'unknown outbox step %', p_step;
    END IF;
END $$;

-- A message sent with send_msg_on_event (the welcome): outside the 5-reply allowance.
CREATE FUNCTION kefu.record_event_reply(p_kfid text, p_key integer, p_customer text, p_msgid text,
                                        p_content text, p_text text, p_error text, p_now bigint)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = kefu, pg_temp AS $$
BEGIN
    PERFORM kefu.assert_poller(p_key);
    INSERT INTO kefu.outbox (msgid, open_kfid, external_userid, content, state, attempts, last_error,
                             created_at, sent_at, sent_by, counted, seq)
    VALUES (p_msgid, p_kfid, p_customer, p_content, CASE WHEN p_error IS NULL THEN 'sent' ELSE 'failed' END,
            1, p_error, p_now, CASE WHEN p_error IS NULL THEN p_now END, session_user, false, kefu.next_change())
    ON CONFLICT DO NOTHING;
    INSERT INTO kefu.message (open_kfid, msgid, external_userid, send_time, origin, msgtype, text, json, sent_by, seq)
    VALUES (p_kfid, p_msgid, p_customer, p_now, 0, 'text', p_text, p_content, session_user, kefu.next_change())
    ON CONFLICT DO NOTHING;
END $$;

CREATE FUNCTION kefu.upsert_account(p_kfid text, p_name text, p_avatar text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = kefu, pg_temp AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM kefu.account WHERE open_kfid = p_kfid AND name = p_name AND avatar = p_avatar) THEN
        RETURN;
    END IF;
    INSERT INTO kefu.account VALUES (p_kfid, p_name, p_avatar, kefu.next_change())
    ON CONFLICT (open_kfid) DO UPDATE SET name = excluded.name, avatar = excluded.avatar, seq = excluded.seq;
END $$;

-- ── what an agent does ─────────────────────────────────────────────────────────────────────

-- claim | release | transfer (p_to) | end, for session_user. Returns {"state": new state} or
-- {"refused": not_found | not_waiting | not_mine | in_wecom | ended | no_agent, "owner": who}.
-- The state machine is the local one (kefu_core::store::queue): a waiting customer may also be
-- handed to a colleague.
CREATE FUNCTION kefu.queue_action(p_kfid text, p_customer text, p_action text, p_to text, p_now bigint)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = kefu, pg_temp AS $$
DECLARE
    s kefu.session;
    me text := session_user;
    mine boolean;
    new_state text;
    new_owner text;
BEGIN
    PERFORM kefu.next_change();
    SELECT * INTO s FROM kefu.session WHERE open_kfid = p_kfid AND external_userid = p_customer FOR UPDATE;
    IF NOT FOUND THEN
        RETURN jsonb_build_object('refused', 'not_found');
    END IF;
    mine := s.state = 'mine' AND s.owner = me;
    IF s.state = 'wecom' THEN
        RETURN jsonb_build_object('refused', 'in_wecom', 'owner', s.wecom_servicer);
    END IF;
    IF p_action = 'claim' THEN
        IF s.state <> 'waiting' THEN
            RETURN jsonb_build_object('refused', 'not_waiting', 'owner', s.owner);
        END IF;
        new_state := 'mine'; new_owner := me;
    ELSIF p_action = 'release' THEN
        IF NOT mine THEN
            RETURN jsonb_build_object('refused', 'not_mine', 'owner', s.owner);
        END IF;
        new_state := 'waiting'; new_owner := NULL;
    ELSIF p_action = 'transfer' THEN
        IF NOT (mine OR s.state = 'waiting') THEN
            RETURN jsonb_build_object('refused', 'not_mine', 'owner', s.owner);
        END IF;
        IF NOT EXISTS (SELECT 1 FROM kefu.agent WHERE name = p_to) THEN
            RETURN jsonb_build_object('refused', 'no_agent', 'owner', p_to);
        END IF;
        new_state := 'mine'; new_owner := p_to;
    ELSIF p_action = 'end' THEN
        IF s.state = 'ended' THEN
            RETURN jsonb_build_object('refused', 'ended');
        END IF;
        IF NOT (mine OR s.state = 'waiting') THEN
            RETURN jsonb_build_object('refused', 'not_mine', 'owner', s.owner);
        END IF;
        new_state := 'ended'; new_owner := NULL;
        INSERT INTO kefu.session_end (open_kfid, external_userid, ended_at, ended_by, seq)
        VALUES (p_kfid, p_customer, p_now, me, kefu.next_change());
    ELSE
        RAISE EXCEPTION 'unknown queue action %', p_action;
    END IF;
    UPDATE kefu.session SET state = new_state, owner = new_owner, updated_at = p_now, seq = kefu.next_change()
    WHERE open_kfid = p_kfid AND external_userid = p_customer;
    RETURN jsonb_build_object('state', new_state, 'owner', new_owner);
END $$;

-- A reply by session_user into the shared outbox, with the rules checked team-wide: the session
-- must be the agent's (a waiting one is claimed by replying), within 48 h, under 5 replies.
-- Idempotent on the msgid: a desktop that pushes again after a crash gets the stored state.
CREATE FUNCTION kefu.enqueue_reply(p_msgid text, p_kfid text, p_customer text, p_content text,
                                   p_msgtype text, p_text text, p_now bigint)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = kefu, pg_temp AS $$
DECLARE
    s kefu.session;
    me text := session_user;
    existing kefu.outbox;
BEGIN
    PERFORM kefu.next_change();
    SELECT * INTO existing FROM kefu.outbox WHERE msgid = p_msgid;
    IF FOUND THEN
        IF existing.sent_by <> me THEN
            RAISE EXCEPTION 'msgid % belongs to another agent', p_msgid USING ERRCODE = 'KF003';
        END IF;
        RETURN jsonb_build_object('state', existing.state);
    END IF;
    SELECT * INTO s FROM kefu.session WHERE open_kfid = p_kfid AND external_userid = p_customer FOR UPDATE;
    IF NOT FOUND THEN
        RETURN jsonb_build_object('refused', 'no_session');
    END IF;
    IF s.state = 'wecom' THEN
        RETURN jsonb_build_object('refused', 'in_wecom', 'owner', s.wecom_servicer);
    ELSIF s.state = 'ended' THEN
        RETURN jsonb_build_object('refused', 'ended');
    ELSIF s.state = 'mine' AND s.owner IS DISTINCT FROM me THEN
        RETURN jsonb_build_object('refused', 'not_mine', 'owner', s.owner);
    ELSIF s.last_customer_msg_at IS NULL OR p_now - s.last_customer_msg_at > 48 * 3600 THEN
        RETURN jsonb_build_object('refused', 'window_closed');
    ELSIF s.replies_since_customer >= 5 THEN
        RETURN jsonb_build_object('refused', 'quota_used');
    END IF;
    INSERT INTO kefu.outbox (msgid, open_kfid, external_userid, content, state, created_at, sent_by, seq)
    VALUES (p_msgid, p_kfid, p_customer, p_content, 'queued', p_now, me, kefu.next_change());
    INSERT INTO kefu.message (open_kfid, msgid, external_userid, send_time, origin, msgtype, text, json, sent_by, seq)
    VALUES (p_kfid, p_msgid, p_customer, p_now, 0, p_msgtype, p_text, p_content, me, kefu.next_change())
    ON CONFLICT DO NOTHING;
    UPDATE kefu.session SET replies_since_customer = replies_since_customer + 1,
           state = 'mine', owner = me, updated_at = p_now, seq = kefu.next_change()
    WHERE open_kfid = p_kfid AND external_userid = p_customer;
    DELETE FROM kefu.typing WHERE open_kfid = p_kfid AND external_userid = p_customer AND agent = me;
    RETURN jsonb_build_object('state', 'queued');
END $$;

CREATE FUNCTION kefu.set_note(p_customer text, p_note text, p_now bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = kefu, pg_temp AS $$
BEGIN
    INSERT INTO kefu.note VALUES (p_customer, p_note, p_now, session_user, kefu.next_change())
    ON CONFLICT (external_userid) DO UPDATE
        SET note = excluded.note, updated_at = excluded.updated_at, updated_by = excluded.updated_by, seq = excluded.seq;
END $$;

CREATE FUNCTION kefu.set_tags(p_customer text, p_tags text[], p_now bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = kefu, pg_temp AS $$
BEGIN
    INSERT INTO kefu.tags VALUES (p_customer, p_tags, p_now, session_user, kefu.next_change())
    ON CONFLICT (external_userid) DO UPDATE
        SET tags = excluded.tags, updated_at = excluded.updated_at, updated_by = excluded.updated_by, seq = excluded.seq;
END $$;

-- Presence of session_user: online | away | offline; a change is a numbered change, a
-- heartbeat with the same presence only moves last_seen_at.
CREATE FUNCTION kefu.heartbeat(p_presence text, p_now bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = kefu, pg_temp AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM kefu.agent WHERE name = session_user AND presence = p_presence) THEN
        UPDATE kefu.agent SET last_seen_at = p_now WHERE name = session_user;
    ELSE
        UPDATE kefu.agent SET presence = p_presence, last_seen_at = p_now, seq = kefu.next_change()
        WHERE name = session_user;
    END IF;
END $$;

CREATE FUNCTION kefu.set_typing(p_kfid text, p_customer text, p_now bigint) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = kefu, pg_temp AS $$
    INSERT INTO kefu.typing VALUES (p_kfid, p_customer, session_user, p_now)
    ON CONFLICT (open_kfid, external_userid, agent) DO UPDATE SET typed_at = excluded.typed_at
$$;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA kefu FROM PUBLIC;
GRANT USAGE ON SCHEMA kefu TO kefu_agents;
GRANT SELECT ON ALL TABLES IN SCHEMA kefu TO kefu_agents;
GRANT EXECUTE ON FUNCTION kefu.ingest_page, kefu.outbox_queued, kefu.outbox_step,
    kefu.record_event_reply, kefu.upsert_account, kefu.queue_action, kefu.enqueue_reply,
    kefu.set_note, kefu.set_tags, kefu.heartbeat, kefu.set_typing TO kefu_agents;
