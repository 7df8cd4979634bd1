//! Scenarios as data (`scenarios/*.json`, schema in `scenarios/README.md`): accounts, customer
//! profiles, products and scripted conversations, and the rendering of a script line into a
//! message body with its placeholders filled from a seeded generator.

use crate::rng::Rng;
use crate::state::{AccountState, ServicerState, State};
use kefu_wechat::api::{Account, MediaType};
use kefu_wechat::message::{Body, Media, Text};
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;

mod media {
    include!(concat!(env!("OUT_DIR"), "/media.rs"));
}

/// A scenario file.
#[derive(Clone, Debug, Deserialize)]
pub struct Scenario {
    /// Name.
    pub name: String,
    /// One-line description.
    #[serde(default)]
    pub description: String,
    /// Accounts and their servicers.
    pub accounts: Vec<ScenarioAccount>,
    /// A new customer every uniform [min, max] seconds.
    pub arrival_secs: [u64; 2],
    /// Pause between a customer's lines.
    pub line_gap_secs: [u64; 2],
    /// Chance that a customer recalls a text just sent.
    #[serde(default)]
    pub recall_chance: f64,
    /// Chance per conversation that a servicer takes it in the WeCom client.
    #[serde(default)]
    pub handover_chance: f64,
    /// `[min, max]` scenario seconds after which a customer nobody has answered is taken by a
    /// colleague in the WeCom client (a servicer on duty), so the waiting queue stays the size of
    /// a real desk's. None: customers wait until the agent answers.
    #[serde(default)]
    pub colleague_after_secs: Option<[u64; 2]>,
    /// Chance that a customer taps an item of a menu message they receive after their last line
    /// (a satisfaction survey): the first item most often, then the second, then the rest.
    #[serde(default)]
    pub menu_answer_chance: f64,
    /// Profile pool.
    pub customers: Vec<ScenarioCustomer>,
    /// Product names for `{product}`.
    #[serde(default)]
    pub products: Vec<String>,
    /// Conversations.
    pub scripts: Vec<Script>,
}

/// An account of a scenario.
#[derive(Clone, Debug, Deserialize)]
pub struct ScenarioAccount {
    /// Account id.
    pub open_kfid: String,
    /// Name.
    pub name: String,
    /// Avatar URL.
    #[serde(default)]
    pub avatar: String,
    /// Servicers.
    #[serde(default)]
    pub servicers: Vec<ScenarioServicer>,
}

/// A servicer of a scenario account (list API encoding: 0 receiving, 1 stopped).
#[derive(Clone, Debug, Deserialize)]
pub struct ScenarioServicer {
    /// Member id.
    pub userid: String,
    /// 0 receiving, 1 stopped.
    #[serde(default)]
    pub status: u32,
    /// When stopped.
    #[serde(default)]
    pub stop_type: Option<u32>,
}

/// A customer profile.
#[derive(Clone, Debug, Deserialize)]
pub struct ScenarioCustomer {
    /// Nickname.
    pub nickname: String,
    /// 0 unknown, 1 male, 2 female.
    #[serde(default)]
    pub gender: u32,
    /// Avatar URL.
    #[serde(default)]
    pub avatar: String,
}

/// A scripted conversation.
#[derive(Clone, Debug, Deserialize)]
pub struct Script {
    /// Topic label.
    pub topic: String,
    /// Relative frequency.
    #[serde(default = "one")]
    pub weight: u32,
    /// `scene` of the enter-session event.
    #[serde(default)]
    pub scene: Option<String>,
    /// Lines in order.
    pub lines: Vec<Line>,
}

fn one() -> u32 {
    1
}

/// One line: exactly one kind key (`text`, `image`, …, or any kf msgtype with its body).
#[derive(Clone, Debug, Deserialize)]
pub struct Line {
    /// Wait for the agent's reply before saying this line.
    #[serde(default)]
    pub after_reply: bool,
    /// The kind key and its value.
    #[serde(flatten)]
    pub kind: HashMap<String, Value>,
}

impl Scenario {
    /// A scenario shipped with the emulator: `default` or `quiet`.
    pub fn builtin(name: &str) -> Option<Scenario> {
        let text = match name {
            "default" => include_str!("../scenarios/default.json"),
            "quiet" => include_str!("../scenarios/quiet.json"),
            _ => return None,
        };
        Some(serde_json::from_str(text).expect("built-in scenarios are valid (tested)"))
    }

    /// Loads a scenario file.
    pub fn from_json(text: &str) -> Result<Scenario, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// Puts the scenario's accounts and servicers into the corp.
    pub fn install(&self, state: &mut State) {
        for a in &self.accounts {
            if state
                .accounts
                .iter()
                .any(|x| x.account.open_kfid.as_str() == a.open_kfid)
            {
                continue;
            }
            state.accounts.push(AccountState {
                account: Account {
                    open_kfid: a.open_kfid.clone().into(),
                    name: a.name.clone(),
                    avatar: a.avatar.clone(),
                    manage_privilege: Some(true),
                },
                servicers: a
                    .servicers
                    .iter()
                    .map(|s| ServicerState {
                        userid: s.userid.clone().into(),
                        status: s.status,
                        stop_type: s.stop_type,
                    })
                    .collect(),
            });
        }
    }

