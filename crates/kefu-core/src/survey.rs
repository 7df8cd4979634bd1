//! The closing message and the satisfaction survey sent when a session is ended here: WeChat
//! answers the move to "ended" (`service_state/trans` → 4) with a single-use `msg_code`, and
//! `send_msg_on_event` sends with it a menu message — 满意 / 一般 / 不满意 — after the closing
//! text. A customer's click comes back as a text with the item's `menu_id`
//! (`kefu_csat_<rating>`), so answers are messages like any other: stored and mirrored with the
//! log, read back by migration 010's view `survey_answer`.

use kefu_wechat::message::{Menu, MenuClick, MenuItem};
use kefu_wechat::send::Content;

/// The prefix of the survey items' menu ids; the rating (1–3) follows.
pub const MENU_ID_PREFIX: &str = "kefu_csat_";

/// Ratings, best first: (rating, zh-CN label, English label).
pub const RATINGS: [(u8, &str, &str); 3] = [
    (3, "满意", "Satisfied"),
    (2, "一般", "Neutral"),
    (1, "不满意", "Unsatisfied"),
];

/// What ending a session sends.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Closing {
    /// The closing text; none: no text (the survey alone, or nothing).
    pub text: Option<String>,
    /// Ask for a rating.
    pub survey: bool,
}

/// The message to send with the end code, or none when there is nothing to send.
pub fn closing_content(closing: &Closing) -> Option<Content> {
    let text = closing
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    if !closing.survey {
        return text.map(Content::text);
    }
    let head = match text {
        Some(t) => format!("{t}\n请您对本次服务进行评价："),
        None => "请您对本次服务进行评价：".to_string(),
    };
    Some(Content::Msgmenu {
        msgmenu: Menu {
            head_content: Some(head),
            list: RATINGS
                .iter()
                .map(|(rating, zh, _)| MenuItem::Click {
                    click: MenuClick {
                        id: Some(format!("{MENU_ID_PREFIX}{rating}")),
                        content: (*zh).to_string(),
                    },
                })
                .collect(),
            tail_content: Some("感谢您的反馈".into()),
        },
    })
}

/// The rating a menu id stands for.
pub fn rating_of(menu_id: &str) -> Option<u8> {
    let r: u8 = menu_id.strip_prefix(MENU_ID_PREFIX)?.parse().ok()?;
    RATINGS.iter().any(|(x, _, _)| *x == r).then_some(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_survey_is_a_menu_of_three_ratings_after_the_closing_text() {
        let c = closing_content(&Closing {
            text: Some("感谢咨询，祝您生活愉快".into()),
            survey: true,
        })
        .expect("content");
        let json = serde_json::to_value(&c).expect("json");
        assert_eq!(json["msgtype"], "msgmenu");
        assert_eq!(
            json["msgmenu"]["head_content"],
            "感谢咨询，祝您生活愉快\n请您对本次服务进行评价："
        );
        let ids: Vec<_> = json["msgmenu"]["list"]
            .as_array()
            .expect("list")
            .iter()
            .map(|i| (i["click"]["id"].clone(), i["click"]["content"].clone()))
            .collect();
        assert_eq!(
            ids,
            [
                (serde_json::json!("kefu_csat_3"), serde_json::json!("满意")),
                (serde_json::json!("kefu_csat_2"), serde_json::json!("一般")),
                (
                    serde_json::json!("kefu_csat_1"),
                    serde_json::json!("不满意")
                ),
            ]
        );
    }

    #[test]
    fn without_a_survey_only_the_text_and_without_either_nothing() {
        let text = closing_content(&Closing {
            text: Some(" 再见 ".into()),
            survey: false,
        });
        assert_eq!(text, Some(Content::text("再见")));
        assert_eq!(
            closing_content(&Closing {
                text: Some("  ".into()),
                survey: false
            }),
            None
        );
        assert_eq!(closing_content(&Closing::default()), None);
    }

    #[test]
    fn ratings_come_only_from_our_menu_ids() {
        assert_eq!(rating_of("kefu_csat_3"), Some(3));
        assert_eq!(rating_of("kefu_csat_1"), Some(1));
        assert_eq!(rating_of("kefu_csat_4"), None);
        assert_eq!(rating_of("other_3"), None);
        assert_eq!(rating_of("kefu_csat_"), None);
    }
}
