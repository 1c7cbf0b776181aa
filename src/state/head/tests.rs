//! The unit tests of `head` (in a file of their own: with them `head` was over 400 lines).

use super::*;
use proptest::prelude::*;

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-z ]{1,12}",
        Just("ข่าว 新闻 \"q\" <b>&amp;</b>".to_string()),
        Just("\u{0}\u{FFFD}\r\n".to_string()),
    ]
}

fn time() -> impl Strategy<Value = DateTime<Utc>> {
    // Before 1970 too, and with nanoseconds: both must come back exactly.
    (-2_000_000_000i64..4_000_000_000, 0u32..1_000_000_000)
        .prop_map(|(s, n)| DateTime::from_timestamp(s, n).expect("in range"))
}

fn entry() -> impl Strategy<Value = Entry> {
    let o = || proptest::option::of(text());
    let person = (text(), o(), o()).prop_map(|(name, email, uri)| Person { name, email, uri });
    let category = (text(), o()).prop_map(|(term, label)| Category { term, label });
    let enclosure = (
        (text(), text(), proptest::option::of(any::<u64>())),
        (o(), o(), proptest::option::of(any::<u32>()), o()),
    )
        .prop_map(
            |((url, mime_type, length), (title, language, pages, sha256))| Enclosure {
                url,
                mime_type,
                length,
                title,
                language,
                pages,
                sha256,
            },
        );
    let source = ((text(), text(), text()), (o(), o(), time(), o(), o())).prop_map(
        |((name, id, title), (homepage, feed_url, updated, rights, license))| SourceInfo {
            name,
            id,
            title,
            homepage,
            feed_url,
            updated,
            rights,
            license,
        },
    );
    let credit = (text(), o(), o()).prop_map(|(name, uri, feed)| Credit { name, uri, feed });
    fn v<T: std::fmt::Debug>(s: impl Strategy<Value = T>) -> impl Strategy<Value = Vec<T>> {
        proptest::collection::vec(s, 0..3)
    }
    (
        (text(), o(), text(), text(), any::<bool>(), o()),
        (proptest::option::of(time()), time(), o(), o()),
        (v(person), v(category), o(), v(enclosure)),
        (o(), v(text()), proptest::option::of(source)),
        (o(), o(), proptest::option::of(credit)),
    )
        .prop_map(|(a, b, c, d, e)| Entry {
            id: a.0,
            original_id: a.1,
            title: a.2,
            link: a.3,
            link_is_site: a.4,
            link_lang: a.5,
            published: b.0,
            updated: b.1,
            summary: b.2,
            content: b.3,
            authors: c.0,
            categories: c.1,
            language: c.2,
            enclosures: c.3,
            image: d.0,
            via: d.1,
            source: d.2,
            rights: e.0,
            license: e.1,
            credit: e.2,
        })
}

proptest! {
    #[test]
    fn every_field_but_the_text_comes_back(e in entry()) {
        // Description: any entry, every optional field present or not, times before 1970
        // and with nanoseconds, strings empty or with quotes, controls, Thai and Chinese.
        // Expect: its head reads back as the entry without its summary and content.
        let bytes = write(&e, Vec::new()).expect("written");
        let back = read(&bytes).expect("read");
        let want = Entry { summary: None, content: None, ..e };
        prop_assert_eq!(back, want);
    }
}

#[test]
fn no_head_written_before_starts_with_the_mark() {
    // Description: a head written before started with its JSON's length, little-endian.
    // Expect: the mark read as such a length is more than SQLite keeps in one value (its
    // hard limit, SQLITE_MAX_LENGTH, is 2^31 - 1 at most and 10^9 by default).
    assert!(u32::from_le_bytes(MARK) as u64 >= (1u64 << 31) - 1);
    assert!(u32::from_le_bytes(MARK) > 1_000_000_000);
}

#[test]
fn a_damaged_head_is_an_error_not_a_panic() {
    // Description: a head cut short at every length, and one whose time is out of range.
    // Expect: each is an error saying why.
    let e = Entry {
        source: Some(SourceInfo {
            name: "p".into(),
            id: "i".into(),
            title: "t".into(),
            homepage: None,
            feed_url: None,
            updated: DateTime::from_timestamp(0, 0).expect("epoch"),
            rights: None,
            license: None,
        }),
        ..serde_json::from_str(
            r#"{"id":"i","original_id":null,"title":"T","link":"l","published":null,
            "updated":"2026-01-01T00:00:00Z","summary":null,"content":null,"authors":[],
            "categories":[],"language":null,"enclosures":[],"via":[],"source":null}"#,
        )
        .expect("entry")
    };
    let bytes = write(&e, Vec::new()).expect("written");
    for cut in 0..bytes.len() {
        assert!(read(&bytes[..cut]).is_err(), "cut at {cut}");
    }
    let far = Head {
        updated: (i64::MAX, 0),
        ..Head::of(&e)
    };
    let bytes = postcard::to_allocvec(&far).expect("written");
    assert_eq!(
        read(&bytes).map(|_| ()).map_err(|e| e.to_string()),
        Err(format!("a time out of range: {} s", i64::MAX))
    );
}
