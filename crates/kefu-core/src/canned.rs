//! Canned replies (快捷回复) without SQL: what a reply may hold, how the composer's `/query`
//! finds one — by shortcut, by text, by pinyin or pinyin initials of its title (`tk` finds
//! 退款说明), and the CSV form used for import and export.
//!
//! Pinyin comes from the `pinyin` crate with every reading of a heteronym (行 is `xing` and
//! `hang`). A query matches a title when a run of the title's characters spells the query,
//! each character giving a non-empty prefix of one of its readings, so `tk`, `tuikuan`,
//! `tuik` and `tkuan` all find 退款. `ü` may be typed as `v` or `u`.

use crate::export::{guard_formula, unguard_formula};
use pinyin::ToPinyinMulti;

/// Longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 60;
/// Longest folder name, in characters.
pub const MAX_FOLDER_CHARS: usize = 30;
/// Longest shortcut, in characters (`[a-z0-9_-]`).
pub const MAX_SHORTCUT_CHARS: usize = 16;
/// Longest body: a WeChat text message holds at most 2048 bytes.
pub const MAX_BODY_BYTES: usize = 2048;

/// Who sees a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Only this desktop's agent.
    Personal,
    /// The whole team (team mode; shared through the team database).
    Team,
}

impl Scope {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Personal => "personal",
            Scope::Team => "team",
        }
    }

    /// From the stored name.
    pub fn parse(s: &str) -> Option<Scope> {
        match s {
            "personal" => Some(Scope::Personal),
            "team" => Some(Scope::Team),
            _ => None,
        }
    }
}

/// A reply as written by an agent, before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// Personal or team.
    pub scope: Scope,
    /// Folder ("" for none).
    pub folder: String,
    /// Title shown in the list and searched.
    pub title: String,
    /// Typed after `/` to pick it at once ("" for none); lower case.
    pub shortcut: String,
    /// The text, with variables such as `{客户}`.
    pub body: String,
}

/// A stored reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CannedReply {
    /// Stable id (the same in the team database and every mirror).
    pub id: String,
    /// What it says.
    pub draft: Draft,
    /// Last change (unix seconds).
    pub updated_at: i64,
    /// Who changed it last.
    pub updated_by: String,
    /// How often this desktop used it (ranks the list).
    pub uses: i64,
}

/// Why a draft was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    /// No title.
    #[error("a canned reply needs a title")]
    NoTitle,
    /// No body.
    #[error("a canned reply needs some text")]
    NoBody,
    /// Title too long.
    #[error("a title holds at most {MAX_TITLE_CHARS} characters")]
    TitleTooLong,
    /// Folder too long.
    #[error("a folder name holds at most {MAX_FOLDER_CHARS} characters")]
    FolderTooLong,
    /// Body too long.
    #[error("a reply holds at most {MAX_BODY_BYTES} bytes (a WeChat text message)")]
    BodyTooLong,
    /// Shortcut with other characters, or too long.
    #[error("a shortcut is 1 to {MAX_SHORTCUT_CHARS} of a-z, 0-9, - and _")]
    BadShortcut,
}

impl Draft {
    /// The draft trimmed and checked: titles, folders and shortcuts lose outer spaces, the
    /// shortcut is lower-cased and may start with the `/` the agent types.
    pub fn normalised(mut self) -> Result<Draft, Invalid> {
        self.title = self.title.trim().to_string();
        self.folder = self.folder.trim().to_string();
        self.shortcut = self.shortcut.trim().trim_start_matches('/').to_lowercase();
        self.body = self.body.trim_end().to_string();
        if self.title.is_empty() {
            return Err(Invalid::NoTitle);
        }
        if self.body.trim().is_empty() {
            return Err(Invalid::NoBody);
        }
        if self.title.chars().count() > MAX_TITLE_CHARS {
            return Err(Invalid::TitleTooLong);
        }
        if self.folder.chars().count() > MAX_FOLDER_CHARS {
            return Err(Invalid::FolderTooLong);
        }
        if self.body.len() > MAX_BODY_BYTES {
            return Err(Invalid::BodyTooLong);
        }
        let shortcut_ok = self.shortcut.chars().count() <= MAX_SHORTCUT_CHARS
            && self
                .shortcut
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !shortcut_ok {
            return Err(Invalid::BadShortcut);
        }
        Ok(self)
    }
}

