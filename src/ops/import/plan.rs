//! Which outlines of an OPML file become new `[[source]]` tables, and why the others do not. Pure:
//! the configured sources and the outlines in, the plan out.
//!
//! An outline is already configured when its feed URL matches a source's after normalisation
//! (`http` and `https` alike, host case and `www.` ignored, no trailing slash, tracking parameters
//! and fragments dropped), or when its name matches a source's name, case-insensitively (a
//! partner configured as a local `path` file has no URL to compare). Two outlines of the same file
//! with the same URL become one source with both folders as tags; two with different URLs but the
//! same name get the feed's host added to the second name (and a number after it, if need be).
//! A feed on a private network is skipped unless the rules allow intranet feeds (`address`).
//!
//! What the file offers is plain text on one line once planned: control and bidi characters are
//! stripped from names, tags and whatever a message quotes (`text::controls`). Every step is a
//! hash lookup, so the plan costs linear time however many outlines share a name (issue 27,
//! defect 9), and a source keeps at most [`MAX_TAGS`] tags of at most [`MAX_TAG_CHARS`]
//! characters, so its table stays small however deep or long the file's folders are.

use std::collections::{HashMap, HashSet};

use super::address::{feed_url, http_url, url_key};
use super::outcome::{
    Dropped, ImportPlan, MAX_TAG_CHARS, MAX_TAGS, NewSource, PlanRules, SkipReason, Skipped,
};
use super::read::Outline;
use crate::config::{Location, Source};
use crate::text::controls;

/// Decides, for each outline in order, whether it adds a source to `existing`.
pub fn plan_import(existing: &[Source], outlines: &[Outline], rules: PlanRules) -> ImportPlan {
    let mut p = Planner {
        rules,
        by_url: HashMap::new(),
        by_name: HashMap::new(),
        added_by_key: HashMap::new(),
        names: Names::default(),
        plan: ImportPlan::default(),
    };
    for s in existing {
        if let Location::Url(u) = &s.location
            && let Some(k) = url_key(u.as_str())
        {
            p.by_url.entry(k).or_insert(s.name.as_str());
        }
        p.by_name.entry(fold(&s.name)).or_insert(s.name.as_str());
        p.names.taken.insert(fold(&s.name));
    }
    for o in outlines {
        p.outline(o);
    }
    p.plan
}

/// The plan so far, and what it looks names and addresses up in.
struct Planner<'a> {
    rules: PlanRules,
    /// Configured sources by normalised URL, and by folded name.
    by_url: HashMap<String, &'a str>,
    by_name: HashMap<String, &'a str>,
    /// Added sources (their index) by normalised URL.
    added_by_key: HashMap<String, usize>,
    names: Names,
    plan: ImportPlan,
}

impl Planner<'_> {
    fn outline(&mut self, o: &Outline) {
        let own = o
            .name
            .as_deref()
            .map(controls::strip)
            .filter(|n| !n.is_empty());
        let label = own
            .clone()
            .or_else(|| o.xml_url.as_deref().map(controls::strip))
            .unwrap_or_else(|| "(untitled)".into());
        let url = match feed_url(
            o.xml_url.as_deref(),
            o.kind.as_deref(),
            self.rules.allow_intranet,
        ) {
            Ok(u) => u,
            Err(why) => return self.skip(label, why),
        };
        let key = url_key(url.as_str()).unwrap_or_else(|| url.to_string());
        let host = url.host_str().unwrap_or_default().to_string();
        let (tags, tag_notes) = tags(o, own.as_deref().unwrap_or_default());
        let name = own.unwrap_or_else(|| host.clone());
        if let Some(n) = self.by_url.get(&key) {
            let existing = (*n).to_string();
            self.skip(label, SkipReason::ConfiguredByUrl { existing });
        } else if let Some(n) = self.by_name.get(&fold(&name)) {
            let existing = (*n).to_string();
            self.skip(label, SkipReason::ConfiguredByName { existing });
        } else if let Some(&i) = self.added_by_key.get(&key) {
            let first = &mut self.plan.added[i];
            for t in tags {
                if first.tags.len() < MAX_TAGS && !first.tags.iter().any(|x| fold(x) == fold(&t)) {
                    first.tags.push(t);
                }
            }
            let first = first.name.clone();
            self.skip(label, SkipReason::ListedTwice { first });
        } else {
            let mut dropped = Vec::new();
            let homepage = o.html_url.as_ref().and_then(|h| match http_url(h) {
                Ok(u) => Some(u.to_string()),
                Err(_) => {
                    dropped.push(Dropped::Homepage(controls::strip(h)));
                    None
                }
            });
            let language = o.language.as_ref().and_then(|l| {
                let n = crate::text::lang::normalise(l);
                if n.is_none() {
                    dropped.push(Dropped::Language(controls::strip(l)));
                }
                n
            });
            dropped.extend(tag_notes);
            self.added_by_key.insert(key, self.plan.added.len());
            self.plan.added.push(NewSource {
                name: self.names.unique(&name, &host),
                url: url.to_string(),
                homepage,
                language,
                tags,
                dropped,
            });
        }
    }

    fn skip(&mut self, label: String, reason: SkipReason) {
        self.plan.skipped.push(Skipped { label, reason });
    }
}

