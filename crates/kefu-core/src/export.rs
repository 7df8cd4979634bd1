//! Exports (no SQL): one conversation as plain text or as an HTML page with its media beside
//! it, and the messages of a date range as CSV. Customer text is escaped in HTML and guarded in
//! CSV (a cell a spreadsheet would run as a formula gets a leading `'`); file names are made
//! here from the customer's name and a time, never taken from outside as a path, and media are
//! copied under their stored content-hash names.

use crate::store::MessageRow;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Who wrote a message, for a reader.
pub fn sender_label(m: &MessageRow, customer_name: &str) -> String {
    match m.origin {
        3 => customer_name.to_owned(),
        0 => m
            .sent_by
            .clone()
            .map_or_else(|| "我方".to_owned(), |a| format!("我方（{a}）")),
        5 => format!(
            "企业微信（{}）",
            m.servicer_userid.as_deref().unwrap_or("客服")
        ),
        _ => "系统".to_owned(),
    }
}

/// What a message says, on one line for text and CSV.
pub fn body_text(m: &MessageRow) -> String {
    if m.recalled {
        return "[已撤回]".into();
    }
    if let Some(t) = &m.text {
        return t.clone();
    }
    let file = m
        .media
        .as_ref()
        .and_then(|md| md.filename.clone().or_else(|| md.path.clone()));
    let kind = match m.msgtype.as_str() {
        "image" => "图片",
        "voice" => "语音",
        "video" => "视频",
        "file" => "文件",
        "location" => "位置",
        "link" => "链接",
        "business_card" => "名片",
        "miniprogram" => "小程序",
        "msgmenu" => "菜单消息",
        "event" => "事件",
        other => other,
    };
    match file {
        Some(f) => format!("[{kind}] {f}"),
        None => format!("[{kind}]"),
    }
}

/// `YYYY-MM-DD HH:MM:SS` of a unix time at a UTC offset (seconds east).
pub fn local_time(t: i64, offset_secs: i64) -> String {
    let l = t + offset_secs;
    let (y, mo, d) = crate::report::calendar::civil_from_days(l.div_euclid(86_400));
    let s = l.rem_euclid(86_400);
    format!(
        "{y:04}-{mo:02}-{d:02} {:02}:{:02}:{:02}",
        s / 3600,
        s % 3600 / 60,
        s % 60
    )
}

/// A file-name part from outside text: letters, digits and CJK kept, anything else `_`, at
/// most 40 characters; never empty, never a path.
pub fn safe_name(s: &str) -> String {
    let kept: String = s
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '_' })
        .take(40)
        .collect();
    let trimmed = kept.trim_matches('_');
    if trimmed.is_empty() {
        "customer".into()
    } else {
        trimmed.to_owned()
    }
}

/// The conversation as plain text, one message per line (continuation lines indented).
pub fn conversation_text(rows: &[MessageRow], customer_name: &str, offset_secs: i64) -> String {
    let mut out = String::new();
    for m in rows {
        let body = body_text(m).replace('\n', "\n    ");
        let _ = writeln!(
            out,
            "{} {}：{}",
            local_time(m.send_time, offset_secs),
            sender_label(m, customer_name),
            body
        );
    }
    out
}

