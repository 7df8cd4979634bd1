//! Satisfaction survey answers (migration 010's `survey_answer`): a customer's latest answer for
//! the customer panel, and the answers of a date range, by rating and by agent, for reports.

use super::{Result, Store};
use rusqlite::{OptionalExtension, params};

/// Answers per agent who ended the session (`None`: not ended here).
pub type SurveyByAgent = Vec<(Option<String>, SurveyCounts)>;

/// Answers of a range: counts by rating.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SurveyCounts {
    /// 满意.
    pub satisfied: u64,
    /// 一般.
    pub neutral: u64,
    /// 不满意.
    pub unsatisfied: u64,
}

impl SurveyCounts {
    /// Every answer.
    pub fn answers(&self) -> u64 {
        self.satisfied + self.neutral + self.unsatisfied
    }

    fn add(&mut self, rating: i64, n: u64) {
        match rating {
            3 => self.satisfied += n,
            2 => self.neutral += n,
            _ => self.unsatisfied += n,
        }
    }
}

impl Store {
    /// The customer's latest answer: (rating 1–3, when).
    pub fn latest_survey(&self, customer: &str) -> Result<Option<(i64, i64)>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT rating, answered_at FROM survey_answer WHERE external_userid = ?1
                 ORDER BY answered_at DESC LIMIT 1",
                [customer],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// Answers given in `[since, until)`: in all, and per agent who ended the session here
    /// (`None`: ended elsewhere, or by nobody here).
    pub fn survey_counts(&self, since: i64, until: i64) -> Result<(SurveyCounts, SurveyByAgent)> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT agent, rating, count(*) FROM survey_answer
             WHERE answered_at >= ?1 AND answered_at < ?2 GROUP BY agent, rating ORDER BY agent",
        )?;
        let mut total = SurveyCounts::default();
        let mut by_agent: SurveyByAgent = Vec::new();
        let rows = stmt.query_map(params![since, until], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        for row in rows {
            let (agent, rating, n) = row?;
            let n = n as u64;
            total.add(rating, n);
            match by_agent.last_mut() {
                Some((a, c)) if *a == agent => c.add(rating, n),
                _ => {
                    let mut c = SurveyCounts::default();
                    c.add(rating, n);
                    by_agent.push((agent, c));
                }
            }
        }
        Ok((total, by_agent))
    }
}
