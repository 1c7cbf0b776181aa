//! The pages' interface text in the reader's language (issue 22): one Fluent message catalogue
//! per language (`i18n/*.ftl`, compiled into the binary), read with `fluent-bundle`, Mozilla's
//! localisation system (plural rules included). English is the reference: any message a
//! catalogue lacks falls back to it, message by message.
//!
//! A view's pages use the catalogue of the view's language (`[[view]] ui_language` overrides),
//! found by BCP 47 tag: exactly, then by script for Chinese (`zh-TW`, `zh-HK` are Traditional;
//! `zh`, `zh-CN` Simplified), then by primary language; else English. Dates and sizes are
//! written by the catalogue too (`date`, `month-year`, `kb`...), with the Thai solar year in
//! Thai.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};

use chrono::{DateTime, Datelike, Utc};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

/// The catalogues shipped: the tag written in `lang`, and the messages.
const SHIPPED: &[(&str, &str)] = &[
    ("en", include_str!("i18n/en.ftl")),
    ("th", include_str!("i18n/th.ftl")),
    ("zh-Hans", include_str!("i18n/zh-Hans.ftl")),
    ("zh-Hant", include_str!("i18n/zh-Hant.ftl")),
    ("fr", include_str!("i18n/fr.ftl")),
    ("es", include_str!("i18n/es.ftl")),
    ("pt", include_str!("i18n/pt.ftl")),
];

/// One language's messages.
pub struct Catalogue {
    tag: &'static str,
    bundle: FluentBundle<FluentResource>,
    /// Days already written ([`Catalogue::date`]): a cold run of a large network writes the
    /// date of 100,000 rows, from a few hundred days, and formatting each through Fluent was
    /// half of making a row's context.
    dates: Mutex<HashMap<(i32, u32, u32), String>>,
}

impl std::fmt::Debug for Catalogue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalogue").field("tag", &self.tag).finish()
    }
}

/// Every shipped catalogue, parsed once. A catalogue that does not parse is a build defect
/// (the tests parse each one): its messages fall back to English.
fn all() -> &'static [Catalogue] {
    static ALL: OnceLock<Vec<Catalogue>> = OnceLock::new();
    ALL.get_or_init(|| {
        SHIPPED
            .iter()
            .map(|(tag, text)| {
                let id = tag.parse().unwrap_or_default();
                let mut bundle = FluentBundle::new_concurrent(vec![id]);
                // No invisible isolation marks around arguments: the text is plain HTML text,
                // and `dir`/`lang` attributes do the isolating.
                bundle.set_use_isolating(false);
                let res = FluentResource::try_new((*text).to_string()).unwrap_or_else(|(r, _)| r);
                let _ = bundle.add_resource(res);
                Catalogue {
                    tag,
                    bundle,
                    dates: Mutex::default(),
                }
            })
            .collect()
    })
}

/// The English catalogue.
pub fn english() -> &'static Catalogue {
    &all()[0]
}

/// The catalogue for a language tag, if one is shipped (see the module header).
pub fn find(lang: &str) -> Option<&'static Catalogue> {
    let l = lang.to_ascii_lowercase();
    let mut parts = l.split(['-', '_']);
    let primary = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    let wanted = if primary == "zh" {
        let traditional = rest
            .iter()
            .any(|p| matches!(*p, "hant" | "tw" | "hk" | "mo"));
        if traditional { "zh-hant" } else { "zh-hans" }
    } else {
        primary
    };
    all().iter().find(|c| c.tag.to_ascii_lowercase() == wanted)
}

/// The catalogue for a language tag, English when none is shipped.
pub fn for_lang(lang: Option<&str>) -> &'static Catalogue {
    lang.and_then(find).unwrap_or_else(english)
}