/// How well a reply matches a query; higher first. `None`: no match.
pub fn score(reply: &CannedReply, query: &str) -> Option<u32> {
    let q = fold(query.trim());
    if q.is_empty() {
        return Some(1);
    }
    let d = &reply.draft;
    if !d.shortcut.is_empty() && d.shortcut == q {
        return Some(100);
    }
    if !d.shortcut.is_empty() && d.shortcut.starts_with(&q) {
        return Some(90);
    }
    let title = fold(&d.title);
    if title.starts_with(&q) {
        return Some(85);
    }
    if title.contains(&q) {
        return Some(80);
    }
    let compact: String = q.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.chars().all(|c| c.is_ascii_alphanumeric()) {
        match pinyin_match(&d.title, &compact) {
            Some(0) => return Some(75),
            Some(_) => return Some(70),
            None => {}
        }
    }
    if fold(&d.body).contains(&q) {
        return Some(50);
    }
    if fold(&d.folder).contains(&q)
        || (compact.chars().all(|c| c.is_ascii_alphanumeric())
            && pinyin_match(&d.folder, &compact).is_some())
    {
        return Some(40);
    }
    None
}

/// The replies matching `query`, best first (then the most used, then by folder and title).
pub fn search<'a>(replies: &'a [CannedReply], query: &str) -> Vec<&'a CannedReply> {
    let mut hits: Vec<(u32, &CannedReply)> = replies
        .iter()
        .filter_map(|r| score(r, query).map(|s| (s, r)))
        .collect();
    hits.sort_by(|(sa, a), (sb, b)| {
        sb.cmp(sa)
            .then(b.uses.cmp(&a.uses))
            .then_with(|| a.draft.folder.cmp(&b.draft.folder))
            .then_with(|| a.draft.title.cmp(&b.draft.title))
    });
    hits.into_iter().map(|(_, r)| r).collect()
}

fn fold(s: &str) -> String {
    s.to_lowercase()
}

/// The readings of one character, lower case: its pinyin (every heteronym, `ü` as `v` and
/// `u`) for a Chinese character, the character itself otherwise.
fn readings(c: char) -> Vec<String> {
    match c.to_pinyin_multi() {
        Some(multi) => {
            let mut out: Vec<String> = Vec::new();
            for p in multi {
                let plain = p.plain();
                for r in [plain.replace('ü', "v"), plain.replace('ü', "u")] {
                    if !out.contains(&r) {
                        out.push(r);
                    }
                }
            }
            out
        }
        None => vec![c.to_lowercase().collect()],
    }
}

/// Where in `text` (the index of the first character) a run of characters spells `query`
/// (lower-case ASCII), each character giving a non-empty prefix of one of its readings;
/// spaces in `text` are skipped.
pub fn pinyin_match(text: &str, query: &str) -> Option<usize> {
    let chars: Vec<Vec<String>> = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(readings)
        .collect();
    let q = query.to_ascii_lowercase();
    let q = q.as_bytes();
    if q.is_empty() {
        return None;
    }
    (0..chars.len()).find(|&start| spells(&chars[start..], q))
}

fn spells(chars: &[Vec<String>], q: &[u8]) -> bool {
    if q.is_empty() {
        return true;
    }
    let Some((first, rest)) = chars.split_first() else {
        return false;
    };
    first.iter().any(|reading| {
        let r = reading.as_bytes();
        let common = r.iter().zip(q).take_while(|(a, b)| a == b).count();
        // Take any non-empty prefix of this reading, longest first.
        (1..=common).rev().any(|n| spells(rest, &q[n..]))
    })
}

