//! The rows of a report from the team database: the same rows as the local store's
//! (`Store::report_input`), so a team lead's report uses the one reducer in [`crate::report`].

use super::{Team, TeamError};
use crate::report::{Item, ItemKind, Refusal, ReportInput, ReportQuery, errcode_in};
use futures_util::{StreamExt, pin_mut};

const MESSAGES: &str = "SELECT m.open_kfid, m.external_userid, m.origin, m.send_time,
        COALESCE(m.sent_by, m.servicer_userid)
 FROM kefu.message m
 WHERE m.send_time >= $1 AND m.send_time < $2 AND m.origin IN (0, 3, 5)
   AND m.external_userid IS NOT NULL
   AND (m.origin <> 0 OR NOT EXISTS (
        SELECT 1 FROM kefu.outbox o WHERE o.msgid = m.msgid AND o.state <> 'sent'))";

const ENDS: &str = "SELECT open_kfid, external_userid, ended_at, false FROM kefu.session_end
 WHERE ended_at >= $1 AND ended_at < $2
 UNION ALL
 SELECT open_kfid, external_userid, send_time, true FROM kefu.message
 WHERE send_time >= $1 AND send_time < $2 AND origin = 4 AND msgtype = 'event'
   AND external_userid IS NOT NULL
   AND json::jsonb #>> '{event,event_type}' = 'session_status_change'
   AND json::jsonb #>> '{event,change_type}' = '3'";

const REFUSED: &str = "SELECT open_kfid, created_at, sent_by, last_error FROM kefu.outbox
 WHERE state = 'failed' AND created_at >= $1 AND created_at < $2";

impl Team {
    /// Loads what [`crate::report::compute`] needs for `query` from the team database.
    pub async fn report_input(&self, query: &ReportQuery) -> Result<ReportInput, TeamError> {
        let r = self.load_report(query).await;
        self.observe(r).await
    }

    async fn load_report(&self, query: &ReportQuery) -> Result<ReportInput, TeamError> {
        let client = self.client().await?;
        let mut input = ReportInput::default();
        for row in client
            .query("SELECT open_kfid, name FROM kefu.account", &[])
            .await?
        {
            input.name_account(row.get(0), row.get(1));
        }
        let range = [query.load_from(), query.until];
        // Streamed: a month of a busy desk is a million rows.
        let rows = client.query_raw(MESSAGES, range).await?;
        pin_mut!(rows);
        while let Some(row) = rows.next().await {
            let row = row?;
            let origin: i32 = row.get(2);
            let time: i64 = row.get(3);
            let (kind, actor) = if origin == 3 {
                (ItemKind::Customer, 0)
            } else {
                let name: &str = row.get::<_, Option<&str>>(4).unwrap_or("?");
                let actor = input.actor(name, origin == 5);
                (ItemKind::Reply, actor)
            };
            let conv = input.conversation(row.get(0), row.get(1));
            input.push(Item {
                conv,
                time,
                kind,
                actor,
            });
        }
        for row in client.query(ENDS, &[&range[0], &range[1]]).await? {
            let conv = input.conversation(row.get(0), row.get(1));
            input.push(Item {
                conv,
                time: row.get(2),
                kind: ItemKind::End {
                    in_wecom: row.get(3),
                },
                actor: 0,
            });
        }
        for row in client.query(REFUSED, &[&query.since, &query.until]).await? {
            let account = input.account(row.get(0));
            let actor = input.actor(row.get(2), false);
            input.refused(Refusal {
                account,
                time: row.get(1),
                actor,
                errcode: row.get::<_, Option<&str>>(3).and_then(errcode_in),
            });
        }
        Ok(input)
    }
}
