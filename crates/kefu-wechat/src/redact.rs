//! Redaction of credentials from URLs and free text before they reach logs or errors.
//!
//! The access token travels in the URL query (`?access_token=…`), and `gettoken` carries the
//! corp secret the same way, so every URL is redacted before it is shown anywhere.

const SENSITIVE_KEYS: [&str; 3] = ["access_token", "corpsecret", "secret"];

/// Replaces the value of every sensitive query parameter in `text` with `***`.
pub fn redact_url(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    'outer: while !rest.is_empty() {
        for key in SENSITIVE_KEYS {
            let pattern_len = key.len() + 1;
            if rest.len() >= pattern_len
                && rest.as_bytes()[..key.len()].eq_ignore_ascii_case(key.as_bytes())
                && rest.as_bytes()[key.len()] == b'='
                && out.chars().last().is_none_or(|c| c == '?' || c == '&')
            {
                out.push_str(&rest[..pattern_len]);
                out.push_str("***");
                let after = &rest[pattern_len..];
                let end = after
                    .find(|c: char| !(c.is_alphanumeric() || "-_.~%+/=".contains(c)))
                    .unwrap_or(after.len());
                rest = &after[end..];
                continue 'outer;
            }
        }
        let c = rest.chars().next().expect("rest is not empty");
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn tokens_and_secrets_are_masked() {
        let cases = [
            (
                "https://h/cgi-bin/kf/sync_msg?access_token=abc123&x=1",
                "https://h/cgi-bin/kf/sync_msg?access_token=***&x=1",
            ),
            (
                "GET /cgi-bin/gettoken?corpid=ww1&corpsecret=S3CR3T",
                "GET /cgi-bin/gettoken?corpid=ww1&corpsecret=***",
            ),
            (
                "error for url (http://h/p?access_token=t0k) x",
                "error for url (http://h/p?access_token=***) x",
            ),
            ("no query here", "no query here"),
            ("中文?access_token=令牌&b", "中文?access_token=***&b"),
        ];
        for (input, want) in cases {
            assert_eq!(redact_url(input), want, "redaction of {input:?}");
        }
    }
}
