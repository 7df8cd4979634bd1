//! Folding for search: Unicode NFKC, then full case folding. Full-width digits and letters
//! become ASCII, compatibility forms become their plain form, and case is ignored. The index,
//! the query and the brute-force check all fold with [`fold`].

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// Folds `s` (NFKC, then case folding).
pub fn fold(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    if is_nfkc_quick(s.chars()) == IsNormalized::Yes {
        return caseless::default_case_fold_str(s);
    }
    let normalized: String = s.nfkc().collect();
    caseless::default_case_fold_str(&normalized)
}

/// Folds `s` one character at a time and records, for each byte of the folded text, the byte
/// range of the original character it came from. Used only to place highlights; matching uses
/// [`fold`] on the whole text (the two differ only around combining sequences).
pub fn fold_mapped(s: &str) -> (String, Vec<(u32, u32)>) {
    let mut folded = String::with_capacity(s.len());
    let mut map = Vec::with_capacity(s.len());
    let mut buf = [0u8; 4];
    for (at, c) in s.char_indices() {
        let end = (at + c.len_utf8()) as u32;
        let piece = fold(c.encode_utf8(&mut buf));
        for _ in 0..piece.len() {
            map.push((at as u32, end));
        }
        folded.push_str(&piece);
    }
    (folded, map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_and_case_fold_to_ascii() {
        assert_eq!(fold("ＳＦ１２３４"), "sf1234");
        assert_eq!(fold("iPhone 15 Pro"), "iphone 15 pro");
        assert_eq!(fold("退款ＯＫ"), "退款ok");
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold("①号"), "1号");
    }

    #[test]
    fn mapped_fold_points_back_to_the_original_characters() {
        let (f, map) = fold_mapped("Ａ退ß");
        assert_eq!(f, "a退ss");
        assert_eq!(map[0], (0, 3));
        assert_eq!(map[1], (3, 6));
        assert_eq!(map[4], (6, 8));
        assert_eq!(map[5], (6, 8));
    }
}