/// The CSV header written on export; import accepts it or the English one
/// (`folder,title,shortcut,body`), in any column order.
pub const CSV_HEADER: [&str; 4] = ["分类", "标题", "快捷码", "内容"];
const CSV_HEADER_EN: [&str; 4] = ["folder", "title", "shortcut", "body"];

/// Drafts read from CSV, each with its line, and the rows left out.
pub type CsvImport = (Vec<(u64, Draft)>, Vec<CsvProblem>);

/// One CSV row that could not be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvProblem {
    /// 1-based line of the record (the header is line 1).
    pub line: u64,
    /// What is wrong.
    pub message: String,
}

/// The replies as CSV: UTF-8 with a byte-order mark (so spreadsheet programs read Chinese
/// right), a header, one row per reply. A cell that a spreadsheet would run as a formula
/// (`=`, `+`, `-`, `@`, tab, CR first) gets a leading `'`, which import removes again.
pub fn to_csv(replies: &[&CannedReply]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(CSV_HEADER);
    for r in replies {
        let d = &r.draft;
        let _ = w.write_record([
            guard_formula(&d.folder),
            guard_formula(&d.title),
            guard_formula(&d.shortcut),
            guard_formula(&d.body),
        ]);
    }
    let bytes = w.into_inner().unwrap_or_default();
    format!("\u{feff}{}", String::from_utf8_lossy(&bytes))
}

