//! The `feeds.toml` file exactly as written: serde types with unknown keys rejected.
//!
//! Values that need checking (URLs, paths, durations, patterns, dates) are kept as
//! [`Spanned`] strings so that validation in `config::validate` can name the line of a bad value.

use serde::Deserialize;
use toml::Spanned;

pub(crate) type S = Spanned<String>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawConfig {
    pub output_dir: Option<S>,
    pub state: Option<S>,
    pub feed: RawFeed,
    #[serde(default)]
    pub fetch: RawFetch,
    #[serde(default)]
    pub filter: RawFilter,
    pub local: Option<RawLocal>,
    #[serde(default)]
    pub source: Vec<Spanned<RawSource>>,
    #[serde(default)]
    pub entry: Vec<Spanned<RawEntry>>,
    pub output: Option<RawOutput>,
    #[serde(default)]
    pub view: Vec<Spanned<RawView>>,
    pub archive: Option<RawArchive>,
    pub deploy: Option<RawDeploy>,
    pub digest: Option<RawDigest>,
    pub review: Option<RawReview>,
}

/// `[review]`: the review queue's settings.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawReview {
    pub trial: Option<S>,
    pub guard: Option<bool>,
    pub burst: Option<Spanned<i64>>,
}

/// `[digest]`: the monthly e-mail.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDigest {
    pub view: Option<S>,
    pub group_by: Option<S>,
    pub from: Option<S>,
    pub to: Option<S>,
    pub smtp: Option<S>,
    pub smtp_ca: Option<S>,
    pub unsubscribe: Option<S>,
    pub send: Option<S>,
}

/// `[deploy]`: where `feedbraid deploy` copies the output.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDeploy {
    pub target: S,
    pub endpoint: Option<S>,
    pub region: Option<S>,
    pub path_style: Option<bool>,
    pub delete_after: Option<S>,
    #[serde(default)]
    pub cache_control: std::collections::BTreeMap<String, S>,
    pub gzip: Option<bool>,
    pub after: Option<Spanned<Vec<S>>>,
    pub after_timeout: Option<S>,
    pub state: Option<S>,
    pub lease: Option<S>,
}

/// `[archive]`: RFC 5005 monthly archive documents.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawArchive {
    pub enabled: Option<bool>,
    pub grace: Option<S>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawOutput {
    pub templates: Option<S>,
    pub credit: Option<S>,
    pub mirror_media: Option<bool>,
    pub media_max_bytes: Option<Spanned<i64>>,
    #[serde(default)]
    pub credit_words: std::collections::BTreeMap<String, String>,
    pub formats: Option<Spanned<Vec<S>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawView {
    pub name: S,
    pub title: S,
    pub subtitle: Option<String>,
    #[serde(default)]
    pub sources: Vec<S>,
    #[serde(default)]
    pub tags: Vec<S>,
    #[serde(default)]
    pub languages: Vec<S>,
    #[serde(default)]
    pub include: Vec<S>,
    #[serde(default)]
    pub exclude: Vec<S>,
    pub max_entries: Option<Spanned<i64>>,
    pub ui_language: Option<S>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFeed {
    pub title: S,
    pub subtitle: Option<String>,
    pub id: S,
    pub link: S,
    pub self_url: S,
    pub author: Spanned<RawPerson>,
    pub language: Option<S>,
    pub rights: Option<String>,
    pub icon: Option<S>,
    pub logo: Option<S>,
    pub max_entries: Option<Spanned<i64>>,
    pub tombstone_days: Option<Spanned<i64>>,
    #[serde(default)]
    pub iframe_hosts: Vec<String>,
    #[serde(default)]
    pub hubs: Vec<S>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPerson {
    pub name: S,
    pub email: Option<String>,
    pub uri: Option<S>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFetch {
    pub timeout: Option<S>,
    pub connect_timeout: Option<S>,
    pub max_bytes: Option<Spanned<i64>>,
    pub concurrency: Option<Spanned<i64>>,
    pub per_host: Option<Spanned<i64>>,
    pub grace_period: Option<S>,
    pub max_backoff: Option<S>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFilter {
    #[serde(default)]
    pub include: Vec<S>,
    #[serde(default)]
    pub exclude: Vec<S>,
    pub max_age: Option<S>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLocal {
    pub dir: S,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSource {
    pub name: S,
    pub url: Option<S>,
    pub path: Option<S>,
    pub homepage: Option<S>,
    pub language: Option<S>,
    #[serde(default)]
    pub tags: Vec<S>,
    pub max_items: Option<Spanned<i64>>,
    pub id_strategy: Option<S>,
    #[serde(default)]
    pub include: Vec<S>,
    #[serde(default)]
    pub exclude: Vec<S>,
    pub max_age: Option<S>,
    #[serde(default)]
    pub iframe_hosts: Vec<String>,
    pub enabled: Option<bool>,
    pub description: Option<String>,
    pub rights: Option<String>,
    pub license: Option<S>,
    pub excerpt_only: Option<bool>,
    pub excerpt_chars: Option<Spanned<i64>>,
    pub review: Option<S>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEntry {
    pub title: S,
    pub slug: Option<S>,
    pub id: Option<S>,
    pub published: Spanned<DateVal>,
    pub updated: Option<Spanned<DateVal>>,
    pub link: Option<S>,
    pub summary: Option<String>,
    pub content: Option<String>,
    pub language: Option<S>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub authors: Vec<Spanned<RawPerson>>,
    #[serde(default)]
    pub attachments: Vec<Spanned<RawAttachment>>,
    pub source: Option<Spanned<RawCredit>>,
}

/// `[[entry]] source = { name, uri, feed }`: where one of the network's own entries came from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCredit {
    pub name: S,
    pub uri: Option<S>,
    pub feed: Option<S>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAttachment {
    pub url: Option<S>,
    #[serde(rename = "type")]
    pub mime_type: Option<S>,
    pub length: Option<Spanned<i64>>,
    pub title: Option<String>,
    pub language: Option<S>,
    pub path: Option<S>,
}

/// A date written either as a TOML string or as a native TOML date / date-time.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum DateVal {
    Text(String),
    Toml(toml::value::Datetime),
}

impl DateVal {
    pub fn text(&self) -> String {
        match self {
            DateVal::Text(s) => s.clone(),
            DateVal::Toml(d) => d.to_string(),
        }
    }
}
