//! `feeds.toml`: parsed into raw serde types (unknown keys rejected), then validated once into the
//! typed [`Config`] the rest of the program uses. `feedbraid check` stops here.
//!
//! [`Config::parse`] is pure (text in, value out); [`Config::from_file`] adds the file reading.

mod attachment_file;
mod check;
mod deploy;
mod digest;
mod duration;
mod entry;
mod error;
mod output;
mod raw;
mod source;
mod validate;
mod view;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use regex::Regex;
use url::Url;

pub use deploy::DeploySettings;
pub use digest::{DigestSettings, GroupBy};
pub use duration::{DurationError, parse_duration};
pub use error::ConfigError;
pub use view::{LOCAL, RESERVED};

use crate::model::{Enclosure, Person};

/// The whole validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The config file itself (for messages).
    pub path: PathBuf,
    /// Folder the config file is in; relative paths inside it resolve against this.
    pub base_dir: PathBuf,
    /// Where outputs go (absolute or relative to the current directory).
    pub output_dir: PathBuf,
    /// The state database.
    pub state_path: PathBuf,
    /// The combined feed's metadata.
    pub feed: FeedMeta,
    /// How partners are fetched.
    pub fetch: FetchSettings,
    /// Global filters.
    pub filter: Filter,
    /// Folder of Markdown local entries.
    pub local_dir: Option<PathBuf>,
    /// Partner sources, in file order.
    pub sources: Vec<Source>,
    /// Local entries written in `feeds.toml` (Markdown entries are read by `local`).
    pub entries: Vec<LocalEntry>,
    /// `[[view]]`: more feeds from the same run, in file order.
    pub views: Vec<View>,
    /// `[output]`: how every feed is written.
    pub output: OutputSettings,
    /// `[archive]`: RFC 5005 monthly archive documents under `archive/`.
    pub archive: ArchiveSettings,
    /// `[deploy]`: where `feedbraid deploy` copies the output, if anywhere.
    pub deploy: Option<DeploySettings>,
    /// `[digest]`: the monthly e-mail, if configured.
    pub digest: Option<DigestSettings>,
    /// `[review]`: the review queue and the hijack guard.
    pub review: ReviewSettings,
}

/// `[review]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewSettings {
    /// `trial`: how long a source under `review = "new"` is held (default 30 days).
    pub trial: Duration,
    /// `guard`: hold a source's new items when its feed suddenly looks like another site's
    /// (default on; `ingest::guard`).
    pub guard: bool,
    /// `burst`: more new items than this in one run trip the guard (default 20).
    pub burst: usize,
}

impl Default for ReviewSettings {
    fn default() -> Self {
        ReviewSettings {
            trial: Duration::from_secs(30 * 86_400),
            guard: true,
            burst: 20,
        }
    }
}

/// `[output]`: how every feed (the main one and each view) is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputSettings {
    /// `templates`: a folder whose files override the built-in templates by name.
    pub templates: Option<PathBuf>,
    /// `credit`: how partner entries name their partner where every reader shows it.
    pub credit: CreditStyle,
    /// `credit_words`: the word for "From" per language (primary subtag), e.g. `th = "จาก"`.
    pub credit_words: BTreeMap<String, String>,
    /// `mirror_media`: mirror every image published entries reference (EXIF stripped).
    pub mirror_media: bool,
    /// `media_max_bytes`: the largest image mirrored.
    pub media_max_bytes: u64,
    /// `formats`: what every feed is written as.
    pub formats: Formats,
}

impl Default for OutputSettings {
    /// What an absent `[output]` table means.
    fn default() -> Self {
        OutputSettings {
            templates: None,
            credit: CreditStyle::default(),
            credit_words: BTreeMap::new(),
            mirror_media: false,
            media_max_bytes: 5 * 1024 * 1024,
            formats: Formats::default(),
        }
    }
}

/// `[archive]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveSettings {
    /// `enabled`: write `archive/YYYY-MM.atom` and link them from `feed.atom`.
    pub enabled: bool,
    /// `grace`: how long after its last day a month stays open for late items before its
    /// document is written for good (default 7 days).
    pub grace: Duration,
}

impl Default for ArchiveSettings {
    fn default() -> Self {
        ArchiveSettings {
            enabled: false,
            grace: Duration::from_secs(7 * 86_400),
        }
    }
}

/// `[output] credit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CreditStyle {
    /// One short line at the top of the content: "From <a>Partner</a>" (the default).
    #[default]
    Content,
    /// The partner in the author name: "Kay Thi Win (NSWP)".
    Author,
    /// Only `atom:source` and `_feedbraid.source`.
    None,
}

/// `[output] formats`. Atom is always written: it is the product, and the pages, the JSON Feed's
/// attribution and WebSub all point at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Formats {
    /// `"json"`: `feed.json`, `NAME.json`.
    pub json: bool,
    /// `"html"`: the pages (`index.html`, `NAME.html`) and embeds (`embed.html`, `NAME.embed.html`).
    pub html: bool,
    /// `"rss"`: `feed.rss`, `NAME.rss` (RSS 2.0).
    pub rss: bool,
}

impl Default for Formats {
    /// `["atom", "json", "html"]`.
    fn default() -> Self {
        Formats {
            json: true,
            html: true,
            rss: false,
        }
    }
}

