//! History search on real SQLite files: the index gives exactly the brute-force result set,
//! any input is text, results come newest first with paging and filters, and a database from
//! before search is indexed on upgrade.

use kefu_core::search::Query;
use kefu_core::store::{SearchFilter, Sender, Store};
use kefu_emulator::rng::Rng;
use kefu_wechat::message::{SyncItem, decode_item};
use serde_json::json;

const KFS: [&str; 2] = ["wkSearchA", "wkSearchB"];

fn item(kf: &str, msgid: &str, customer: &str, time: i64, origin: u32, text: &str) -> SyncItem {
    decode_item(json!({
        "msgid": msgid, "open_kfid": kf, "external_userid": customer, "send_time": time,
        "origin": origin, "msgtype": "text", "text": {"content": text}
    }))
}

/// Text from a small alphabet, so that random queries hit often: Han characters, digits,
/// Latin in both cases, full-width forms, punctuation, spaces, quotes, emoji.
fn random_text(rng: &mut Rng, len: usize) -> String {
    const ALPHABET: &[&str] = &[
        "退", "款", "快", "递", "发", "票", "单", "号", "的", "了", "1", "2", "3", "8", "0", "a",
        "B", "k", "O", "Ｋ", "１", "８", " ", "\"", "*", "-", "(", "!", "，", "😊", "ß", "S",
    ];
    (0..len)
        .map(|_| ALPHABET[rng.below(ALPHABET.len() as u64) as usize])
        .collect()
}

fn store_with(texts: &[(i64, &str, u32, String)]) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open_in(dir.path()).expect("store");
    for (page, chunk) in texts.chunks(100).enumerate() {
        let kf = KFS[page % 2];
        let items: Vec<SyncItem> = chunk
            .iter()
            .enumerate()
            .map(|(i, (time, customer, origin, text))| {
                item(kf, &format!("m{page}-{i}"), customer, *time, *origin, text)
            })
            .collect();
        store
            .ingest_page(kf, &items, &format!("c{page}"), 0)
            .expect("ingest");
    }
    (dir, store)
}

/// Every searchable message as (key, folded text).
fn folded_texts(store: &Store) -> Vec<(i64, String)> {
    let mut all = Vec::new();
    store
        .for_each_searchable(|key, text| all.push((key, kefu_core::search::fold(text))))
        .expect("scan");
    all
}

/// Keys of the messages that match, by checking every text (newest first).
fn brute_force(texts: &[(i64, String)], q: &str) -> Vec<i64> {
    let query = Query::parse(q);
    let mut keys: Vec<i64> = texts
        .iter()
        .filter(|(_, folded)| query.matches_folded(folded))
        .map(|(key, _)| *key)
        .collect();
    keys.sort_unstable_by(|a, b| b.cmp(a));
    keys
}

#[test]
fn the_index_finds_exactly_what_a_brute_force_scan_finds() {
    let mut rng = Rng::new(7);
    let texts: Vec<(i64, &str, u32, String)> = (0..3_000)
        .map(|i| {
            let len = rng.between(0, 30) as usize;
            (1_700_000_000 + i, "wmC", 3, random_text(&mut rng, len))
        })
        .collect();
    let (_dir, store) = store_with(&texts);
    let mut queries: Vec<String> = vec![
        "退".into(),
        "8".into(),
        "k".into(),
        "ｋ".into(),
        "ss".into(),
        "ß".into(),
        "123".into(),
        "１２".into(),
        "\"a b\"".into(),
        "\"".into(),
        "*".into(),
        "-".into(),
        "AND".into(),
        "NEAR(".into(),
        "😊".into(),
        "！".into(),
        "退款 8".into(),
        "\"退 款".into(),
        "".into(),
        "   ".into(),
        "鳄鱼".into(),
        "88888888".into(),
        "退".repeat(5_000),
    ];
    // Substrings of stored texts (1 to 8 characters), and random strings.
    for _ in 0..600 {
        let (_, _, _, t) = &texts[rng.below(texts.len() as u64) as usize];
        let chars: Vec<char> = t.chars().collect();
        if chars.is_empty() {
            continue;
        }
        let start = rng.below(chars.len() as u64) as usize;
        let len = rng.between(1, 8) as usize;
        queries.push(
            chars[start..(start + len).min(chars.len())]
                .iter()
                .collect(),
        );
        let len = rng.between(1, 6) as usize;
        queries.push(random_text(&mut rng, len));
    }
    let folded = folded_texts(&store);
    let mut nonempty = 0;
    for q in &queries {
        let expected = brute_force(&folded, q);
        let got = store
            .search_all_keys(q, &SearchFilter::default())
            .expect("search never fails on input");
        assert_eq!(got, expected, "query {q:?}");
        nonempty += usize::from(!expected.is_empty());
    }
    assert!(
        nonempty > queries.len() / 2,
        "most queries find something: {nonempty}"
    );
}

