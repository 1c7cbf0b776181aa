//! `feedbraid check` for the library's templates: every library page rendered once with a
//! sample entry and every optional value, and once with nothing, so that an override of
//! `library.html` or `entry.html` that would fail a run fails `check` first, naming the file.
//! Apart from `library` because it is a test harness for templates, not a page.

use super::html::Templates;
use super::library::{Listed, Part, PartnerFacts, Shelf};
use crate::config::{Config, ConfigError};
use crate::model::Entry;

/// An entry with what a library page can show: a right-to-left title, a download, topics.
fn sample_entry() -> Entry {
    Entry {
        id: "tag:feedbraid.example,2026:sample".into(),
        original_id: None,
        title: "A sample entry".into(),
        link: "https://partner.example/sample".into(),
        link_is_site: false,
        link_lang: None,
        published: Some(chrono::DateTime::UNIX_EPOCH),
        updated: chrono::DateTime::UNIX_EPOCH,
        summary: Some("<p>A sample summary.</p>".into()),
        content: None,
        authors: Vec::new(),
        categories: vec![crate::model::Category::term("sample")],
        language: Some("ar".into()),
        enclosures: vec![crate::model::Enclosure {
            url: "https://partner.example/sample.pdf".into(),
            mime_type: "application/pdf".into(),
            length: Some(1024),
            ..Default::default()
        }],
        image: None,
        via: Vec::new(),
        source: None,
        rights: Some("Sample rights".into()),
        license: None,
        credit: None,
    }
}

/// Renders every library page once with a sample entry and every optional value, and once with
/// nothing, as `feedbraid check` does: an override of `library.html` that would fail a run fails
/// here.
pub fn check(templates: &Templates, cfg: &Config) -> Result<(), ConfigError> {
    let views = crate::pool::views::feed_views(cfg);
    let shelf = Shelf {
        cfg,
        views: &views,
        templates,
    };
    let sample = [sample_entry()];
    let facts = PartnerFacts {
        info: None,
        description: Some("A sample description"),
        homepage: Some("https://partner.example/"),
        rights: Some("Sample rights"),
        feed: Some("https://partner.example/feed"),
    };
    let cut = Part {
        stem: "sample".into(),
        index: 1,
        count: 2,
    };
    let sample: Vec<Listed<'_>> = sample
        .iter()
        .map(|e| Listed {
            entry: e,
            source: e.source.as_ref(),
        })
        .collect();
    let t = shelf.messages();
    let rows: Vec<String> = sample
        .iter()
        .map(|l| shelf.row(&t, l))
        .collect::<Result<_, _>>()?;
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    for entries in [&rows[..], &[]] {
        let listed = [("sample".to_string(), "Sample".to_string(), entries.len())];
        shelf.months_index(&[(1970, 1, entries.len())])?;
        shelf.month((1970, 1), Some((1969, 12)), Some((1970, 2)), &cut, entries)?;
        shelf.month((1970, 1), None, None, &Part::default(), entries)?;
        shelf.tags_index(&listed)?;
        shelf.tag("sample", "Sample", &cut, entries)?;
        shelf.partners_index(&listed)?;
        shelf.partner("sample", "Sample", &facts, &cut, entries)?;
        shelf.partner(
            "sample",
            "Sample",
            &PartnerFacts::default(),
            &Part::default(),
            entries,
        )?;
    }
    Ok(())
}
