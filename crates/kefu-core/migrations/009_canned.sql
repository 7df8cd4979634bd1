-- Canned replies (快捷回复): personal ones are this desktop's own; team ones mirror the team
-- database (same id), written there first.
CREATE TABLE canned_reply (
    id         TEXT PRIMARY KEY,
    scope      TEXT NOT NULL CHECK (scope IN ('personal', 'team')),
    folder     TEXT NOT NULL DEFAULT '',
    title      TEXT NOT NULL,
    shortcut   TEXT NOT NULL DEFAULT '',
    body       TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL DEFAULT '',
    uses       INTEGER NOT NULL DEFAULT 0
);