/// `[[view]]`: a feed of the entries that match every selector given (selectors are ANDed; an
/// empty list selects everything).
#[derive(Debug, Clone)]
pub struct View {
    /// `[a-z0-9-]+`, the file stem of its outputs.
    pub name: String,
    pub title: String,
    pub subtitle: Option<String>,
    /// Source names; [`LOCAL`] stands for the network's own entries.
    pub sources: Vec<String>,
    /// Lower-cased; an entry matches when one of its categories equals one of these.
    pub tags: Vec<String>,
    /// Language tags, matched without regard to case on their primary subtag (`zh` matches
    /// `zh-Hant`) or as a prefix (`zh-Hant` matches `zh-Hant-HK`).
    pub languages: Vec<String>,
    /// `include` / `exclude` (no `max_age`: the global one applies).
    pub filter: Filter,
    pub max_entries: usize,
    /// `ui_language`: the language of its pages' interface (default: its language).
    pub ui_language: Option<String>,
}

/// `[feed]`.
#[derive(Debug, Clone)]
pub struct FeedMeta {
    pub title: String,
    pub subtitle: Option<String>,
    pub id: String,
    pub link: Url,
    pub self_url: Url,
    pub author: Person,
    pub language: Option<String>,
    pub rights: Option<String>,
    pub icon: Option<Url>,
    pub logo: Option<Url>,
    pub max_entries: usize,
    /// How long a withdrawn or departed entry's RFC 6721 tombstone stays in the Atom feeds.
    pub tombstone_days: u32,
    /// `[feed] iframe_hosts`: hosts whose `<iframe>`s (videos) the network's own entries may embed.
    pub iframe_hosts: Vec<String>,
    /// WebSub hubs: advertised in every feed document, pinged when one changes.
    pub hubs: Vec<Url>,
}

/// `[fetch]`.
#[derive(Debug, Clone)]
pub struct FetchSettings {
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub max_bytes: u64,
    pub concurrency: usize,
    pub per_host: usize,
    pub grace_period: Duration,
    pub max_backoff: Duration,
}

impl Default for FetchSettings {
    fn default() -> Self {
        FetchSettings {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_bytes: 10 * 1024 * 1024,
            concurrency: 16,
            per_host: 2,
            grace_period: Duration::from_secs(7 * 86_400),
            max_backoff: Duration::from_secs(86_400),
        }
    }
}

/// Include/exclude patterns and an age limit (`[filter]` or per source).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub include: Vec<Regex>,
    pub exclude: Vec<Regex>,
    pub max_age: Option<Duration>,
}

/// Where a partner feed comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// Fetched over http(s).
    Url(Url),
    /// Read from a file (absolute path, already resolved against the config folder).
    Path(PathBuf),
}

/// How ids of a source's entries are derived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IdStrategy {
    /// The partner's guid/id, else the link, else a hash of title and date.
    #[default]
    Auto,
    /// Always the guid (scoped by source unless it is an absolute IRI).
    Guid,
    /// Always the canonical link.
    Link,
    /// Always a hash of title and date.
    Hash,
}

/// `[[source]]`.
#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    pub location: Location,
    pub homepage: Option<Url>,
    pub language: Option<String>,
    pub tags: Vec<String>,
    pub max_items: Option<usize>,
    pub id_strategy: IdStrategy,
    pub filter: Filter,
    pub iframe_hosts: Vec<String>,
    pub enabled: bool,
    /// `rights`: the partner's rights statement; wins over the one its feed carries.
    pub rights: Option<String>,
    /// `description`: what the partner does, for its page (`partners/SLUG.html`).
    pub description: Option<String>,
    /// `license`: the URL of the partner's licence; wins over its feed's.
    pub license: Option<Url>,
    /// `excerpt_only`: publish only the title, a plain-text excerpt and the link.
    pub excerpt_only: bool,
    /// `excerpt_chars`: the excerpt's length in characters (default 300).
    pub excerpt_chars: usize,
    /// `review`: whether its new items wait for an editor (the review queue).
    pub review: ReviewMode,
}

/// `[[source]] review`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReviewMode {
    /// Publish as they come (the default).
    #[default]
    Off,
    /// Hold the items of a source first seen less than `[review] trial` ago.
    New,
    /// Hold every new item.
    All,
}

impl Source {
    /// A short, stable, URL-safe form of the name, used inside derived ids.
    pub fn slug(&self) -> String {
        slugify(&self.name)
    }

    /// A fingerprint of every setting that changes how this source's items normalise; part of the
    /// cache key of normalised entries.
    pub fn normalise_fingerprint(&self) -> String {
        format!(
            "{}|{:?}|{:?}|{:?}|{:?}",
            self.name, self.homepage, self.language, self.tags, self.id_strategy,
        )
    }
}

/// A local entry as configured (dates parsed, URLs resolved), before it becomes a model entry.
#[derive(Debug, Clone)]
pub struct LocalEntry {
    pub id: String,
    pub title: String,
    pub published: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    pub link: Url,
    pub summary: Option<String>,
    /// HTML (Markdown entries are already converted).
    pub content: Option<String>,
    pub language: Option<String>,
    pub tags: Vec<String>,
    pub authors: Vec<Person>,
    pub attachments: Vec<Enclosure>,
    /// `source = { name, uri, feed }`: where the entry came from.
    pub credit: Option<crate::model::Credit>,
}

pub use crate::text::slug::slugify;

impl Config {
    /// Parses and validates config text. `path` names the file in errors and anchors relative paths.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let raw: raw::RawConfig =
            toml::from_str(text).map_err(|e| ConfigError::from_toml(path, text, &e))?;
        validate::validate(raw, text, path)
    }

    /// Reads and validates a config file.
    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::io(path, &e))?;
        Config::parse(&text, path)
    }

    /// Parses one Markdown local entry: TOML front matter between `+++` lines, then the body.
    pub fn parse_markdown_entry(&self, text: &str, path: &Path) -> Result<LocalEntry, ConfigError> {
        entry::markdown_entry(self, text, path)
    }
}
