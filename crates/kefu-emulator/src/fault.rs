//! Fault injection: make the next N calls of an endpoint fail in a chosen way, or a random share
//! of all calls ("chaos"), so clients are tested against what real networks and WeChat do.

use crate::rng::Rng;
use serde::{Deserialize, Serialize};

/// One way a call can go wrong.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// Answer this errcode (HTTP 200, as WeChat does).
    Errcode(i64),
    /// Answer this HTTP status with an HTML body.
    Http(u16),
    /// Wait this long, then answer normally.
    DelayMs(u64),
    /// Start answering, then drop the connection.
    Drop,
    /// `sync_msg` only: also return the last N items already delivered.
    RepeatItems(usize),
    /// `sync_msg` only: an empty page with `has_more = 1` and the cursor unchanged.
    EmptyHasMore,
}

/// A rule: the next `count` calls to `endpoint` (`*` for any) fail with `fault`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FaultRule {
    /// Endpoint path without `/cgi-bin/`, e.g. `kf/sync_msg`, or `*`.
    pub endpoint: String,
    /// How many calls.
    pub count: u32,
    /// What happens.
    pub fault: Fault,
}

/// Random faults on a share of business calls.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Chaos {
    /// Probability that a call fails, 0–1.
    pub rate: f64,
    /// Seed for the choice of calls and faults.
    pub seed: u64,
}

/// All configured faults.
#[derive(Debug, Default)]
pub struct Faults {
    rules: Vec<FaultRule>,
    chaos: Option<(f64, Rng)>,
    /// How many faults were applied, for tests that want to know the run was really faulty.
    pub applied: u64,
    /// Calls seen per endpoint.
    calls: std::collections::HashMap<String, u64>,
}

impl Faults {
    /// How many calls `endpoint` has received.
    pub fn calls(&self, endpoint: &str) -> u64 {
        self.calls.get(endpoint).copied().unwrap_or(0)
    }

    /// Adds a rule.
    pub fn add(&mut self, rule: FaultRule) {
        self.rules.push(rule);
    }

    /// Starts (rate > 0) or stops chaos.
    pub fn set_chaos(&mut self, chaos: Option<Chaos>) {
        self.chaos = chaos
            .filter(|c| c.rate > 0.0)
            .map(|c| (c.rate.min(1.0), Rng::new(c.seed)));
    }

    /// Removes every rule and stops chaos.
    pub fn clear(&mut self) {
        self.rules.clear();
        self.chaos = None;
    }

    /// The fault for this call of `endpoint`, if any; consumes one use of a matching rule.
    pub fn take(&mut self, endpoint: &str) -> Option<Fault> {
        *self.calls.entry(endpoint.to_owned()).or_default() += 1;
        if let Some(i) = self
            .rules
            .iter()
            .position(|r| r.endpoint == endpoint || r.endpoint == "*")
        {
            let rule = &mut self.rules[i];
            rule.count = rule.count.saturating_sub(1);
            let fault = rule.fault.clone();
            if rule.count == 0 {
                self.rules.remove(i);
            }
            self.applied += 1;
            return Some(fault);
        }
        let (rate, rng) = self.chaos.as_mut()?;
        if endpoint == "gettoken" || !rng.chance(*rate) {
            return None;
        }
        let is_sync = endpoint == "kf/sync_msg";
        let fault = match rng.below(if is_sync { 7 } else { 5 }) {
            0 => Fault::Errcode(-1),
            1 => Fault::Http(502),
            2 => Fault::DelayMs(50 + rng.below(250)),
            3 => Fault::Drop,
            4 => Fault::Errcode(40014),
            5 => Fault::RepeatItems(1 + rng.below(5) as usize),
            _ => Fault::EmptyHasMore,
        };
        self.applied += 1;
        Some(fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_consumed_in_order_and_match_endpoints() {
        let mut f = Faults::default();
        f.add(FaultRule {
            endpoint: "kf/send_msg".into(),
            count: 2,
            fault: Fault::Errcode(-1),
        });
        assert_eq!(f.take("kf/sync_msg"), None, "a rule only hits its endpoint");
        assert_eq!(f.take("kf/send_msg"), Some(Fault::Errcode(-1)));
        assert_eq!(f.take("kf/send_msg"), Some(Fault::Errcode(-1)));
        assert_eq!(f.take("kf/send_msg"), None, "the rule was used up");
    }

    #[test]
    fn chaos_hits_about_its_rate() {
        let mut f = Faults::default();
        f.set_chaos(Some(Chaos {
            rate: 0.33,
            seed: 1,
        }));
        let hits = (0..3000)
            .filter(|_| f.take("kf/sync_msg").is_some())
            .count();
        assert!(
            (800..1200).contains(&hits),
            "chaos at 0.33 hit {hits} of 3000"
        );
        assert_eq!(f.take("gettoken"), None, "gettoken is never chaotic");
    }
}
