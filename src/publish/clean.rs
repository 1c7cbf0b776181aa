//! Sanitising at publish time (issue 13): the pure part.
//!
//! Normalising keeps an item's HTML as the partner wrote it. Only an entry that some output
//! publishes (the main feed, a view, an archive month) is sanitised, and the links inside its
//! HTML resolved, on its way from the state to the renderers (`materialise`). Of a cold run's
//! 25,000 items, a few hundred are.
//!
//! The result is cached in the state beside the raw item, under the item's hash and the
//! fingerprint of the settings that made it ([`Settings::print`]): the allowlist's version, the
//! origin's `iframe_hosts` and its excerpt settings. An entry is sanitised once, however many
//! runs and views publish it; a change of allowlist cleans every entry again, a change of one
//! source's settings only that source's.

use sha2::{Digest, Sha256};
use url::Url;

use crate::config::{Config, Source};
use crate::ingest::normalise::html::{Sanitizer, allowlist_print};
use crate::ingest::normalise::ids::short_hash;
use crate::model::{Cleaned, Entry};
use crate::text::escape::escape;
use crate::text::hex;
use crate::text::plain as text;

/// What a cached result depends on besides the raw HTML and its base.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Settings {
    /// Hosts whose `<iframe>`s survive.
    pub iframe_hosts: Vec<String>,
    /// For an `excerpt_only` source, the excerpt's length: only a plain-text excerpt of the
    /// entry's text is published, and none of its content, attachments or image.
    pub excerpt: Option<usize>,
}

impl Settings {
    /// A partner's settings.
    pub fn of_source(s: &Source) -> Settings {
        Settings {
            iframe_hosts: s.iframe_hosts.clone(),
            excerpt: s.excerpt_only.then_some(s.excerpt_chars),
        }
    }

    /// The settings of the network's own entries (`[feed] iframe_hosts`).
    pub fn local(cfg: &Config) -> Settings {
        Settings {
            iframe_hosts: cfg.feed.iframe_hosts.clone(),
            excerpt: None,
        }
    }

    /// The fingerprint a cached result is valid for: the allowlist and these settings.
    pub fn print(&self) -> String {
        let excerpt = self.excerpt.map(|n| n.to_string()).unwrap_or_default();
        let mut parts = vec![allowlist_print(), excerpt];
        parts.extend(self.iframe_hosts.iter().cloned());
        short_hash(&parts.iter().map(String::as_str).collect::<Vec<_>>())
    }

    /// A sanitiser for these settings and one base URL.
    pub fn sanitizer(&self, base: Option<Url>) -> Sanitizer {
        Sanitizer::new(base, &self.iframe_hosts)
    }
}

/// Sanitises an entry's raw `summary` and `content` with `sanitizer` (built from `settings`
/// and the entry's base) and cuts the excerpt of an `excerpt_only` source.
pub fn clean(
    settings: &Settings,
    sanitizer: &Sanitizer,
    summary: Option<&str>,
    content: Option<&str>,
) -> Cleaned {
    let one = |h: Option<&str>| h.map(|h| sanitizer.clean(h)).filter(|c| !c.is_empty());
    let (summary, content) = (one(summary), one(content));
    match settings.excerpt {
        None => Cleaned { summary, content },
        Some(chars) => {
            let full = summary
                .as_deref()
                .or(content.as_deref())
                .map(text::plain)
                .unwrap_or_default();
            let cut = text::excerpt(&full, chars);
            Cleaned {
                summary: (!cut.is_empty()).then(|| format!("<p>{}</p>", escape(&cut))),
                content: None,
            }
        }
    }
}

/// Puts cleaned HTML into an entry read from the state, with what `excerpt_only` removes.
pub fn apply(entry: &mut Entry, settings: &Settings, cleaned: Cleaned) {
    entry.summary = cleaned.summary;
    entry.content = cleaned.content;
    if settings.excerpt.is_some() {
        entry.enclosures.clear();
        entry.image = None;
    }
}

