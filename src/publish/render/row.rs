//! An entry's row on the library's pages, written straight into a string when `entry.html` is
//! the built-in template: what minijinja would write for it with `full` false, byte for byte.
//!
//! Hand-written, not a second template engine: a cold run lists every published entry (100,000
//! at 5,000 partners × 20), and minijinja's machine (its context turned into values, then each
//! instruction interpreted) was about 3.4 µs a row, 6 % of a cold run's CPU at 500 × 50
//! (`docs/performance.md`, issue 25). An override of `entry.html` in `[output] templates` is
//! always rendered by minijinja. A property test renders generated entries both ways (here,
//! and by minijinja with the built-in template) and holds them equal, so a change to the
//! built-in `entry.html` fails it until this follows.

use super::chrome::EntryCtx;
use crate::text::escape::escape_html_to;

/// The labels a row shows (`t["from"]`, `t['tags']`), in the interface's language.
#[derive(Debug, Clone)]
pub struct RowLabels {
    pub from: String,
    pub tags: String,
}

/// `e`'s row: the built-in `entry.html` with `full` false.
pub(super) fn compact(e: &EntryCtx<'_>, labels: &RowLabels) -> String {
    let mut o = String::with_capacity(320 + e.title.len() + 96 * e.tags.len());
    o.push_str("<article>\n<h3");
    lang_dir(&mut o, e);
    o.push_str("><a href=\"");
    esc(&mut o, e.link);
    o.push_str("\">");
    esc(&mut o, e.title);
    o.push_str("</a></h3>\n<p class=\"meta\">");
    esc(&mut o, &labels.from);
    o.push_str(" <a href=\"");
    esc(&mut o, &e.partner.url);
    o.push_str("\">");
    esc(&mut o, &e.partner.name);
    o.push_str("</a> · <time datetime=\"");
    esc(&mut o, &e.date.datetime);
    o.push_str("\">");
    esc(&mut o, &e.date.display);
    o.push_str("</time></p>\n");
    if !e.attachments.is_empty() {
        o.push_str("<ul class=\"attachments\">\n");
        let links = e.attachments.iter().map(|a| (&*a.url, &*a.text));
        list(&mut o, links, " download");
    }
    if !e.tags.is_empty() {
        o.push_str("<ul class=\"tags\" aria-label=\"");
        esc(&mut o, &labels.tags);
        o.push_str("\">\n");
        list(&mut o, e.tags.iter().map(|g| (&*g.url, &*g.name)), "");
    }
    o.push_str("</article>\n");
    o
}

/// A list's items, each `(href, text)` a link with `attrs` after its `href`, and the list's end.
fn list<'a>(o: &mut String, links: impl Iterator<Item = (&'a str, &'a str)>, attrs: &str) {
    for (href, text) in links {
        o.push_str("<li><a href=\"");
        esc(o, href);
        o.push('"');
        o.push_str(attrs);
        o.push('>');
        esc(o, text);
        o.push_str("</a></li>\n");
    }
    o.push_str("</ul>\n");
}

/// ` lang="…"` and ` dir="…"` where the entry has them (an empty value is none, as in the
/// template's `{% if %}`).
fn lang_dir(o: &mut String, e: &EntryCtx<'_>) {
    if let Some(lang) = e.lang.as_deref().filter(|l| !l.is_empty()) {
        o.push_str(" lang=\"");
        esc(o, lang);
        o.push('"');
    }
    if let Some(dir) = e.dir.filter(|d| !d.is_empty()) {
        o.push_str(" dir=\"");
        esc(o, dir);
        o.push('"');
    }
}

