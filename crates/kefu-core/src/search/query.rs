//! What the agent typed, as search terms. The input is folded, then split at whitespace; a
//! double-quoted part is one term (spaces included) and an unbalanced quote is an ordinary
//! character. Nothing in the input is ever query syntax: `AND`, `NEAR(`, `*` and `-` are text.

use super::fold::fold;

/// Longest input considered, in characters; the rest is ignored (a paste of a whole page is
/// still searched by its first 10,000 characters).
pub const MAX_QUERY_CHARS: usize = 10_000;

/// A parsed query: folded terms that must all occur in a message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    terms: Vec<String>,
}

impl Query {
    /// Parses `input`.
    pub fn parse(input: &str) -> Self {
        let capped: String = input.chars().take(MAX_QUERY_CHARS).collect();
        let folded = fold(&capped);
        let chars: Vec<char> = folded.chars().collect();
        let mut terms: Vec<String> = Vec::new();
        let mut current = String::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == '"' {
                if let Some(close) = chars[i + 1..].iter().position(|&d| d == '"') {
                    push_term(&mut terms, std::mem::take(&mut current));
                    let phrase: String = chars[i + 1..i + 1 + close].iter().collect();
                    push_term(&mut terms, phrase);
                    i += close + 2;
                    continue;
                }
                current.push(c);
            } else if c.is_whitespace() {
                push_term(&mut terms, std::mem::take(&mut current));
            } else {
                current.push(c);
            }
            i += 1;
        }
        push_term(&mut terms, current);
        // A term contained in another term adds nothing.
        let all = terms.clone();
        terms.retain(|t| !all.iter().any(|o| o != t && o.contains(t.as_str())));
        Self { terms }
    }

    /// The folded terms, each matched as a substring.
    pub fn terms(&self) -> &[String] {
        &self.terms
    }

    /// True when nothing can be searched for (empty or only spaces).
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Whether an already folded text contains every term: the definition of a match.
    pub fn matches_folded(&self, folded_text: &str) -> bool {
        !self.terms.is_empty() && self.terms.iter().all(|t| folded_text.contains(t.as_str()))
    }

    /// Whether `text` matches (folds it first).
    pub fn matches(&self, text: &str) -> bool {
        self.matches_folded(&fold(text))
    }
}

fn push_term(terms: &mut Vec<String>, term: String) {
    if !term.is_empty() && !terms.contains(&term) {
        terms.push(term);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(q: &str) -> Vec<String> {
        Query::parse(q).terms().to_vec()
    }

    #[test]
    fn splits_at_spaces_and_keeps_quoted_parts_whole() {
        assert_eq!(terms("退款  快递"), ["退款", "快递"]);
        assert_eq!(terms("\"iPhone 15\" 发票"), ["iphone 15", "发票"]);
        assert_eq!(terms("退款\u{3000}快递"), ["退款", "快递"]);
    }

    #[test]
    fn an_unbalanced_quote_is_a_character() {
        assert_eq!(terms("5\" 屏"), ["5\"", "屏"]);
        assert_eq!(terms("\""), ["\""]);
    }

    #[test]
    fn operators_are_text() {
        assert_eq!(terms("a AND b"), ["and", "b"]);
        assert_eq!(terms("NEAR( x*"), ["near(", "x*"]);
        assert_eq!(terms("-"), ["-"]);
    }

    #[test]
    fn empty_quotes_and_blank_input_search_nothing() {
        assert!(Query::parse("").is_empty());
        assert!(Query::parse("   \"\"  ").is_empty());
        assert!(!Query::parse("").matches("anything"));
    }

    #[test]
    fn matching_is_folded_substring_for_every_term() {
        let q = Query::parse("ＳＦ12 退款");
        assert!(q.matches("顺丰SF1234，退款已处理"));
        assert!(!q.matches("顺丰SF1234"));
    }
}