#[test]
fn any_input_is_text_and_never_a_query_error() {
    let texts = vec![
        (
            1,
            "wmC",
            3,
            "请问 AND 是什么意思？NEAR(1,2) 和 a*b -x \"引号\"".to_owned(),
        ),
        (2, "wmC", 3, "只有表情😊🙏".to_owned()),
        (3, "wmC", 3, "全角ＡＢＣ１２３".to_owned()),
    ];
    let (_dir, store) = store_with(&texts);
    let long = "退款".repeat(5_000);
    let f = SearchFilter::default();
    for (q, hits) in [
        ("AND", 1),
        ("NEAR(", 1),
        ("a*b", 1),
        ("-x", 1),
        ("\"引号\"", 1),
        ("\"", 1),
        ("*", 1),
        ("？", 1),
        ("😊🙏", 1),
        ("abc123", 1),
        ("ＡＢＣ", 1),
        ("\u{0}\u{feff}\u{200d}", 0),
        ("''; DROP TABLE message; --", 0),
        (long.as_str(), 0),
        ("", 0),
    ] {
        let page = store
            .search(q, &f, None, 50)
            .expect("no query-syntax error");
        assert_eq!(page.hits.len(), hits, "query {q:?}");
    }
}

#[test]
fn results_are_newest_first_with_paging_filters_and_highlights() {
    // Pages arrive out of time order (account B's history after account A's recent messages).
    let mut texts = Vec::new();
    for i in 0..120 {
        let customer = if i % 3 == 0 { "wmAlice" } else { "wmBob" };
        let origin = if i % 2 == 0 { 3 } else { 5 };
        let time = if i < 100 {
            2_000_000 + i
        } else {
            1_000_000 + i
        };
        texts.push((time, customer, origin, format!("订单{i:04} 申请退款")));
    }
    let (_dir, store) = store_with(&texts);
    let none = SearchFilter::default();

    let mut all = Vec::new();
    let mut before = None;
    loop {
        let page = store.search("退款", &none, before, 50).expect("search");
        all.extend(page.hits.iter().map(|h| h.message.send_time));
        assert!(page.hits.len() <= 50);
        match page.next_before {
            Some(b) => before = Some(b),
            None => break,
        }
    }
    assert_eq!(all.len(), 120, "paging returns every hit once");
    assert!(
        all.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {all:?}"
    );

    let first = store.search("订单0007", &none, None, 50).expect("search");
    let segments: Vec<(&str, bool)> = first.hits[0]
        .snippet
        .iter()
        .map(|s| (s.text.as_str(), s.hit))
        .collect();
    assert_eq!(segments, [("订单0007", true), (" 申请退款", false)]);

    let count = |f: SearchFilter| store.search_all_keys("退款", &f).expect("search").len();
    assert_eq!(
        count(SearchFilter {
            customer: Some("wmAlice".into()),
            ..Default::default()
        }),
        40
    );
    assert_eq!(
        count(SearchFilter {
            open_kfid: Some(KFS[1].into()),
            ..Default::default()
        }),
        20
    );
    assert_eq!(
        count(SearchFilter {
            sender: Some(Sender::Customer),
            ..Default::default()
        }),
        60
    );
    assert_eq!(
        count(SearchFilter {
            sender: Some(Sender::Agent),
            ..Default::default()
        }),
        60
    );
    assert_eq!(
        count(SearchFilter {
            since: Some(2_000_010),
            until: Some(2_000_019),
            ..Default::default()
        }),
        10
    );
    assert_eq!(
        count(SearchFilter {
            customer: Some("wmAlice".into()),
            since: Some(2_000_000),
            sender: Some(Sender::Customer),
            ..Default::default()
        }),
        17,
        "filters combine"
    );
}

#[test]
fn a_database_from_before_search_is_indexed_on_upgrade() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("kefu.sqlite");
    {
        // The schema as shipped before search (migrations 001 and 002), with messages in it.
        let conn = rusqlite::Connection::open(&path).expect("open");
        conn.execute_batch(include_str!("../../migrations/001_init.sql"))
            .expect("001");
        conn.execute_batch(include_str!("../../migrations/002_media.sql"))
            .expect("002");
        conn.pragma_update(None, "user_version", 2)
            .expect("version");
        for i in 0..5_000 {
            let text = format!("第{i}条 快递单号SF{:010}", i * 7);
            conn.execute(
                "INSERT INTO message (msgid, open_kfid, external_userid, send_time, origin, msgtype, text, json)
                 VALUES (?1, 'wkOld', 'wmOld', ?2, 3, 'text', ?3, '{}')",
                rusqlite::params![format!("old{i}"), 1_000 + i, text],
            )
            .expect("insert");
        }
        conn.execute(
            "INSERT INTO message (msgid, open_kfid, external_userid, send_time, origin, msgtype, json)
             VALUES ('oldlink', 'wkOld', 'wmOld', 9000, 3, 'link', ?1)",
            [json!({"msgid": "oldlink", "open_kfid": "wkOld", "external_userid": "wmOld",
                "send_time": 9000, "origin": 3, "msgtype": "link",
                "link": {"title": "退货须知", "url": "https://example.com"}}).to_string()],
        )
        .expect("insert link");
    }
    let store = Store::open(&path).expect("upgrade");
    assert_eq!(store.search_backfill_pending().expect("pending"), 0);
    let f = SearchFilter::default();
    assert_eq!(
        store.search_all_keys("快递", &f).expect("search").len(),
        5_000
    );
    assert_eq!(
        store
            .search_all_keys("SF0000034993", &f)
            .expect("search")
            .len(),
        1
    );
    assert_eq!(
        store
            .search_all_keys("退货须知", &f)
            .expect("link titles are searchable")
            .len(),
        1
    );
    let newest = store.search("快递", &f, None, 1).expect("search");
    assert_eq!(newest.hits[0].message.msgid, "old4999");
    assert_eq!(
        brute_force(&folded_texts(&store), "99"),
        store.search_all_keys("99", &f).expect("search")
    );
}