/// The templates' escaping (`Templates::load`'s formatter).
fn esc(o: &mut String, s: &str) {
    // Writing to a `String` cannot fail.
    let _ = escape_html_to(s, o);
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use chrono::{DateTime, TimeZone, Utc};
    use proptest::prelude::*;

    use super::super::chrome::entry_ctx;
    use super::super::html::Templates;
    use super::super::library::{Listed, Shelf};
    use crate::config::Config;
    use crate::model::{Category, Enclosure, Entry, SourceInfo};

    fn config(language: &str) -> Config {
        Config::parse(
            &format!(
                "[feed]\ntitle = \"t\"\nid = \"tag:ex.org,2026:f\"\nlink = \"https://ex.org/\"\n\
                 self_url = \"https://ex.org/feed.atom\"\nauthor = {{ name = \"A & <B>\" }}\n\
                 language = \"{language}\"\n"
            ),
            Path::new("/tmp/feeds.toml"),
        )
        .expect("config")
    }

    fn entry(
        title: String,
        link: String,
        language: Option<String>,
        published: Option<DateTime<Utc>>,
        enclosures: Vec<Enclosure>,
        categories: Vec<Category>,
    ) -> Entry {
        Entry {
            id: "tag:ex.org,2026:e".into(),
            original_id: None,
            title,
            link,
            link_is_site: false,
            link_lang: None,
            published,
            updated: Utc.with_ymd_and_hms(2026, 2, 28, 23, 59, 59).unwrap(),
            summary: Some("<p>not in a row</p>".into()),
            content: None,
            authors: Vec::new(),
            categories,
            language,
            enclosures,
            image: None,
            via: Vec::new(),
            source: None,
            rights: Some("rights, not in a row".into()),
            license: Some("https://creativecommons.org/licenses/by/4.0/".into()),
            credit: None,
        }
    }

    /// An entry with a title HTML escapes, and nothing else optional.
    fn plain() -> Entry {
        entry(
            "A & B".into(),
            "https://p.example/a".into(),
            None,
            None,
            vec![],
            vec![],
        )
    }

    fn partner(name: String) -> SourceInfo {
        SourceInfo {
            name,
            id: "https://p.example/feed".into(),
            title: "P".into(),
            homepage: None,
            feed_url: None,
            updated: DateTime::UNIX_EPOCH,
            rights: None,
            license: None,
        }
    }

    /// Text with what HTML escapes, what XML cannot hold, and more than one script.
    fn text() -> impl Strategy<Value = String> {
        "[a-z &<>\"'/\u{0}\u{1}\u{b}\u{fffe}ก-๛一-龥\u{600}-\u{6ff}]{0,24}"
    }

    fn attachment() -> impl Strategy<Value = Enclosure> {
        let mime = prop::sample::select(vec![
            "application/pdf",
            "audio/mpeg",
            "application/x-epub",
            "",
            "text/html; charset=utf-8",
        ]);
        (
            text(),
            mime,
            prop::option::of(0u64..50_000_000),
            prop::option::of(text()),
            prop::option::of(0u32..500),
        )
            .prop_map(|(url, mime, length, title, pages)| Enclosure {
                url: format!("https://p.example/{url}"),
                mime_type: mime.into(),
                length,
                title,
                pages,
                ..Default::default()
            })
    }

    fn category() -> impl Strategy<Value = Category> {
        (text(), prop::option::of(text())).prop_map(|(term, label)| Category { term, label })
    }

    fn language() -> impl Strategy<Value = Option<String>> {
        let tags = vec![
            "", "en", "th", "zh-Hant", "ar", "fa-Latn", "he", "ur-Arab", "EN-gb",
        ];
        prop::option::of(prop::sample::select(tags).prop_map(String::from))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Description: a row written without minijinja is the built-in `entry.html`'s, byte for
        /// byte, whatever the entry, its partner and the interface's language.
        /// Expect: equal strings.
        #[test]
        fn a_written_row_is_the_templates(
            ui in prop::sample::select(vec!["en", "th", "zh"]),
            title in text(),
            link in text(),
            lang in language(),
            published in prop::option::of(0i64..4_000_000_000),
            attachments in prop::collection::vec(attachment(), 0..3),
            categories in prop::collection::vec(category(), 0..3),
            source in prop::option::of(text()),
        ) {
            let cfg = config(ui);
            let views = crate::pool::views::feed_views(&cfg);
            let templates = Templates::load(None).expect("templates");
            prop_assert!(templates.entry_built_in());
            let shelf = Shelf { cfg: &cfg, views: &views, templates: &templates };
            let published = published.and_then(|s| DateTime::from_timestamp(s, 0));
            let e = entry(title, link, lang, published, attachments, categories);
            let info = source.map(partner);
            let listed = Listed { entry: &e, source: info.as_ref() };
            let t = shelf.messages();
            let written = shelf.row(&t, &listed).expect("written");
            let ctx = entry_ctx(&cfg, super::super::page::interface(&views[0]), "../", &e, info.as_ref());
            let templated = shelf.templated_row(&t.value, ctx).expect("templated");
            prop_assert_eq!(written, templated);
        }
    }

    /// Description: an entry with no licence of its own, from a partner with none, then with
    /// one. Expect: no licence link text, then one that names the entry.
    #[test]
    fn only_an_entry_with_a_licence_gets_its_link_text() {
        let cfg = config("en");
        let views = crate::pool::views::feed_views(&cfg);
        let t = super::super::page::interface(&views[0]);
        let mut e = plain();
        e.license = None;
        let none = partner("P".into());
        assert_eq!(entry_ctx(&cfg, t, "../", &e, Some(&none)).license_text, "");
        e.license = Some("https://creativecommons.org/licenses/by/4.0/".into());
        let text = entry_ctx(&cfg, t, "../", &e, Some(&none)).license_text;
        assert!(text.contains("A & B"), "{text}");
    }

    /// Description: an override of `entry.html` is what the rows are rendered with; one with the
    /// built-in text is the built-in template.
    /// Expect: the override's row; `entry_built_in` only for the built-in text.
    #[test]
    fn an_overridden_entry_template_renders_the_rows() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(dir.path().join("entry.html"), "<li>{{ e.title }}</li>\n").expect("write");
        let cfg = config("en");
        let views = crate::pool::views::feed_views(&cfg);
        let templates = Templates::load(Some(dir.path())).expect("templates");
        assert!(!templates.entry_built_in());
        let shelf = Shelf {
            cfg: &cfg,
            views: &views,
            templates: &templates,
        };
        let e = plain();
        let listed = Listed {
            entry: &e,
            source: None,
        };
        let row = shelf.row(&shelf.messages(), &listed).expect("row");
        assert_eq!(row, "<li>A &amp; B</li>\n");
        let same = super::super::html::DEFAULTS
            .iter()
            .find(|(n, _)| *n == "entry.html")
            .map(|(_, text)| *text)
            .expect("built-in");
        std::fs::write(dir.path().join("entry.html"), same).expect("write");
        assert!(
            Templates::load(Some(dir.path()))
                .expect("templates")
                .entry_built_in()
        );
    }
}