impl Catalogue {
    /// The tag the interface is in, for `lang` attributes.
    pub fn tag(&self) -> &'static str {
        self.tag
    }

    /// Message `id` with `args`; English when this catalogue lacks it, the id when no catalogue
    /// has it.
    pub fn msg(&self, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let mut fargs = FluentArgs::new();
        for (k, v) in args {
            fargs.set(*k, v.clone());
        }
        for c in [self, english()] {
            if let Some(p) = c.bundle.get_message(id).and_then(|m| m.value()) {
                let mut errors = Vec::new();
                return c
                    .bundle
                    .format_pattern(p, Some(&fargs), &mut errors)
                    .into_owned();
            }
        }
        id.to_string()
    }

    /// Message `id` without arguments.
    pub fn get(&self, id: &str) -> String {
        self.msg(id, &[])
    }

    /// Message `id` with one text argument.
    pub fn with(&self, id: &str, name: &str, value: &str) -> String {
        self.msg(id, &[(name, FluentValue::from(value))])
    }

    /// Message `id` with a `count` (its plural form chosen by the language's rules).
    pub fn count(&self, id: &str, n: usize) -> String {
        self.msg(id, &[("count", FluentValue::from(n))])
    }

    fn date_args(&self, y: i32, m: u32) -> [(&'static str, FluentValue<'static>); 4] {
        [
            ("year", FluentValue::from(y.to_string())),
            ("be", FluentValue::from((y + 543).to_string())),
            ("monthnum", FluentValue::from(m.to_string())),
            ("month", FluentValue::from(self.get(&format!("month-{m}")))),
        ]
    }

    /// A date as this language writes it ("3 December 2026", "2026年12月3日").
    pub fn date(&self, d: DateTime<Utc>) -> String {
        let day = (d.year(), d.month(), d.day());
        if let Some(s) = self
            .dates
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&day)
        {
            return s.clone();
        }
        let mut args = self.date_args(d.year(), d.month()).to_vec();
        args.push(("day", FluentValue::from(d.day().to_string())));
        let s = self.msg("date", &args);
        let mut dates = self.dates.lock().unwrap_or_else(PoisonError::into_inner);
        // Bounded: a pathological spread of dates is formatted again rather than held.
        if dates.len() >= 20_000 {
            dates.clear();
        }
        dates.insert(day, s.clone());
        s
    }

    /// A month as this language writes it ("December 2026").
    pub fn month_year(&self, y: i32, m: u32) -> String {
        self.msg("month-year", &self.date_args(y, m))
    }

    /// A year as this language writes it.
    pub fn year(&self, y: i32) -> String {
        self.msg("year", &self.date_args(y, 1))
    }

    /// 1024-based sizes: "900 bytes", "476 KB", "2.0 MB".
    pub fn size(&self, n: u64) -> String {
        const K: f64 = 1024.0;
        let f = n as f64;
        let (id, v) = if n < 1024 {
            ("bytes", n.to_string())
        } else if f < K * K {
            ("kb", format!("{:.0}", f / K))
        } else if f < K * K * K {
            ("mb", format!("{:.1}", f / (K * K)))
        } else {
            ("gb", format!("{:.1}", f / (K * K * K)))
        };
        self.with(id, "count", &v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogue_parses_and_has_every_english_message() {
        let english_ids: Vec<String> = SHIPPED[0]
            .1
            .lines()
            .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim().to_string()))
            .filter(|k| !k.starts_with('#') && !k.starts_with(' ') && !k.is_empty())
            .collect();
        assert!(english_ids.len() > 40, "{english_ids:?}");
        for (tag, text) in SHIPPED {
            let res = FluentResource::try_new((*text).to_string());
            assert!(res.is_ok(), "{tag}: {:?}", res.err().map(|e| e.1));
            let c = find(tag).expect("found by its own tag");
            for id in &english_ids {
                assert!(c.bundle.get_message(id).is_some(), "{tag} lacks {id}");
            }
        }
    }

    #[test]
    fn languages_are_found_by_tag_script_and_primary_subtag() {
        assert_eq!(for_lang(Some("th-TH")).tag(), "th");
        assert_eq!(for_lang(Some("zh-TW")).tag(), "zh-Hant");
        assert_eq!(for_lang(Some("zh-hant")).tag(), "zh-Hant");
        assert_eq!(for_lang(Some("zh")).tag(), "zh-Hans");
        assert_eq!(for_lang(Some("pt-BR")).tag(), "pt");
        assert_eq!(for_lang(Some("ar")).tag(), "en");
        assert_eq!(for_lang(None).tag(), "en");
    }

    #[test]
    fn dates_sizes_and_plurals_follow_the_language() {
        let d = DateTime::parse_from_rfc3339("2026-12-03T10:00:00Z")
            .expect("date")
            .to_utc();
        assert_eq!(english().date(d), "3 December 2026");
        assert_eq!(for_lang(Some("th")).date(d), "3 ธันวาคม 2569");
        assert_eq!(for_lang(Some("zh-CN")).date(d), "2026年12月3日");
        assert_eq!(for_lang(Some("es")).date(d), "3 de diciembre de 2026");
        assert_eq!(english().count("entries", 1), "1 entry");
        assert_eq!(english().count("entries", 12), "12 entries");
        assert_eq!(for_lang(Some("fr")).size(476 * 1024), "476 Ko");
        assert_eq!(english().size(900), "900 bytes");
        assert_eq!(english().get("no-such-message"), "no-such-message");
        // Written once per day and language, then remembered: the same text again, and another
        // day or language its own.
        let th = find("th").expect("Thai");
        let next = d + chrono::Duration::days(1);
        for _ in 0..2 {
            assert_eq!(english().date(d), "3 December 2026");
            assert_eq!(english().date(next), "4 December 2026");
            assert_ne!(th.date(d), english().date(d));
        }
    }
}
