//! Identifier newtypes, so an account id can never be passed where a customer id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// The id as the API spells it.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(s)
            }
        }
    };
}

string_id!(
    /// A customer-service account (`open_kfid`, examples start with `wk`).
    OpenKfId
);
string_id!(
    /// A WeChat customer (`external_userid`, examples start with `wm`).
    ExternalUserId
);
string_id!(
    /// A WeCom member who serves customers (`servicer_userid` / `userid`).
    ServicerId
);
string_id!(
    /// A message id (`msgid`); for our own replies, chosen by us (≤ 32 of `[0-9a-zA-Z_-]`).
    MsgId
);

impl MsgId {
    /// Whether `s` is acceptable as a `send_msg` msgid: 1–32 bytes of `[0-9a-zA-Z_-]`.
    pub fn is_valid_for_send(s: &str) -> bool {
        !s.is_empty()
            && s.len() <= 32
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn send_msgid_charset_and_length() {
        assert!(MsgId::is_valid_for_send("abc_DEF-123"));
        assert!(MsgId::is_valid_for_send(&"a".repeat(32)));
        assert!(
            !MsgId::is_valid_for_send(&"a".repeat(33)),
            "longer than 32 bytes"
        );
        assert!(
            !MsgId::is_valid_for_send(""),
            "empty msgid is rejected by the API"
        );
        assert!(
            !MsgId::is_valid_for_send("a b"),
            "space is outside the charset"
        );
        assert!(
            !MsgId::is_valid_for_send("订单"),
            "non-ASCII is outside the charset"
        );
    }
}
