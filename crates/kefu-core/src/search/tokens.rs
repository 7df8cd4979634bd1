//! The index's view of a folded text, and the full-text condition for a query.
//!
//! Every character counts, in every script, so the index can narrow any substring. A text is
//! indexed as one set of tokens, told apart by their length:
//! - each distinct character (answers 1-character terms exactly);
//! - each distinct pair of neighbouring characters (answers 2-character terms exactly, and
//!   every longer term must contain all its pairs);
//! - each distinct run of 3 neighbouring ASCII letters or digits (digits have only 100 pairs,
//!   so a fragment of an order or phone number needs longer tokens to be selective, and a
//!   short word like `and` would otherwise be "a text with `an` and `nd` somewhere").
//!
//! The table keeps no positions (`detail=none`): smaller and faster to write. A candidate that
//! has all of a term's tokens but not the term itself is dropped when its text is checked.
//!
//! SQLite's `ascii` tokenizer splits at ASCII characters other than letters and digits, so
//! each such character is written as a private-use character (U+E000 + its code). A text that
//! really contains those private-use characters folds onto the same tokens: that can only add
//! candidates, never lose one, and every candidate is checked against the text.

use super::query::Query;

/// Longest part of a term used in the full-text condition, in characters. The rest of a long
/// term is still checked against each candidate's text.
const MAX_CONDITION_CHARS: usize = 48;

/// One token: 1, 2 or 3 characters, and for a pair or trigram that occurs more than once, a
/// fourth place saying "at least k times" (unused places are `'\0'`).
type Token = [char; 4];

/// Occurrence counts indexed per pair or trigram: "at least 2, 3, 4 times". A query that
/// repeats a gram (`99999999`, `哈哈哈`) needs documents that repeat it as often; without this,
/// every text containing `999` once would be a candidate.
const MAX_COUNT: usize = 4;

fn count_marker(k: usize) -> char {
    char::from_u32(0xE100 + k as u32).unwrap_or('\u{E100}')
}

fn encode_char(c: char) -> char {
    if c.is_ascii() && !c.is_ascii_alphanumeric() {
        char::from_u32(0xE000 + c as u32).unwrap_or('\u{E000}')
    } else {
        c
    }
}

fn token(chars: &[char]) -> Token {
    let mut t = ['\0'; 4];
    for (slot, &c) in t.iter_mut().zip(chars) {
        *slot = encode_char(c);
    }
    t
}

/// Every token of a folded text, in no particular order, with repeats.
fn tokens_into(chars: &[char], out: &mut Vec<Token>) {
    out.extend(chars.iter().map(|&c| token(&[c])));
    out.extend(chars.windows(2).map(token));
    trigrams_into(chars, out);
}

/// Trigrams inside runs of ASCII letters and digits.
fn trigrams_into(chars: &[char], out: &mut Vec<Token>) {
    let mut start = 0;
    while start < chars.len() {
        if !chars[start].is_ascii_alphanumeric() {
            start += 1;
            continue;
        }
        let mut end = start;
        while end < chars.len() && chars[end].is_ascii_alphanumeric() {
            end += 1;
        }
        if end - start >= 3 {
            out.extend(chars[start..end].windows(3).map(token));
        }
        start = end;
    }
}

/// Sorts and de-duplicates `tokens`, adding an "at least k times" token for each repeated pair
/// or trigram: every k from 2 up to its count (capped) for a document, only the highest for a
/// query.
fn with_counts(tokens: &mut Vec<Token>, all_counts: bool) {
    tokens.sort_unstable();
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i];
        let mut n = 1;
        while i + n < tokens.len() && tokens[i + n] == t {
            n += 1;
        }
        out.push(t);
        if t[1] != '\0' && n >= 2 {
            let top = n.min(MAX_COUNT);
            let from = if all_counts { 2 } else { top };
            for k in from..=top {
                let mut counted = t;
                counted[3] = count_marker(k);
                out.push(counted);
            }
        }
        i += n;
    }
    *tokens = out;
}

fn write_tokens(tokens: &mut Vec<Token>, quoted: bool) -> String {
    tokens.sort_unstable();
    tokens.dedup();
    let mut out = String::with_capacity(tokens.len() * 8);
    for t in tokens.iter() {
        if !out.is_empty() {
            out.push_str(if quoted { " AND " } else { " " });
        }
        if quoted {
            out.push('"');
        }
        out.extend(t.iter().filter(|&&c| c != '\0'));
        if quoted {
            out.push('"');
        }
    }
    out
}

