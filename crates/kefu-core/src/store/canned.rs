//! Canned replies in the local store: personal ones live only here; team ones are the mirror
//! of the team database's (applied by `mirror_apply`, never written here first in team mode).

use super::{Result, Store};
use crate::canned::{CannedReply, Draft, Scope};
use rusqlite::{OptionalExtension, Row, params};

const COLUMNS: &str = "id, scope, folder, title, shortcut, body, updated_at, updated_by, uses";

fn reply(r: &Row<'_>) -> rusqlite::Result<CannedReply> {
    let scope: String = r.get(1)?;
    Ok(CannedReply {
        id: r.get(0)?,
        draft: Draft {
            scope: Scope::parse(&scope).unwrap_or(Scope::Personal),
            folder: r.get(2)?,
            title: r.get(3)?,
            shortcut: r.get(4)?,
            body: r.get(5)?,
        },
        updated_at: r.get(6)?,
        updated_by: r.get(7)?,
        uses: r.get(8)?,
    })
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Imported {
    /// New replies.
    pub added: usize,
    /// Replies with the same scope, folder and title, given the imported text.
    pub updated: usize,
}

impl Store {
    /// Every canned reply, by folder and title.
    pub fn canned_replies(&self) -> Result<Vec<CannedReply>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM canned_reply ORDER BY folder, title, id"
        ))?;
        let rows = stmt
            .query_map([], reply)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// One reply.
    pub fn canned_reply(&self, id: &str) -> Result<Option<CannedReply>> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {COLUMNS} FROM canned_reply WHERE id = ?1"),
                [id],
                reply,
            )
            .optional()?)
    }

    /// Stores a reply under its id (new or changed), keeping this desktop's use count.
    pub fn canned_put(&self, r: &CannedReply) -> Result<()> {
        put(&self.conn(), r)
    }

    /// Removes a reply; false when there was none.
    pub fn canned_remove(&self, id: &str) -> Result<bool> {
        Ok(self
            .conn()
            .execute("DELETE FROM canned_reply WHERE id = ?1", [id])?
            > 0)
    }

    /// Counts one use of a reply (the list puts the most used first).
    pub fn canned_used(&self, id: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE canned_reply SET uses = uses + 1 WHERE id = ?1",
            [id],
        )?;
        Ok(())
    }

    /// Imports personal drafts in one transaction: a draft with the scope, folder and title of
    /// an existing reply replaces its shortcut and text, any other is added with a new id.
    pub fn canned_import(&self, drafts: &[Draft], by: &str, now: i64) -> Result<Imported> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut done = Imported::default();
        for d in drafts {
            let existing: Option<String> = tx
                .query_row(
                    "SELECT id FROM canned_reply WHERE scope = ?1 AND folder = ?2 AND title = ?3",
                    params![d.scope.as_str(), d.folder, d.title],
                    |r| r.get(0),
                )
                .optional()?;
            let id = match existing {
                Some(id) => {
                    done.updated += 1;
                    id
                }
                None => {
                    done.added += 1;
                    crate::engine::new_msgid()
                }
            };
            put(
                &tx,
                &CannedReply {
                    id,
                    draft: d.clone(),
                    updated_at: now,
                    updated_by: by.into(),
                    uses: 0,
                },
            )?;
        }
        tx.commit()?;
        Ok(done)
    }
}

pub(super) fn put(conn: &rusqlite::Connection, r: &CannedReply) -> Result<()> {
    let d = &r.draft;
    conn.prepare_cached(
        "INSERT INTO canned_reply (id, scope, folder, title, shortcut, body, updated_at, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (id) DO UPDATE SET scope = excluded.scope, folder = excluded.folder,
             title = excluded.title, shortcut = excluded.shortcut, body = excluded.body,
             updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )?
    .execute(params![
        r.id,
        d.scope.as_str(),
        d.folder,
        d.title,
        d.shortcut,
        d.body,
        r.updated_at,
        r.updated_by
    ])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(folder: &str, title: &str, body: &str) -> Draft {
        Draft {
            scope: Scope::Personal,
            folder: folder.into(),
            title: title.into(),
            shortcut: String::new(),
            body: body.into(),
        }
    }

    #[test]
    fn replies_survive_reopening_and_import_updates_by_folder_and_title() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("k.sqlite");
        let store = Store::open(&path).expect("open");
        let first = store
            .canned_import(
                &[draft("售后", "退款说明", "旧的"), draft("", "问候", "您好")],
                "me",
                10,
            )
            .expect("import");
        assert_eq!(
            first,
            Imported {
                added: 2,
                updated: 0
            }
        );
        let id = store.canned_replies().expect("list")[1].id.clone();
        store.canned_used(&id).expect("used");
        let again = store
            .canned_import(
                &[
                    draft("售后", "退款说明", "新的"),
                    draft("其他", "退款说明", "另一条"),
                ],
                "me",
                20,
            )
            .expect("import");
        assert_eq!(
            again,
            Imported {
                added: 1,
                updated: 1
            }
        );
        drop(store);

        let store = Store::open(&path).expect("reopen");
        let all = store.canned_replies().expect("list");
        let view: Vec<(&str, &str, &str, i64)> = all
            .iter()
            .map(|r| {
                (
                    r.draft.folder.as_str(),
                    r.draft.title.as_str(),
                    r.draft.body.as_str(),
                    r.uses,
                )
            })
            .collect();
        assert_eq!(
            view,
            [
                ("", "问候", "您好", 0),
                ("其他", "退款说明", "另一条", 0),
                ("售后", "退款说明", "新的", 1)
            ]
        );
        assert!(store.canned_remove(&id).expect("remove"));
        assert!(store.canned_reply(&id).expect("get").is_none());
        assert!(!store.canned_remove(&id).expect("remove twice"));
    }
}
