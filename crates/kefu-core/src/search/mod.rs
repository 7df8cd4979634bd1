//! Offline history search, without SQL: folding ([`fold`]), what a query means ([`Query`]), how
//! texts and queries become index tokens ([`tokens`]), snippets with highlights ([`snippet`]),
//! and which text of a message is searchable ([`text_of`]). The SQL lives in `store::search`.
//!
//! A message matches when its folded text contains every folded term as a substring. The
//! index only narrows the candidates; each candidate's text is checked, so results are exactly
//! those of a brute-force scan.

pub mod fold;
pub mod query;
pub mod snippet;
pub mod tokens;

pub use fold::fold;
pub use query::Query;
pub use snippet::{Segment, snippet};

use kefu_wechat::message::{Body, MenuItem};

/// The searchable text of a message body other than plain text (whose content is stored as
/// the message text): file names, link and card titles, places, menus, merged history.
pub fn text_of(body: &Body) -> Option<String> {
    let parts: Vec<&str> = match body {
        Body::Text { text } => vec![text.content.as_str()],
        Body::Location { location } => [&location.name, &location.address]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect(),
        Body::Link { link } => {
            let mut v = vec![link.title.as_str()];
            v.extend(link.desc.as_deref());
            v
        }
        Body::Miniprogram { miniprogram } => vec![miniprogram.title.as_str()],
        Body::Msgmenu { msgmenu } => {
            let mut v: Vec<&str> = msgmenu.head_content.as_deref().into_iter().collect();
            v.extend(msgmenu.list.iter().map(|item| match item {
                MenuItem::Click { click } => click.content.as_str(),
                MenuItem::View { view } => view.content.as_str(),
                MenuItem::Miniprogram { miniprogram } => miniprogram.content.as_str(),
                MenuItem::Text { text } => text.content.as_str(),
            }));
            v.extend(msgmenu.tail_content.as_deref());
            v
        }
        Body::ChannelsShopProduct {
            channels_shop_product: p,
        } => vec![p.title.as_str(), p.shop_nickname.as_str()],
        Body::ChannelsShopOrder {
            channels_shop_order: o,
        } => vec![o.product_titles.as_str(), o.shop_nickname.as_str()],
        Body::MergedMsg { merged_msg } => {
            let mut v = vec![merged_msg.title.as_str()];
            v.extend(merged_msg.item.iter().map(|i| i.msg_content.as_str()));
            v
        }
        Body::Channels { channels } => {
            let mut v = vec![channels.nickname.as_str()];
            v.extend(channels.title.as_deref());
            v
        }
        _ => Vec::new(),
    };
    let parts: Vec<&str> = parts.into_iter().filter(|p| !p.is_empty()).collect();
    (!parts.is_empty()).then(|| parts.join("\n"))
}