/// The names taken so far (folded), and for each `name (host)` the next number to try after it.
#[derive(Default)]
struct Names {
    taken: HashSet<String>,
    next: HashMap<String, usize>,
}

impl Names {
    /// `name`, else `name (host)`, else `name (host) N` for the first free N from 2: amortised
    /// constant time per name, since each base's counter only goes up.
    fn unique(&mut self, name: &str, host: &str) -> String {
        if self.taken.insert(fold(name)) {
            return name.to_string();
        }
        let base = format!("{name} ({host})");
        let folded = fold(&base);
        if self.taken.insert(folded.clone()) {
            return base;
        }
        let counter = self.next.entry(folded).or_insert(2);
        loop {
            let candidate = format!("{base} {counter}");
            *counter += 1;
            if self.taken.insert(fold(&candidate)) {
                return candidate;
            }
        }
    }
}

/// The form two names that are the same name share: trimmed, lower case.
fn fold(s: &str) -> String {
    s.trim().to_lowercase()
}

/// Folder titles, then the `category` paths (one leading `/` removed); control characters
/// stripped, blanks and case-insensitive duplicates dropped, at most [`MAX_TAGS`] of at most
/// [`MAX_TAG_CHARS`] characters. A folder named like the feed itself (`own`) is not a tag:
/// Thunderbird puts every feed in a folder of its own. Returns the tags and what was left out.
fn tags(o: &Outline, own: &str) -> (Vec<String>, Vec<Dropped>) {
    let own = fold(own);
    let folders = o.folders.iter().map(|f| controls::strip(f));
    let folders = folders.filter(|f| fold(f) != own);
    let cats = o.category.as_deref().unwrap_or_default().split(',');
    let cats = cats.map(|c| controls::strip(c.trim().strip_prefix('/').unwrap_or(c.trim())));
    let (mut out, mut dropped) = (Vec::new(), Vec::new());
    let (mut seen, mut extra) = (HashSet::new(), HashSet::new());
    for t in folders.chain(cats) {
        let t = t.trim();
        let k = fold(t);
        if t.is_empty() || seen.contains(&k) {
            continue;
        }
        if t.chars().count() > MAX_TAG_CHARS {
            dropped.push(Dropped::LongTag(t.chars().take(40).collect()));
        } else if out.len() < MAX_TAGS {
            out.push(t.to_string());
        } else {
            extra.insert(k);
            continue;
        }
        seen.insert(k);
    }
    if !extra.is_empty() {
        dropped.push(Dropped::ManyTags(extra.len()));
    }
    if o.flattened > 0 {
        dropped.push(Dropped::DeepFolders(o.flattened));
    }
    (out, dropped)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use std::sync::Arc;

    use super::{Dropped, PlanRules, SkipReason, plan_import};
    use crate::config::Config;
    use crate::ops::import::Outline;

    fn folders(names: &[&str]) -> Arc<[Arc<str>]> {
        names.iter().map(|n| Arc::from(*n)).collect()
    }

    fn existing() -> Vec<crate::config::Source> {
        let cfg = Config::parse(
            "[feed]\ntitle = \"t\"\nid = \"tag:ex.org,2026:f\"\nlink = \"https://ex.org/\"\n\
             self_url = \"https://ex.org/feed.atom\"\nauthor = { name = \"A\" }\n\
             [[source]]\nname = \"Empower\"\nurl = \"https://www.Empower.example.org/feed/\"\n\
             [[source]]\nname = \"Zi Teng\"\npath = \"zi.xml\"\n",
            Path::new("/tmp/feeds.toml"),
        )
        .expect("config");
        cfg.sources
    }

    fn feed(name: &str, url: &str) -> Outline {
        Outline {
            name: Some(name.into()),
            xml_url: Some(url.into()),
            kind: Some("rss".into()),
            ..Outline::default()
        }
    }

    #[test]
    fn configured_by_normalised_url_or_by_name() {
        let plan = plan_import(
            &existing(),
            &[
                feed("Empower (new name)", "http://empower.example.org/feed"),
                feed("ZI TENG", "https://ziteng.example.org/rss"),
            ],
            PlanRules::default(),
        );
        assert!(plan.added.is_empty(), "{plan:?}");
        assert_eq!(
            plan.skipped[0].reason,
            SkipReason::ConfiguredByUrl {
                existing: "Empower".into()
            }
        );
        assert_eq!(
            plan.skipped[1].reason,
            SkipReason::ConfiguredByName {
                existing: "Zi Teng".into()
            }
        );
    }

    #[test]
    fn same_name_different_feed_is_made_unique_and_same_feed_is_merged() {
        let mut a = feed("News", "https://a.example.org/feed");
        a.folders = folders(&["Asia"]);
        let mut a_again = feed("News", "https://A.example.org/feed/");
        a_again.folders = folders(&["Africa", "News"]);
        let b = feed("news", "https://b.example.org:8443/feed");
        let c = feed("News", "https://a.example.org:8443/feed");
        let plan = plan_import(&[], &[a, a_again, b, c], PlanRules::default());
        let names: Vec<_> = plan.added.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            ["News", "news (b.example.org)", "News (a.example.org)"]
        );
        assert_eq!(plan.added[0].tags, ["Asia", "Africa"]);
        assert_eq!(
            plan.skipped[0].reason,
            SkipReason::ListedTwice {
                first: "News".into()
            }
        );
    }

    #[test]
    fn what_cannot_be_a_source_is_skipped_with_its_reason() {
        let mut xpath = feed("Scraped", "https://s.example.org/");
        xpath.kind = Some("HTML+XPath".into());
        let mut link = feed("Link", "");
        link.xml_url = None;
        let plan = plan_import(
            &[],
            &[
                xpath,
                link,
                feed("Relative", "/feed.xml"),
                feed("Gopher", "gopher://g.example.org/"),
            ],
            PlanRules::default(),
        );
        assert!(plan.added.is_empty());
        let reasons: Vec<_> = plan.skipped.iter().map(|s| &s.reason).collect();
        assert!(matches!(reasons[0], SkipReason::NotAFeed { kind } if kind == "HTML+XPath"));
        assert_eq!(reasons[1], &SkipReason::NoXmlUrl);
        assert!(matches!(reasons[2], SkipReason::InvalidUrl { .. }));
        assert!(
            matches!(reasons[3], SkipReason::InvalidUrl { why, .. } if why.to_string().contains("gopher"))
        );
    }

    #[test]
    fn carries_valid_homepage_language_and_categories() {
        let mut o = feed("Partner", "https://p.example.org/feed");
        o.kind = None;
        o.html_url = Some("https://p.example.org/".into());
        o.language = Some("zh_hk".into());
        o.category = Some("/anti-trafficking, /Thailand,tag,/Asia/Mekong".into());
        let mut bad = feed("Bad", "https://bad.example.org/feed");
        bad.html_url = Some("javascript:alert(1)".into());
        bad.language = Some("English".into());
        let plan = plan_import(&[], &[o, bad], PlanRules::default());
        let p = &plan.added[0];
        assert_eq!(p.homepage.as_deref(), Some("https://p.example.org/"));
        assert_eq!(p.language.as_deref(), Some("zh-HK"));
        assert_eq!(
            p.tags,
            ["anti-trafficking", "Thailand", "tag", "Asia/Mekong"]
        );
        let b = &plan.added[1];
        assert_eq!((b.homepage.as_ref(), b.language.as_ref()), (None, None));
        assert_eq!(
            b.dropped,
            [
                Dropped::Homepage("javascript:alert(1)".into()),
                Dropped::Language("English".into())
            ]
        );
    }
}