/// Escapes text for HTML.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Writes the conversation as `<dir>/conversation.html`, copying each stored medium from
/// `data_dir` into `<dir>/media/` under its content-hash name; returns the page's path.
pub fn write_conversation_html(
    dir: &Path,
    data_dir: &Path,
    rows: &[MessageRow],
    customer_name: &str,
    offset_secs: i64,
) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir.join("media"))?;
    let mut html = String::new();
    let title = escape_html(customer_name);
    let _ = write!(
        html,
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <style>body{{font:14px sans-serif;max-width:760px;margin:24px auto;color:#222}}\
         .m{{margin:10px 0}}.meta{{color:#888;font-size:12px}}.b{{white-space:pre-wrap;overflow-wrap:anywhere}}\
         .ours .b{{background:#e7f6ec}}.b{{display:inline-block;padding:6px 10px;border-radius:8px;background:#f2f3f5}}\
         img{{max-width:320px;border-radius:6px}}</style></head><body><h1>{title}</h1>"
    );
    for m in rows {
        let media = m
            .media
            .as_ref()
            .and_then(|md| md.path.clone())
            .and_then(|p| {
                // Stored names are our own content hashes; only the last part is ever used.
                let name = Path::new(&p).file_name()?.to_str()?.to_owned();
                std::fs::copy(data_dir.join(&p), dir.join("media").join(&name)).ok()?;
                Some(name)
            });
        let body = match (&media, m.msgtype.as_str()) {
            (Some(name), "image") if !m.recalled => {
                format!("<img src=\"media/{}\" alt=\"\">", escape_html(name))
            }
            (Some(name), _) if !m.recalled => format!(
                "<a href=\"media/{}\">{}</a>",
                escape_html(name),
                escape_html(&body_text(m))
            ),
            _ => escape_html(&body_text(m)),
        };
        let _ = write!(
            html,
            "<div class=\"m{}\"><div class=\"meta\">{} · {}</div><div class=\"b\">{}</div></div>",
            if m.origin == 0 { " ours" } else { "" },
            escape_html(&local_time(m.send_time, offset_secs)),
            escape_html(&sender_label(m, customer_name)),
            body
        );
    }
    html.push_str("</body></html>\n");
    let page = dir.join("conversation.html");
    std::fs::write(&page, html)?;
    Ok(page)
}

/// The CSV header of a date-range export.
pub const RANGE_HEADER: [&str; 7] = ["时间", "账号", "客户ID", "客户", "发送方", "类型", "内容"];

/// One CSV record of a date-range export (cells guarded against formulas).
pub fn range_record(m: &MessageRow, customer_name: &str, offset_secs: i64) -> [String; 7] {
    [
        local_time(m.send_time, offset_secs),
        m.open_kfid.clone(),
        m.external_userid.clone().unwrap_or_default(),
        guard_formula(customer_name),
        guard_formula(&sender_label(m, customer_name)),
        m.msgtype.clone(),
        guard_formula(&body_text(m)),
    ]
}

/// A CSV cell a spreadsheet will not run as a formula: one that starts with `=`, `+`, `-`, `@`,
/// a tab or a CR gets a leading `'`.
pub fn guard_formula(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}

/// The cell [`guard_formula`] was given back (for CSV read in again).
pub fn unguard_formula(cell: &str) -> &str {
    let mut it = cell.chars();
    match (it.next(), it.next()) {
        (Some('\''), Some('=' | '+' | '-' | '@' | '\t' | '\r')) => &cell[1..],
        _ => cell,
    }
}

/// `YYYYMMDD-HHMMSS` of a unix time at a UTC offset (seconds east), for file names.
pub fn file_stamp(t: i64, offset_secs: i64) -> String {
    local_time(t, offset_secs)
        .replace(['-', ':'], "")
        .replace(' ', "-")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(origin: i64, text: Option<&str>) -> MessageRow {
        MessageRow {
            id: 1,
            msgid: "m1".into(),
            open_kfid: "wk".into(),
            external_userid: Some("wm".into()),
            send_time: 1_796_256_000, // 2026-12-03 00:00 UTC
            origin,
            msgtype: if text.is_some() {
                "text".into()
            } else {
                "image".into()
            },
            servicer_userid: None,
            text: text.map(str::to_owned),
            json: "{}".into(),
            raw: false,
            recalled: false,
            delivery: None,
            delivery_error: None,
            media: None,
            sent_by: (origin == 0).then(|| "ann".into()),
        }
    }

    #[test]
    fn text_export_names_who_wrote_each_line_in_local_time() {
        let rows = [
            msg(3, Some("你好\n在吗")),
            msg(0, Some("您好")),
            msg(3, None),
        ];
        let text = conversation_text(&rows, "张三", 8 * 3600);
        assert_eq!(
            text,
            "2026-12-03 08:00:00 张三：你好\n    在吗\n2026-12-03 08:00:00 我方（ann）：您好\n2026-12-03 08:00:00 张三：[图片]\n"
        );
    }

    #[test]
    fn html_escapes_customer_text_and_names_and_csv_guards_formulas() {
        let dir = tempfile::tempdir().expect("dir");
        let rows = [msg(3, Some("<script>alert(1)</script>"))];
        let page =
            write_conversation_html(dir.path(), dir.path(), &rows, "<b>坏</b>", 0).expect("html");
        let html = std::fs::read_to_string(page).expect("read");
        assert!(
            !html.contains("<script>") && html.contains("&lt;script&gt;"),
            "{html}"
        );
        assert!(html.contains("&lt;b&gt;坏&lt;/b&gt;"));
        let rec = range_record(&msg(3, Some("=HYPERLINK(\"x\")")), "@me", 0);
        assert_eq!(
            (rec[3].as_str(), rec[6].as_str()),
            ("'@me", "'=HYPERLINK(\"x\")")
        );
    }

    #[test]
    fn file_stamps_are_civil_utc_times() {
        assert_eq!(file_stamp(0, 0), "19700101-000000");
        assert_eq!(file_stamp(1_798_300_800 + 3661, 0), "20261226-170101");
        assert_eq!(file_stamp(951_782_400, 0), "20000229-000000");
    }

    #[test]
    fn names_from_outside_never_become_paths() {
        assert_eq!(safe_name("../../etc/passwd"), "etc_passwd");
        assert_eq!(safe_name("张三 😀"), "张三");
        assert_eq!(safe_name("///"), "customer");
        assert_eq!(safe_name(&"长".repeat(60)).chars().count(), 40);
    }
}
