//! What an agent does on the team database: claim, release, transfer and end; push a reply from
//! the local outbox into the shared one (rules checked team-wide, idempotent on the msgid);
//! notes and tags; presence and "is typing". Each call acts as the connected role.

use super::{Team, TeamError};
use crate::store::Store;
use serde_json::Value;

/// The team's answer to a queue action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueVerdict {
    /// Done: the session's new state.
    Done(String),
    /// Refused: why (`not_found`, `not_waiting`, `not_mine`, `in_wecom`, `ended`, `no_agent`)
    /// and who has the customer, when someone does.
    Refused {
        /// The reason code.
        reason: String,
        /// The agent (or WeCom servicer) who has it.
        owner: Option<String>,
    },
}

/// The team's answer to a pushed reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyVerdict {
    /// In the shared outbox (or already there): its state.
    Accepted(String),
    /// Refused for good: why (`not_mine`, `ended`, `in_wecom`, `window_closed`, `quota_used`,
    /// `no_session`) and who has the customer.
    Refused {
        /// The reason code.
        reason: String,
        /// The colleague who has it.
        owner: Option<String>,
    },
}

/// A colleague of the team.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TeamAgent {
    /// The agent's name (database role).
    pub name: String,
    /// online | away | offline (offline also when not seen for a minute).
    pub presence: String,
    /// Customers they may have at once.
    pub capacity: i32,
    /// Customers they have now.
    pub active: i64,
}

/// A colleague typing to, or who just replied to, a customer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Typing {
    /// Who.
    pub agent: String,
    /// When they last typed.
    pub at: i64,
}

fn verdict(json: &str) -> (Option<String>, Option<String>, Option<String>) {
    let v: Value = serde_json::from_str(json).unwrap_or_default();
    let s = |k: &str| v[k].as_str().map(str::to_owned);
    (s("state"), s("refused"), s("owner"))
}

impl Team {
    /// `claim` | `release` | `transfer` (to `to`) | `end` for this agent; on success the local
    /// mirror is brought up to date before returning.
    pub async fn queue_action(
        &self,
        store: &Store,
        open_kfid: &str,
        customer: &str,
        action: &str,
        to: Option<&str>,
    ) -> Result<QueueVerdict, TeamError> {
        let now = self.clock().now();
        let json = self
            .verdict_of(
                "SELECT kefu.queue_action($1, $2, $3, $4, $5)::text",
                &[&open_kfid, &customer, &action, &to, &now],
            )
            .await?;
        let (state, refused, owner) = verdict(&json);
        match (state, refused) {
            (Some(state), None) => {
                self.pull(store).await?;
                Ok(QueueVerdict::Done(state))
            }
            (_, reason) => Ok(QueueVerdict::Refused {
                reason: reason.unwrap_or_else(|| "unknown".into()),
                owner,
            }),
        }
    }

    /// Pushes every local reply not yet in the shared outbox; a reply the team refuses is marked
    /// failed locally with the reason. Returns how many were pushed.
    /// An image or file reply is uploaded from this desktop first (its file is here, not on
    /// the poller's), and its media id goes to the shared outbox.
    pub async fn push_outbox(&self, engine: &crate::engine::Engine) -> Result<usize, TeamError> {
        let store = &*engine.store;
        let mut pushed = 0;
        for mut row in store.unpushed_replies()? {
            if row.content.contains("\"upload\"") {
                match engine.resolve_content(&row.content).await {
                    Ok(content) => {
                        row.content = serde_json::to_string(&content).expect("content serialises");
                    }
                    Err(crate::engine::EngineError::Api(e)) if !e.is_permanent() => continue,
                    Err(e) => {
                        store.mark_failed(&row.msgid, &e.to_string())?;
                        continue;
                    }
                }
            }
            self.push_reply(store, &row).await?;
            pushed += 1;
        }
        Ok(pushed)
    }

    /// Pushes one local reply to the shared outbox and marks it pushed; a refusal is final and
    /// marks the local reply failed with the reason (and who has the customer).
    pub async fn push_reply(
        &self,
        store: &Store,
        row: &crate::store::OutboxRow,
    ) -> Result<ReplyVerdict, TeamError> {
        let summary = store.message_text(&row.open_kfid, &row.msgid)?;
        let msgtype = serde_json::from_str::<Value>(&row.content)
            .ok()
            .and_then(|v| v["msgtype"].as_str().map(str::to_owned))
            .unwrap_or_else(|| "text".into());
        let now = self.clock().now();
        let json = self
            .verdict_of(
                "SELECT kefu.enqueue_reply($1, $2, $3, $4, $5, $6, $7)::text",
                &[
                    &row.msgid,
                    &row.open_kfid,
                    &row.external_userid,
                    &row.content,
                    &msgtype,
                    &summary,
                    &now,
                ],
            )
            .await?;
        store.mark_pushed(&row.msgid)?;
        let (state, refused, owner) = verdict(&json);
        Ok(match (state, refused) {
            (Some(state), None) => ReplyVerdict::Accepted(state),
            (_, reason) => {
                let reason = reason.unwrap_or_else(|| "unknown".into());
                let why = match &owner {
                    Some(o) if reason == "not_mine" => {
                        format!("team: {o} is handling this customer; not sent")
                    }
                    _ => format!("team: refused ({reason}); not sent"),
                };
                store.mark_failed(&row.msgid, &why)?;
                ReplyVerdict::Refused { reason, owner }
            }
        })
    }

