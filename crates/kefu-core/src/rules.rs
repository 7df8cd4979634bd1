//! WeChat's reply rules, checked locally so a doomed `send_msg` is never made: only in a session
//! the API owns (local waiting/mine = WeChat 0/1), within 48 h of the customer's last message,
//! at most 5 replies until the customer writes again.

use crate::store::ReplyRefused;

/// The reply window after a customer message.
pub const WINDOW_SECS: i64 = 48 * 3600;
/// Replies allowed per customer message.
pub const REPLY_QUOTA: i64 = 5;

/// Whether a reply may be sent now.
pub fn may_reply(
    local_state: &str,
    last_customer_msg_at: Option<i64>,
    replies_since: i64,
    now: i64,
) -> Result<(), ReplyRefused> {
    match local_state {
        "wecom" => return Err(ReplyRefused::InWecom),
        "ended" => return Err(ReplyRefused::Ended),
        _ => {}
    }
    match last_customer_msg_at {
        Some(t) if now - t <= WINDOW_SECS => {}
        _ => return Err(ReplyRefused::WindowClosed),
    }
    if replies_since >= REPLY_QUOTA {
        return Err(ReplyRefused::QuotaUsed);
    }
    Ok(())
}

/// Seconds left in the window (0 when closed).
pub fn window_left(last_customer_msg_at: Option<i64>, now: i64) -> i64 {
    last_customer_msg_at
        .map(|t| (t + WINDOW_SECS - now).max(0))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_rules() {
        let t = 1_000_000;
        assert_eq!(may_reply("waiting", Some(t), 0, t), Ok(()));
        assert_eq!(
            may_reply("mine", Some(t), 4, t + WINDOW_SECS),
            Ok(()),
            "the 5th reply at the last second is allowed"
        );
        assert_eq!(
            may_reply("mine", Some(t), 5, t),
            Err(ReplyRefused::QuotaUsed),
            "the 6th reply is refused"
        );
        assert_eq!(
            may_reply("mine", Some(t), 0, t + WINDOW_SECS + 1),
            Err(ReplyRefused::WindowClosed)
        );
        assert_eq!(
            may_reply("mine", None, 0, t),
            Err(ReplyRefused::WindowClosed),
            "no customer message, no window"
        );
        assert_eq!(
            may_reply("wecom", Some(t), 0, t),
            Err(ReplyRefused::InWecom)
        );
        assert_eq!(may_reply("ended", Some(t), 0, t), Err(ReplyRefused::Ended));
        assert_eq!(window_left(Some(t), t + 3600), WINDOW_SECS - 3600);
        assert_eq!(window_left(None, t), 0);
    }
}