    /// A script chosen by weight.
    pub fn pick_script(&self, rng: &mut Rng) -> &Script {
        let total: u64 = self
            .scripts
            .iter()
            .map(|s| u64::from(s.weight.max(1)))
            .sum();
        let mut n = rng.below(total);
        for s in &self.scripts {
            let w = u64::from(s.weight.max(1));
            if n < w {
                return s;
            }
            n -= w;
        }
        &self.scripts[0]
    }
}

/// Values drawn once per conversation, so a customer quotes the same order number throughout.
pub struct Placeholders(HashMap<&'static str, String>);

impl Placeholders {
    /// Draws a conversation's values.
    pub fn draw(rng: &mut Rng, products: &[String]) -> Self {
        let mut m = HashMap::new();
        m.insert("order", rng.digits(19));
        m.insert(
            "phone",
            format!(
                "1{}{}",
                ["3", "5", "7", "8", "9"][rng.below(5) as usize],
                rng.digits(9)
            ),
        );
        m.insert("tracking", format!("SF{}", rng.digits(12)));
        m.insert(
            "amount",
            format!(
                "{}.{:02}",
                rng.between(9, 2999),
                [0, 0, 90, 99, 50][rng.below(5) as usize]
            ),
        );
        let product = if products.is_empty() {
            "商品".to_owned()
        } else {
            products[rng.below(products.len() as u64) as usize].clone()
        };
        m.insert("product", product);
        m.insert(
            "date",
            format!("{}月{}日", rng.between(1, 12), rng.between(1, 28)),
        );
        Self(m)
    }

    /// Fills `{name}` placeholders in a string.
    pub fn fill(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for (k, v) in &self.0 {
            out = out.replace(&format!("{{{k}}}"), v);
        }
        out
    }

    fn fill_value(&self, v: &Value) -> Value {
        match v {
            Value::String(s) => Value::String(self.fill(s)),
            Value::Array(a) => Value::Array(a.iter().map(|x| self.fill_value(x)).collect()),
            Value::Object(o) => Value::Object(
                o.iter()
                    .map(|(k, x)| (k.clone(), self.fill_value(x)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

/// The bytes of a scenario media file.
pub fn media_file(name: &str) -> Option<&'static [u8]> {
    media::MEDIA
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, b)| *b)
}

fn content_type_for(name: &str) -> &'static str {
    match name
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
        .as_str()
    {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "amr" => "audio/amr",
        "mp4" => "video/mp4",
        "pdf" => "application/pdf",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    }
}

/// A message carrying the scenario media file `name`, uploaded into the corp's media store
/// first; `None` for an unknown file.
pub fn media_body(media_type: MediaType, name: &str, state: &mut State) -> Option<Body> {
    let bytes = media_file(name)?;
    let (media_id, _) = state
        .media_upload(
            Some(media_type.as_str()),
            name.to_owned(),
            content_type_for(name).to_owned(),
            bytes::Bytes::from_static(bytes),
        )
        .ok()?;
    let media = Media { media_id };
    Some(match media_type {
        MediaType::Image => Body::Image { image: media },
        MediaType::Voice => Body::Voice { voice: media },
        MediaType::Video => Body::Video { video: media },
        MediaType::File => Body::File { file: media },
    })
}

/// The kind of message a scenario media file is sent as, by its extension.
pub fn media_type_of(name: &str) -> MediaType {
    match content_type_for(name).split('/').next() {
        Some("image") => MediaType::Image,
        Some("audio") => MediaType::Voice,
        Some("video") => MediaType::Video,
        _ => MediaType::File,
    }
}

/// Renders a line into a message body; media lines upload their file into the corp's media
/// store first. `None` when the line is not usable (unknown media file, no kind key).
pub fn render_line(line: &Line, values: &Placeholders, state: &mut State) -> Option<Body> {
    let (kind, value) = line.kind.iter().next()?;
    if let Some(media_type) = MediaType::parse(kind) {
        return media_body(media_type, value.as_str()?, state);
    }
    if kind == "text" {
        return Some(Body::Text {
            text: Text {
                content: values.fill(value.as_str()?),
                menu_id: None,
            },
        });
    }
    let mut object = serde_json::Map::new();
    object.insert("msgtype".into(), Value::String(kind.clone()));
    object.insert(kind.clone(), values.fill_value(value));
    serde_json::from_value(Value::Object(object)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Config;

    #[test]
    fn builtin_scenarios_render_every_line() {
        for name in ["default", "quiet"] {
            let scenario = Scenario::builtin(name).expect("built-in scenario");
            assert!(
                !scenario.scripts.is_empty() && !scenario.customers.is_empty(),
                "{name} has content"
            );
            let mut state = State::new(Config::default(), 1);
            scenario.install(&mut state);
            let mut rng = Rng::new(3);
            for script in &scenario.scripts {
                let values = Placeholders::draw(&mut rng, &scenario.products);
                for line in &script.lines {
                    let body = render_line(line, &values, &mut state);
                    assert!(
                        body.is_some(),
                        "{name}/{}: line {:?} must render",
                        script.topic,
                        line.kind
                    );
                    let json = serde_json::to_string(&body).expect("serialises");
                    assert!(
                        !json.contains("{order}") && !json.contains("{phone}"),
                        "placeholders filled: {json}"
                    );
                }
            }
        }
    }
}
