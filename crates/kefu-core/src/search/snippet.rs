//! Snippets: a short window of a message around its first match, as plain-text segments with
//! the matched parts marked. Segments are text for the UI to wrap in elements, never HTML.

use super::fold::fold_mapped;
use super::query::Query;
use serde::Serialize;

/// Characters of context kept before the first match.
const BEFORE: usize = 16;
/// Characters a snippet holds at most.
const WIDTH: usize = 80;

/// One piece of a snippet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Segment {
    /// Text, verbatim from the message.
    pub text: String,
    /// Part of a match.
    pub hit: bool,
}

/// Byte ranges of `text` where a term matches, merged and sorted.
pub fn hit_ranges(query: &Query, text: &str) -> Vec<(usize, usize)> {
    let (folded, map) = fold_mapped(text);
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for term in query.terms() {
        let mut from = 0;
        while let Some(at) = folded[from..].find(term.as_str()) {
            let start = from + at;
            let end = start + term.len();
            ranges.push((map[start].0 as usize, map[end - 1].1 as usize));
            // Next occurrence may overlap this one; step one character.
            from = start + folded[start..].chars().next().map_or(1, char::len_utf8);
        }
    }
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for (s, e) in ranges {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

/// A snippet of `text` around its first match, with `…` where text was cut.
pub fn snippet(query: &Query, text: &str) -> Vec<Segment> {
    let ranges = hit_ranges(query, text);
    let starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    let char_at = |byte: usize| starts.partition_point(|&b| b < byte);
    let first_hit = ranges.first().map_or(0, |r| char_at(r.0));
    let from_char = first_hit.saturating_sub(BEFORE);
    let to_char = (from_char + WIDTH).min(starts.len());
    let from = starts.get(from_char).copied().unwrap_or(text.len());
    let to = starts.get(to_char).copied().unwrap_or(text.len());

    let mut out = Vec::new();
    let mut push = |s: &str, hit: bool| {
        if !s.is_empty() {
            out.push(Segment {
                text: s.to_owned(),
                hit,
            });
        }
    };
    if from > 0 {
        push("…", false);
    }
    let mut at = from;
    for &(s, e) in &ranges {
        let (s, e) = (s.clamp(from, to), e.clamp(from, to));
        if s >= e {
            continue;
        }
        push(&text[at..s], false);
        push(&text[s..e], true);
        at = e;
    }
    push(&text[at..to], false);
    if to < text.len() {
        push("…", false);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(segments: &[Segment]) -> String {
        segments
            .iter()
            .map(|s| {
                if s.hit {
                    format!("[{}]", s.text)
                } else {
                    s.text.clone()
                }
            })
            .collect()
    }

    #[test]
    fn marks_every_term_in_the_original_text() {
        let q = Query::parse("ＳＦ12 退款");
        assert_eq!(
            render(&snippet(&q, "您的SF1234已退款")),
            "您的[SF12]34已[退款]"
        );
    }

    #[test]
    fn overlapping_matches_merge() {
        let q = Query::parse("aa");
        assert_eq!(render(&snippet(&q, "aaa b")), "[aaa] b");
    }

    #[test]
    fn long_text_is_cut_around_the_first_match() {
        let text = format!("{}退款{}", "前".repeat(100), "后".repeat(100));
        let s = render(&snippet(&Query::parse("退款"), &text));
        assert!(s.starts_with('…') && s.ends_with('…'));
        assert!(s.contains(&format!("{}[退款]", "前".repeat(BEFORE))));
        assert_eq!(s.chars().count(), WIDTH + 2 + 2);
    }
}
