//! What a fetch produces: one classified [`Outcome`] per request, and the failure kinds that
//! decide how the next run treats a source (their keys are `status.json`'s `failure`).

use crate::model::Validators;
use std::time::Duration;

use url::Url;

/// What one request produced.
#[derive(Debug)]
pub enum Outcome {
    /// A 200 with its body.
    Body {
        body: Vec<u8>,
        /// URL after redirects: the base for relative links (`None` for files).
        final_url: Option<Url>,
        content_type: Option<String>,
        validators: Validators,
        /// From `Cache-Control: max-age`.
        max_age: Option<Duration>,
        /// Set when every redirect hop was permanent (301/308): the URL to put in `feeds.toml`.
        moved_to: Option<Url>,
    },
    /// A 304: the stored entries are still current.
    NotModified {
        validators: Validators,
        max_age: Option<Duration>,
        moved_to: Option<Url>,
    },
    /// The request failed.
    Failed(Failure),
}

/// A classified failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub kind: FailureKind,
    /// HTTP status, when one was received.
    pub status: Option<u16>,
    /// From `Retry-After` on 429/503.
    pub retry_after: Option<Duration>,
    /// Human-readable reason for the report: short ("host not found", "connection refused").
    pub reason: String,
    /// The error with its chain of causes, when there is more to it than `reason`: for
    /// `status.json`, where an operator digging into a failure finds it.
    pub chain: Option<String>,
}

impl Failure {
    /// A failure with no `Retry-After`.
    pub fn new(kind: FailureKind, status: Option<u16>, reason: impl Into<String>) -> Failure {
        Failure {
            kind,
            status,
            retry_after: None,
            reason: reason.into(),
            chain: None,
        }
    }
}

/// Kinds of failure, which decide how the next run treats the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// Connection refused, DNS, TLS...
    Network,
    Timeout,
    /// Over the byte cap.
    TooLarge,
    /// 4xx other than 410/429.
    Client,
    /// 5xx.
    Server,
    /// 429, or 503 with `Retry-After`.
    RateLimited,
    /// 410: the partner removed the feed.
    Gone,
    /// Redirect loop or too many hops.
    Redirects,
    /// The document arrived but is not a feed that can be read (an HTML page, an empty body...).
    NotAFeed,
    /// A `path` source that is not a regular file (a device, a FIFO, a folder).
    NotAFile,
    /// A public source (or a public partner's image) led to a private address (`guard`).
    PrivateAddress,
}

impl FailureKind {
    /// The machine-readable key written to `status.json`.
    pub fn key(self) -> &'static str {
        match self {
            FailureKind::Network => "network",
            FailureKind::Timeout => "timeout",
            FailureKind::TooLarge => "too-large",
            FailureKind::Client => "client-error",
            FailureKind::Server => "server-error",
            FailureKind::RateLimited => "rate-limited",
            FailureKind::Gone => "gone",
            FailureKind::Redirects => "redirects",
            FailureKind::NotAFeed => "not-a-feed",
            FailureKind::NotAFile => "not-a-file",
            FailureKind::PrivateAddress => "private-address",
        }
    }
}
