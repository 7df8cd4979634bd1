//! The local queue: claim, release, transfer and end, as guarded state changes of a session.
//!
//! waiting ──claim──▶ mine ──release──▶ waiting
//!    │ ──transfer──▶ mine (another agent) ◀──transfer── mine
//!    └──────end────────┴──end──▶ ended ──customer writes──▶ waiting
//! wecom (a colleague took it in the WeCom client) is read-only here; sync moves sessions in and
//! out of it. WeChat's side stays in state 0/1 for waiting and mine (see ARCHITECTURE.md).

use super::{Result, Store};
use rusqlite::{OptionalExtension, params};

/// Why a queue action was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueueRefused {
    /// No such session.
    #[error("there is no conversation with this customer")]
    NotFound,
    /// Only a waiting session can be claimed.
    #[error("this customer is not waiting")]
    NotWaiting,
    /// Only the agent who has it can release or transfer it.
    #[error("this conversation is not yours")]
    NotMine,
    /// A colleague has it in the WeCom client.
    #[error("a colleague is handling this customer in the WeCom client")]
    InWecom,
    /// Already ended.
    #[error("the session has already ended")]
    AlreadyEnded,
}

/// A queue action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueAction<'a> {
    /// waiting → mine.
    Claim,
    /// mine → waiting (keeps the original waiting time, so the customer stays first in line).
    Release,
    /// mine (or waiting) → mine of another agent.
    Transfer {
        /// The agent who takes it.
        to: &'a str,
    },
    /// waiting or mine → ended.
    End,
}

