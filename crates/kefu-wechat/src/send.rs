//! Outbound message bodies for `kf/send_msg` and `kf/send_msg_on_event`.

use crate::message::Menu;
use serde::{Deserialize, Serialize};

/// A sendable body, tagged by `msgtype`; serialised after `msgid` in the request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "msgtype", rename_all = "snake_case")]
pub enum Content {
    /// Text, ≤ 2048 bytes.
    Text {
        /// Body.
        text: TextContent,
    },
    /// Image from `media/upload`.
    Image {
        /// Body.
        image: MediaContent,
    },
    /// Voice (AMR) from `media/upload`.
    Voice {
        /// Body.
        voice: MediaContent,
    },
    /// Video (MP4) from `media/upload`.
    Video {
        /// Body.
        video: MediaContent,
    },
    /// File from `media/upload`.
    File {
        /// Body.
        file: MediaContent,
    },
    /// Link card.
    Link {
        /// Body.
        link: LinkContent,
    },
    /// Mini-program card.
    Miniprogram {
        /// Body.
        miniprogram: MiniprogramContent,
    },
    /// Menu (≤ 10 items).
    Msgmenu {
        /// Body.
        msgmenu: Menu,
    },
    /// Location.
    Location {
        /// Body.
        location: LocationContent,
    },
    /// Customer-acquisition link.
    CaLink {
        /// Body.
        ca_link: CaLinkContent,
    },
}

impl Content {
    /// A text body.
    pub fn text(content: impl Into<String>) -> Self {
        Content::Text {
            text: TextContent {
                content: content.into(),
            },
        }
    }

    /// The wire `msgtype`.
    pub fn msgtype(&self) -> &'static str {
        match self {
            Content::Text { .. } => "text",
            Content::Image { .. } => "image",
            Content::Voice { .. } => "voice",
            Content::Video { .. } => "video",
            Content::File { .. } => "file",
            Content::Link { .. } => "link",
            Content::Miniprogram { .. } => "miniprogram",
            Content::Msgmenu { .. } => "msgmenu",
            Content::Location { .. } => "location",
            Content::CaLink { .. } => "ca_link",
        }
    }
}

/// Text body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TextContent {
    /// The text.
    pub content: String,
}

/// Media body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MediaContent {
    /// From `media/upload`.
    pub media_id: String,
}

/// Link card body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkContent {
    /// ≤ 128 bytes.
    pub title: String,
    /// ≤ 512 bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desc: Option<String>,
    /// http(s) URL, ≤ 2048 bytes.
    pub url: String,
    /// Cover, required.
    pub thumb_media_id: String,
}

/// Mini-program card body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MiniprogramContent {
    /// App id linked to the enterprise.
    pub appid: String,
    /// ≤ 64 bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Cover.
    pub thumb_media_id: String,
    /// Page path.
    pub pagepath: String,
}

/// Location body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LocationContent {
    /// Place name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// −90..90.
    pub latitude: f64,
    /// −180..180.
    pub longitude: f64,
}

/// Customer-acquisition link body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaLinkContent {
    /// Link created by 获客助手.
    pub link_url: String,
}
