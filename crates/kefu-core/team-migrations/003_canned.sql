-- Team canned replies (快捷回复): any agent may add, change or remove one; a removal stays as a
-- row (deleted) so every mirror learns of it by its change number.
CREATE TABLE kefu.canned (
    id         text PRIMARY KEY,
    folder     text NOT NULL,
    title      text NOT NULL,
    shortcut   text NOT NULL,
    body       text NOT NULL,
    deleted    boolean NOT NULL DEFAULT false,
    updated_at bigint NOT NULL,
    updated_by text NOT NULL,
    seq        bigint NOT NULL
);
CREATE INDEX canned_seq ON kefu.canned (seq);

CREATE FUNCTION kefu.canned_put(p_id text, p_folder text, p_title text, p_shortcut text,
                                p_body text, p_now bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = kefu, pg_temp AS $$
BEGIN
    INSERT INTO kefu.canned VALUES (p_id, p_folder, p_title, p_shortcut, p_body, false, p_now,
                                    session_user, kefu.next_change())
    ON CONFLICT (id) DO UPDATE
        SET folder = excluded.folder, title = excluded.title, shortcut = excluded.shortcut,
            body = excluded.body, deleted = false, updated_at = excluded.updated_at,
            updated_by = excluded.updated_by, seq = excluded.seq;
END $$;

CREATE FUNCTION kefu.canned_delete(p_id text, p_now bigint) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = kefu, pg_temp AS $$
BEGIN
    UPDATE kefu.canned SET deleted = true, updated_at = p_now, updated_by = session_user,
                           seq = kefu.next_change()
    WHERE id = p_id AND NOT deleted;
    RETURN FOUND;
END $$;

REVOKE ALL ON FUNCTION kefu.canned_put, kefu.canned_delete FROM PUBLIC;
GRANT SELECT ON kefu.canned TO kefu_agents;
GRANT EXECUTE ON FUNCTION kefu.canned_put, kefu.canned_delete TO kefu_agents;