/// The cache key of one of the network's own entries: a digest of everything its cleaning
/// reads, length-prefixed (unlike [`short_hash`], whose separator a text could contain) (they have no item hash: they are not stored, but read from `feeds.toml` every run).
pub fn local_key(print: &str, base: Option<&Url>, e: &Entry) -> String {
    let mut h = Sha256::new();
    for part in [
        Some(print),
        base.map(Url::as_str),
        e.summary.as_deref(),
        e.content.as_deref(),
    ] {
        match part {
            Some(p) => {
                h.update((p.len() as u64).to_le_bytes());
                h.update(p.as_bytes());
            }
            None => h.update([0xFF]),
        }
    }
    hex(&h.finalize()[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blank() -> Entry {
        Entry {
            id: "tag:x,2026:1".into(),
            original_id: None,
            title: "t".into(),
            link: "https://x.example/1".into(),
            link_is_site: false,
            link_lang: None,
            published: None,
            updated: chrono::DateTime::UNIX_EPOCH,
            summary: None,
            content: None,
            authors: Vec::new(),
            categories: Vec::new(),
            language: None,
            enclosures: Vec::new(),
            image: None,
            via: Vec::new(),
            source: None,
            rights: None,
            license: None,
            credit: None,
        }
    }

    fn settings(hosts: &[&str], excerpt: Option<usize>) -> Settings {
        Settings {
            iframe_hosts: hosts.iter().map(|h| h.to_string()).collect(),
            excerpt,
        }
    }

    #[test]
    fn settings_come_from_the_source_and_from_the_feed() {
        let cfg = crate::config::Config::parse(
            "[feed]\ntitle = \"F\"\nid = \"tag:f.example,2026:f\"\nlink = \"https://f.example/\"\n\
             self_url = \"https://f.example/feed.atom\"\nauthor = { name = \"F\" }\n\
             iframe_hosts = [\"www.youtube-nocookie.com\"]\n\n\
             [[source]]\nname = \"P\"\nurl = \"https://p.example/feed\"\n\
             iframe_hosts = [\"player.vimeo.com\"]\nexcerpt_only = true\nexcerpt_chars = 99\n",
            std::path::Path::new("feeds.toml"),
        )
        .expect("config");
        assert_eq!(
            Settings::of_source(&cfg.sources[0]),
            settings(&["player.vimeo.com"], Some(99))
        );
        assert_eq!(
            Settings::local(&cfg),
            settings(&["www.youtube-nocookie.com"], None)
        );
    }

    #[test]
    fn the_print_changes_with_every_setting_and_only_with_them() {
        let a = settings(&["www.youtube.com"], None);
        assert_eq!(a.print(), a.clone().print());
        assert_ne!(a.print(), settings(&[], None).print());
        assert_ne!(a.print(), settings(&["player.vimeo.com"], None).print());
        assert_ne!(a.print(), settings(&["www.youtube.com"], Some(200)).print());
        assert_ne!(
            settings(&[], Some(200)).print(),
            settings(&[], Some(300)).print()
        );
    }

    #[test]
    fn cleaning_sanitises_resolves_and_drops_what_is_empty() {
        let s = settings(&[], None);
        let base = Url::parse("https://partner.example/news/").ok();
        let c = clean(
            &s,
            &s.sanitizer(base),
            Some("<p onclick=x>Hi <a href=\"a.html?utm_source=x\">there</a></p><script>1</script>"),
            Some("<script>only</script>"),
        );
        assert_eq!(
            c.summary.as_deref(),
            Some(
                "<p>Hi <a href=\"https://partner.example/news/a.html\" rel=\"noopener noreferrer nofollow\">there</a></p>"
            )
        );
        assert_eq!(c.content, None);
    }

    #[test]
    fn an_excerpt_only_source_gets_a_plain_text_excerpt_and_nothing_else() {
        let s = settings(&[], Some(12));
        let c = clean(
            &s,
            &s.sanitizer(None),
            None,
            Some("<p>One two three <b>four</b> five six</p>"),
        );
        assert_eq!(c.summary.as_deref(), Some("<p>One two…</p>"));
        assert_eq!(c.content, None);
        let mut e = Entry {
            image: Some("https://x.example/i.png".into()),
            ..blank()
        };
        e.enclosures.push(crate::model::Enclosure {
            url: "https://x.example/a.pdf".into(),
            mime_type: "application/pdf".into(),
            length: None,
            title: None,
            language: None,
            ..Default::default()
        });
        apply(&mut e, &s, c.clone());
        assert!(e.enclosures.is_empty() && e.image.is_none());
        assert_eq!(e.summary, c.summary);
    }

    #[test]
    fn local_keys_follow_the_html_the_base_and_the_print() {
        let mut e = blank();
        e.summary = Some("<p>a</p>".into());
        let base = Url::parse("https://net.example/").ok();
        let k = local_key("p1", base.as_ref(), &e);
        assert_eq!(k, local_key("p1", base.as_ref(), &e));
        assert_ne!(k, local_key("p2", base.as_ref(), &e));
        assert_ne!(k, local_key("p1", None, &e));
        let mut moved = e.clone();
        moved.content = moved.summary.take();
        assert_ne!(k, local_key("p1", base.as_ref(), &moved));
    }
}