impl Store {
    /// Applies a queue action for `agent`; returns the session's new local state.
    pub fn queue_action(
        &self,
        open_kfid: &str,
        customer: &str,
        agent: &str,
        action: QueueAction<'_>,
        now: i64,
    ) -> Result<std::result::Result<String, QueueRefused>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let current: Option<(String, Option<String>)> = tx
            .query_row(
                "SELECT local_state, claimed_by FROM session WHERE open_kfid = ?1 AND external_userid = ?2",
                params![open_kfid, customer],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((state, claimed_by)) = current else {
            return Ok(Err(QueueRefused::NotFound));
        };
        let mine = state == "mine" && claimed_by.as_deref() == Some(agent);
        let (new_state, new_owner): (&str, Option<&str>) = match (&action, state.as_str()) {
            (_, "wecom") => return Ok(Err(QueueRefused::InWecom)),
            (QueueAction::End, "ended") => return Ok(Err(QueueRefused::AlreadyEnded)),
            (QueueAction::Claim, "waiting") => ("mine", Some(agent)),
            (QueueAction::Claim, _) => return Ok(Err(QueueRefused::NotWaiting)),
            (QueueAction::Release, _) if mine => ("waiting", None),
            // A waiting customer may be handed straight to a colleague (assignment).
            (QueueAction::Transfer { to }, "waiting") => ("mine", Some(*to)),
            (QueueAction::Transfer { to }, _) if mine => ("mine", Some(*to)),
            (QueueAction::Release | QueueAction::Transfer { .. }, _) => {
                return Ok(Err(QueueRefused::NotMine));
            }
            (QueueAction::End, "waiting") => ("ended", None),
            (QueueAction::End, _) if mine => ("ended", None),
            (QueueAction::End, _) => return Ok(Err(QueueRefused::NotMine)),
        };
        tx.execute(
            "UPDATE session SET local_state = ?3, claimed_by = ?4, updated_at = ?5 WHERE open_kfid = ?1 AND external_userid = ?2",
            params![open_kfid, customer, new_state, new_owner, now],
        )?;
        if action == QueueAction::End {
            // The message log does not show local ends; the customer's session history needs them.
            tx.execute(
                "INSERT INTO session_end (open_kfid, external_userid, ended_at, ended_by) VALUES (?1, ?2, ?3, ?4)",
                params![open_kfid, customer, now, agent],
            )?;
        }
        tx.commit()?;
        Ok(Ok(new_state.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kefu_wechat::message::{Body, Message, SyncItem, Text};

    /// A customer's "hi" at `at`.
    fn customer_hi(msgid: &str, open_kfid: &str, customer: &str, at: i64) -> SyncItem {
        SyncItem::Message(Message {
            msgid: msgid.into(),
            open_kfid: Some(open_kfid.into()),
            external_userid: Some(customer.into()),
            send_time: at,
            origin: 3,
            servicer_userid: None,
            body: Body::Text {
                text: Text {
                    content: "hi".into(),
                    menu_id: None,
                },
            },
        })
    }

    fn store_with_waiting_customer() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open_in(dir.path()).expect("store");
        store
            .ingest_page("wk", &[customer_hi("m1", "wk", "wm", 100)], "c1", 100)
            .expect("ingest");
        (dir, store)
    }

    #[test]
    fn the_desk_lists_open_sessions_and_only_the_most_recently_ended() {
        let dir = tempfile::tempdir().expect("temp dir");
        let s = Store::open_in(dir.path()).expect("store");
        // Six customers write (c0 first); four are ended, c3 last; two stay waiting.
        let kfid = |i: i64| if i == 3 { "wk2" } else { "wk" };
        for i in 0..6i64 {
            let (m, c) = (format!("m{i}"), format!("c{i}"));
            s.ingest_page("wk", &[customer_hi(&m, kfid(i), &c, 100 + i)], &c, 100 + i)
                .expect("ingest");
        }
        for (i, at) in [(2i64, 1000), (0, 1001), (1, 1002), (3, 1003)] {
            assert_eq!(
                s.queue_action(kfid(i), &format!("c{i}"), "ann", QueueAction::End, at)
                    .expect("sql"),
                Ok("ended".into())
            );
        }
        let listed = |limit| -> Vec<String> {
            s.sessions_listed(2000, limit)
                .expect("sessions")
                .into_iter()
                .map(|r| format!("{}:{}", r.local_state, r.external_userid))
                .collect()
        };
        assert_eq!(
            listed(2),
            ["waiting:c4", "waiting:c5", "ended:c3", "ended:c1"],
            "open sessions all, then the two ended last, most recently ended first (not by when \
             they first waited)"
        );
        assert_eq!(listed(0), ["waiting:c4", "waiting:c5"]);
        assert_eq!(
            s.sessions(2000).expect("sessions").len(),
            6,
            "the full list keeps every session"
        );
        assert_eq!(
            s.ended_counts().expect("counts"),
            [("wk".to_owned(), 3), ("wk2".to_owned(), 1)]
        );
    }

    #[test]
    fn queue_state_machine() {
        let (_dir, s) = store_with_waiting_customer();
        let act = |agent: &str, a: QueueAction<'_>| {
            s.queue_action("wk", "wm", agent, a, 200).expect("sql")
        };
        assert_eq!(
            act("ann", QueueAction::Release),
            Err(QueueRefused::NotMine),
            "a waiting session is nobody's"
        );
        assert_eq!(act("ann", QueueAction::Claim), Ok("mine".into()));
        assert_eq!(
            act("bob", QueueAction::Claim),
            Err(QueueRefused::NotWaiting),
            "two agents cannot claim one customer"
        );
        assert_eq!(act("bob", QueueAction::End), Err(QueueRefused::NotMine));
        assert_eq!(
            act("ann", QueueAction::Transfer { to: "bob" }),
            Ok("mine".into())
        );
        assert_eq!(
            act("ann", QueueAction::Release),
            Err(QueueRefused::NotMine),
            "after a transfer it is bob's"
        );
        assert_eq!(act("bob", QueueAction::Release), Ok("waiting".into()));
        let waiting = s.sessions(200).expect("sessions");
        assert_eq!(
            waiting[0].waiting_since,
            Some(100),
            "a released customer keeps their place in line"
        );
        assert_eq!(
            act("bob", QueueAction::Transfer { to: "cat" }),
            Ok("mine".into()),
            "a waiting customer can be handed to a colleague"
        );
        assert_eq!(
            act("bob", QueueAction::Transfer { to: "dan" }),
            Err(QueueRefused::NotMine),
            "once assigned it is cat's to hand on"
        );
        assert_eq!(act("cat", QueueAction::Release), Ok("waiting".into()));
        assert_eq!(
            act("bob", QueueAction::End),
            Ok("ended".into()),
            "a waiting customer can be ended"
        );
        assert_eq!(
            act("bob", QueueAction::End),
            Err(QueueRefused::AlreadyEnded)
        );
        assert_eq!(
            s.queue_action("wk", "nobody", "ann", QueueAction::Claim, 1)
                .expect("sql"),
            Err(QueueRefused::NotFound)
        );
        assert_eq!(
            s.sessions(200).expect("sessions").len(),
            1,
            "an ended session the customer wrote in stays listed"
        );
        let entered = Message {
            msgid: "e1".into(),
            open_kfid: None,
            external_userid: None,
            send_time: 300,
            origin: 4,
            servicer_userid: None,
            body: Body::Event {
                event: kefu_wechat::event::Event::EnterSession {
                    open_kfid: "wk".into(),
                    external_userid: "wm-new".into(),
                    scene: None,
                    scene_param: None,
                    welcome_code: None,
                    wechat_channels: None,
                },
            },
        };
        s.ingest_page("wk", &[SyncItem::Message(entered)], "c2", 300)
            .expect("ingest");
        assert_eq!(
            s.sessions(300).expect("sessions").len(),
            1,
            "a customer who only opened the chat is not in any queue yet"
        );
    }
}