    /// Sets the shared note on a customer.
    pub async fn set_note(
        &self,
        store: &Store,
        customer: &str,
        note: &str,
    ) -> Result<(), TeamError> {
        let now = self.clock().now();
        self.query(
            "SELECT kefu.set_note($1, $2, $3)",
            &[&customer, &note, &now],
        )
        .await?;
        self.pull(store).await.map(drop)
    }

    /// Adds or changes a team canned reply (the mirror has it on return).
    pub async fn canned_put(
        &self,
        store: &Store,
        id: &str,
        draft: &crate::canned::Draft,
    ) -> Result<(), TeamError> {
        self.canned_put_many(store, &[(id.to_owned(), draft.clone())])
            .await
    }

    /// Adds or changes several team canned replies (an import), then pulls once.
    pub async fn canned_put_many(
        &self,
        store: &Store,
        replies: &[(String, crate::canned::Draft)],
    ) -> Result<(), TeamError> {
        let now = self.clock().now();
        for (id, d) in replies {
            self.query(
                "SELECT kefu.canned_put($1, $2, $3, $4, $5, $6)",
                &[id, &d.folder, &d.title, &d.shortcut, &d.body, &now],
            )
            .await?;
        }
        self.pull(store).await.map(drop)
    }

    /// Removes a team canned reply.
    pub async fn canned_delete(&self, store: &Store, id: &str) -> Result<(), TeamError> {
        let now = self.clock().now();
        self.query("SELECT kefu.canned_delete($1, $2)", &[&id, &now])
            .await?;
        self.pull(store).await.map(drop)
    }

    /// Sets the shared tags of a customer.
    pub async fn set_tags(
        &self,
        store: &Store,
        customer: &str,
        tags: &[String],
    ) -> Result<(), TeamError> {
        let now = self.clock().now();
        self.query(
            "SELECT kefu.set_tags($1, $2, $3)",
            &[&customer, &tags, &now],
        )
        .await?;
        self.pull(store).await.map(drop)
    }

    /// This agent's presence (online | away | offline), refreshed as a heartbeat.
    pub async fn heartbeat(&self, presence: &str) -> Result<(), TeamError> {
        let now = self.clock().now();
        self.query("SELECT kefu.heartbeat($1, $2)", &[&presence, &now])
            .await
            .map(drop)
    }

    /// The team's agents with their presence and load (the transfer list).
    pub async fn agents(&self) -> Result<Vec<TeamAgent>, TeamError> {
        let now = self.clock().now();
        let rows = self
            .query(
                "SELECT a.name,
                            CASE WHEN a.last_seen_at >= $1::bigint - 60 THEN a.presence ELSE 'offline' END,
                            a.capacity,
                            (SELECT count(*) FROM kefu.session s WHERE s.state = 'mine' AND s.owner = a.name)
                     FROM kefu.agent a ORDER BY a.name",
                &[&now],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| TeamAgent {
                name: r.get(0),
                presence: r.get(1),
                capacity: r.get(2),
                active: r.get(3),
            })
            .collect())
    }

    /// Says this agent is typing to a customer (the others' composers show it for 10 s).
    pub async fn set_typing(&self, open_kfid: &str, customer: &str) -> Result<(), TeamError> {
        let now = self.clock().now();
        self.query(
            "SELECT kefu.set_typing($1, $2, $3)",
            &[&open_kfid, &customer, &now],
        )
        .await
        .map(drop)
    }

    /// Colleagues (not this agent) who typed to this customer in the last 10 s.
    pub async fn typing(&self, open_kfid: &str, customer: &str) -> Result<Vec<Typing>, TeamError> {
        let now = self.clock().now();
        let rows = self
            .query(
                "SELECT agent, typed_at FROM kefu.typing
                     WHERE open_kfid = $1 AND external_userid = $2 AND agent <> session_user AND typed_at >= $3::bigint - 10
                     ORDER BY typed_at DESC",
                &[&open_kfid, &customer, &now],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| Typing {
                agent: r.get(0),
                at: r.get(1),
            })
            .collect())
    }
}
