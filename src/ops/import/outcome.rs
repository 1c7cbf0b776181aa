//! What an import plan says: the sources to add ([`NewSource`], with what of each outline was
//! [`Dropped`]), the outlines [`Skipped`] and why ([`SkipReason`]), and the [`PlanRules`] it was
//! made under. Values only; `plan` makes them and `apply` prints and writes them.

use std::fmt;

use super::read::MAX_FOLDER_DEPTH;

/// The most tags a new source is given.
pub const MAX_TAGS: usize = 64;
/// The longest folder title or category that becomes a tag.
pub const MAX_TAG_CHARS: usize = 100;

/// A `[[source]]` table to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSource {
    pub name: String,
    pub url: String,
    pub homepage: Option<String>,
    pub language: Option<String>,
    /// Folder titles, then the outline's categories; no duplicates.
    pub tags: Vec<String>,
    /// Values of the outline that could not be carried over.
    pub dropped: Vec<Dropped>,
}

/// An outline value left out of a new source because the config would reject it, or because it
/// is past a bound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dropped {
    /// `htmlUrl` is not an absolute http(s) URL.
    Homepage(String),
    /// `language` is not a language tag.
    Language(String),
    /// It sat in this many folders deeper than [`MAX_FOLDER_DEPTH`] levels (flattened).
    DeepFolders(usize),
    /// A folder title or category longer than [`MAX_TAG_CHARS`] (its first 40 characters).
    LongTag(String),
    /// This many more tags than [`MAX_TAGS`].
    ManyTags(usize),
}

impl fmt::Display for Dropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dropped::Homepage(h) => {
                write!(f, "htmlUrl `{h}` left out: not an absolute http(s) URL")
            }
            Dropped::Language(l) => write!(f, "language `{l}` left out: not a language tag"),
            Dropped::DeepFolders(n) => write!(
                f,
                "folders nested deeper than {MAX_FOLDER_DEPTH} levels were flattened ({n} of \
                 them): only the outer {MAX_FOLDER_DEPTH} are its tags"
            ),
            Dropped::LongTag(t) => {
                write!(
                    f,
                    "tag `{t}…` left out: longer than {MAX_TAG_CHARS} characters"
                )
            }
            Dropped::ManyTags(n) => {
                write!(
                    f,
                    "{n} more tags left out: a source keeps at most {MAX_TAGS}"
                )
            }
        }
    }
}

/// Why an outline adds nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// A configured source has the same feed URL.
    ConfiguredByUrl { existing: String },
    /// A configured source has the same name.
    ConfiguredByName { existing: String },
    /// An earlier outline of this file has the same feed URL (its folders were merged into it).
    ListedTwice { first: String },
    /// The outline has no `xmlUrl`: a link or an empty folder, not a feed.
    NoXmlUrl,
    /// The `xmlUrl` is not an absolute http(s) URL.
    InvalidUrl { url: String, why: NotHttpUrl },
    /// The `type` names something that is not an RSS, Atom or JSON feed (`HTML+XPath`...).
    NotAFeed { kind: String },
    /// The feed is on a private network (an address the private-network guard blocks, or a name
    /// reserved for local use), and intranet feeds were not asked for.
    Intranet { host: String },
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::ConfiguredByUrl { existing } => {
                write!(f, "already configured by URL, as `{existing}`")
            }
            SkipReason::ConfiguredByName { existing } => {
                write!(f, "already configured by name, as `{existing}`")
            }
            SkipReason::ListedTwice { first } => {
                write!(
                    f,
                    "listed twice in this file; its folders were added to `{first}`"
                )
            }
            SkipReason::NoXmlUrl => write!(f, "no xmlUrl: not a feed"),
            SkipReason::InvalidUrl { url, why } => write!(f, "invalid xmlUrl `{url}`: {why}"),
            SkipReason::NotAFeed { kind } => write!(f, "type `{kind}` is not an RSS or Atom feed"),
            SkipReason::Intranet { host } => write!(
                f,
                "`{host}` is on a private network (loopback, private, link-local or cloud \
                 metadata, or a local name): an intranet feed is imported only with \
                 --allow-intranet"
            ),
        }
    }
}

/// One outline that adds nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The outline's name, else its `xmlUrl`, else `(untitled)`.
    pub label: String,
    pub reason: SkipReason,
}

/// What an import does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportPlan {
    pub added: Vec<NewSource>,
    pub skipped: Vec<Skipped>,
}

/// What a plan lets in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlanRules {
    /// Feeds on private networks too (`feedbraid import --allow-intranet`).
    pub allow_intranet: bool,
}

/// Why a URL fails the rule `feedbraid check` applies to `url` and `homepage`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotHttpUrl {
    /// It parses, but is not http(s) with a host.
    #[error("`{0}:` is not http(s)")]
    Scheme(String),
    /// It does not parse as an absolute URL.
    #[error(transparent)]
    Parse(#[from] url::ParseError),
}