/// The index document for a folded text: its distinct tokens, space-separated.
pub fn index_doc(folded: &str) -> String {
    let chars: Vec<char> = folded.chars().collect();
    let mut tokens = Vec::with_capacity(chars.len() * 2 + 4);
    tokens_into(&chars, &mut tokens);
    with_counts(&mut tokens, true);
    write_tokens(&mut tokens, false)
}

/// The FTS5 `MATCH` expression every match satisfies: all the tokens its terms must contain.
/// Built only from encoded tokens inside quotes: the user's text never becomes query syntax.
pub fn condition(query: &Query) -> Option<String> {
    let mut tokens = Vec::new();
    for term in query.terms() {
        let chars: Vec<char> = term.chars().take(MAX_CONDITION_CHARS).collect();
        let mut term_tokens = Vec::new();
        match chars.len() {
            0 => {}
            1 => term_tokens.push(token(&chars)),
            n if n >= 3 && chars.iter().all(char::is_ascii_alphanumeric) => {
                trigrams_into(&chars, &mut term_tokens);
            }
            _ => {
                term_tokens.extend(chars.windows(2).map(token));
                trigrams_into(&chars, &mut term_tokens);
            }
        }
        // Counts are per term: two terms may match the same occurrence.
        with_counts(&mut term_tokens, false);
        tokens.extend(term_tokens);
    }
    (!tokens.is_empty()).then(|| write_tokens(&mut tokens, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_character_pair_and_letter_digit_trigram_is_a_token_once() {
        let doc = index_doc("ok!ok");
        let mut tokens: Vec<&str> = doc.split(' ').collect();
        tokens.sort_unstable();
        assert_eq!(
            tokens,
            [
                "k",
                "k\u{E021}",
                "o",
                "ok",
                "ok\u{E102}",
                "\u{E021}",
                "\u{E021}o"
            ],
            "`ok` twice also gives its at-least-twice token"
        );
        let doc = index_doc("sf12345");
        for t in ["s", "5", "sf", "45", "sf1", "f12", "123", "345"] {
            assert!(doc.split(' ').any(|d| d == t), "{t} in {doc}");
        }
        assert!(!doc.split(' ').any(|d| d == "sf12" || d == "1234"));
        assert_eq!(index_doc(""), "");
    }

    #[test]
    fn conditions_need_every_token_of_every_term() {
        let c = |q: &str| condition(&Query::parse(q));
        assert_eq!(c("退").as_deref(), Some("\"退\""));
        assert_eq!(c("退款").as_deref(), Some("\"退款\""));
        assert_eq!(c("退 款").as_deref(), Some("\"款\" AND \"退\""));
        assert_eq!(c("and").as_deref(), Some("\"and\""));
        assert_eq!(
            c("12345").as_deref(),
            Some("\"123\" AND \"234\" AND \"345\"")
        );
        let mixed = c("单号sf1234").unwrap_or_default();
        for t in [
            "\"单号\"",
            "\"号s\"",
            "\"sf\"",
            "\"34\"",
            "\"sf1\"",
            "\"234\"",
        ] {
            assert!(mixed.contains(t), "{t} in {mixed}");
        }
        assert_eq!(c("  "), None);
    }

    #[test]
    fn syntax_characters_become_tokens_inside_quotes() {
        let expr = condition(&Query::parse("NEAR(\"a*")).unwrap_or_default();
        assert!(!expr.contains('*') && !expr.contains('(') && !expr.contains("NEAR"));
        assert!(expr.contains("\"nea\"") && expr.contains("\"ear\""));
        assert!(expr.contains("\"a\u{E02A}\""));
    }

    #[test]
    fn repeated_grams_are_counted_up_to_four() {
        let doc = index_doc("9999 哈哈哈");
        let has = |t: String| doc.split(' ').any(|d| d == t);
        assert!(has("999".into()) && has(format!("999{}", count_marker(2))));
        assert!(!has(format!("999{}", count_marker(3))));
        assert!(has(format!("哈哈{}", count_marker(2))));
        let long = index_doc("99999999");
        assert!(long.contains(&format!("999{}", count_marker(4))));
        assert!(!long.contains(&format!("999{}", count_marker(5))));
        let q = condition(&Query::parse("99999999999999")).unwrap_or_default();
        assert_eq!(q, format!("\"999\" AND \"999{}\"", count_marker(4)));
    }
}