/// Reads CSV written by [`to_csv`] or by hand (header required; the shortcut column is
/// optional). Every row becomes a draft of `scope`, or a problem with its line; one bad row
/// never stops the others.
pub fn from_csv(text: &str, scope: Scope) -> Result<CsvImport, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = r
        .headers()
        .map_err(|e| format!("not CSV: {e}"))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect::<Vec<_>>();
    let column = |i: usize| {
        header
            .iter()
            .position(|h| h == CSV_HEADER[i] || h == CSV_HEADER_EN[i])
    };
    let (folder, title, shortcut, body) = (column(0), column(1), column(2), column(3));
    let (Some(title), Some(body)) = (title, body) else {
        return Err("the first line must name the columns: 分类,标题,快捷码,内容 (or folder,title,shortcut,body)".into());
    };
    let mut drafts = Vec::new();
    let mut problems = Vec::new();
    for record in r.records() {
        let record = match record {
            Ok(rec) => rec,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                problems.push(CsvProblem {
                    line,
                    message: e.to_string(),
                });
                continue;
            }
        };
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let cell = |i: Option<usize>| {
            i.and_then(|i| record.get(i))
                .map(unguard_formula)
                .unwrap_or("")
        };
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let draft = Draft {
            scope,
            folder: cell(folder).into(),
            title: cell(Some(title)).into(),
            shortcut: cell(shortcut).into(),
            body: cell(Some(body)).into(),
        };
        match draft.normalised() {
            Ok(d) => drafts.push((line, d)),
            Err(e) => problems.push(CsvProblem {
                line,
                message: e.to_string(),
            }),
        }
    }
    Ok((drafts, problems))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(title: &str, shortcut: &str, body: &str) -> CannedReply {
        CannedReply {
            id: title.into(),
            draft: Draft {
                scope: Scope::Personal,
                folder: "售后".into(),
                title: title.into(),
                shortcut: shortcut.into(),
                body: body.into(),
            },
            updated_at: 0,
            updated_by: "me".into(),
            uses: 0,
        }
    }

    #[test]
    fn initials_full_pinyin_and_mixtures_find_a_title() {
        for q in ["tk", "tuikuan", "tuik", "tkuan", "TK", "kuansm", "ksm"] {
            assert!(
                pinyin_match("退款说明", q).is_some(),
                "{q} should find 退款说明"
            );
        }
        assert_eq!(pinyin_match("退款说明", "tk"), Some(0));
        assert_eq!(pinyin_match("退款说明", "sm"), Some(2));
        for q in ["tm", "kt", "tuikuanx", "q"] {
            assert_eq!(pinyin_match("退款说明", q), None, "{q} must not match");
        }
    }

    #[test]
    fn every_reading_of_a_heteronym_and_u_umlaut_as_v_or_u() {
        assert!(pinyin_match("银行卡", "yhk").is_some());
        assert!(pinyin_match("行程", "xc").is_some());
        assert!(pinyin_match("绿色", "lvse").is_some());
        assert!(pinyin_match("绿色", "luse").is_some());
        assert!(pinyin_match("VIP 会员", "viphy").is_some());
    }

    #[test]
    fn a_shortcut_beats_a_title_which_beats_pinyin_which_beats_the_body() {
        let all = vec![
            reply("物流查询", "", "请提供订单号，我们帮您查询退款进度"),
            reply("退款说明", "", "退款将在 3 个工作日内原路退回"),
            reply("退货地址", "tk", "请寄回：上海市…"),
            reply("发票", "", "电子发票将发送到您的邮箱"),
        ];
        let titles = |q: &str| {
            search(&all, q)
                .iter()
                .map(|r| r.draft.title.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(titles("tk"), ["退货地址", "退款说明"]);
        assert_eq!(titles("退款"), ["退款说明", "物流查询"]);
        assert_eq!(titles("fp"), ["发票"]);
        assert_eq!(titles("邮箱"), ["发票"]);
        assert_eq!(titles("").len(), 4);
        assert!(titles("不存在").is_empty());
    }

    #[test]
    fn drafts_are_trimmed_and_checked() {
        let d = Draft {
            scope: Scope::Team,
            folder: " 售后 ".into(),
            title: " 退款 ".into(),
            shortcut: "/TK".into(),
            body: "您好\n".into(),
        }
        .normalised()
        .expect("valid");
        assert_eq!(
            (
                d.folder.as_str(),
                d.title.as_str(),
                d.shortcut.as_str(),
                d.body.as_str()
            ),
            ("售后", "退款", "tk", "您好")
        );
        let bad = |f: fn(&mut Draft)| {
            let mut d = d.clone();
            f(&mut d);
            d.normalised().expect_err("refused")
        };
        assert_eq!(bad(|d| d.title = " ".into()), Invalid::NoTitle);
        assert_eq!(bad(|d| d.body = "\n".into()), Invalid::NoBody);
        assert_eq!(bad(|d| d.shortcut = "退款".into()), Invalid::BadShortcut);
        assert_eq!(bad(|d| d.body = "字".repeat(683)), Invalid::BodyTooLong);
        assert_eq!(bad(|d| d.title = "字".repeat(61)), Invalid::TitleTooLong);
    }

    #[test]
    fn csv_round_trips_quotes_newlines_and_formula_cells() {
        let a = reply("退款, \"说明\"", "tk", "第一行\n第二行");
        let b = reply("=HYPERLINK(\"x\")", "", "-1 元优惠");
        let csv = to_csv(&[&a, &b]);
        assert!(csv.starts_with("\u{feff}分类,标题,快捷码,内容\n"));
        assert!(
            csv.contains("'=HYPERLINK") && csv.contains("'-1 元"),
            "{csv}"
        );
        let (drafts, problems) = from_csv(&csv, Scope::Personal).expect("csv");
        assert!(problems.is_empty(), "{problems:?}");
        let got: Vec<Draft> = drafts.into_iter().map(|(_, d)| d).collect();
        assert_eq!(got, vec![a.draft, b.draft]);
    }

    #[test]
    fn csv_import_reports_bad_rows_by_line_and_keeps_the_rest() {
        let text = "title,body,folder\n好评,谢谢您的好评,\n,没有标题,\n再见,欢迎再来,结束语\n";
        let (drafts, problems) = from_csv(text, Scope::Team).expect("csv");
        assert_eq!(
            drafts
                .iter()
                .map(|(l, d)| (*l, d.title.as_str(), d.folder.as_str()))
                .collect::<Vec<_>>(),
            [(2, "好评", ""), (4, "再见", "结束语")]
        );
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, 3);
        assert!(
            from_csv("a,b\n1,2\n", Scope::Team).is_err(),
            "no title/body columns"
        );
    }
}
