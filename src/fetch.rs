//! HTTP fetching, politely: one shared client, bounded concurrency per host (the overall bound is
//! held by `collect` for the whole of a source's processing), connect
//! and total timeouts, a byte cap counted while streaming (after decompression, so a gzip bomb
//! stops at the cap), conditional GET, and redirects followed by hand so that permanent moves can
//! be reported. Returns one classified outcome per request; raw bytes only (charset is `decode`'s job).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{Client, StatusCode};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use url::Url;

use crate::config::FetchSettings;

/// The User-Agent every request carries.
pub const USER_AGENT: &str = concat!(
    "feedbraid/",
    env!("CARGO_PKG_VERSION"),
    " (feed aggregator; +https://github.com/feedbraid/feedbraid)"
);

const MAX_REDIRECTS: usize = 10;

/// HTTP cache validators of a response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

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
    /// Human-readable reason for the report.
    pub reason: String,
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
        }
    }
}

/// The shared HTTP client and its concurrency limits.
#[derive(Debug)]
pub struct Fetcher {
    client: Client,
    settings: FetchSettings,
    hosts: Mutex<HashMap<String, Arc<Semaphore>>>,
}

/// Building the HTTP client failed (TLS set-up).
#[derive(Debug, thiserror::Error)]
#[error("cannot set up the HTTP client: {0}")]
pub struct ClientError(String);

/// The HTTP client of a run, with `[fetch]`'s timeouts, our User-Agent and TLS roots; redirects
/// are not followed (the caller decides). Shared by fetching and the WebSub pings.
pub fn client(settings: &FetchSettings) -> Result<Client, ClientError> {
    Client::builder()
        .tls_backend_preconfigured(tls_config()?)
        .user_agent(USER_AGENT)
        .connect_timeout(settings.connect_timeout)
        .timeout(settings.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(settings.per_host)
        .build()
        .map_err(|e| ClientError(e.to_string()))
}

fn tls_config() -> Result<rustls::ClientConfig, ClientError> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ClientError(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

fn header_str(h: &HeaderMap, name: header::HeaderName) -> Option<String> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Seconds or an HTTP date, relative to now.
fn retry_after(h: &HeaderMap) -> Option<Duration> {
    let v = header_str(h, header::RETRY_AFTER)?;
    if let Ok(s) = v.trim().parse::<u64>() {
        return Some(Duration::from_secs(s));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v.trim()).ok()?;
    (when.with_timezone(&chrono::Utc) - chrono::Utc::now())
        .to_std()
        .ok()
}

fn max_age(h: &HeaderMap) -> Option<Duration> {
    let v = header_str(h, header::CACHE_CONTROL)?;
    v.split(',')
        .find_map(|d| {
            let (k, val) = d.trim().split_once('=')?;
            (k.eq_ignore_ascii_case("max-age") || k.eq_ignore_ascii_case("s-maxage"))
                .then(|| val.trim().parse().ok())
                .flatten()
        })
        .map(Duration::from_secs)
}

fn validators(h: &HeaderMap) -> Validators {
    Validators {
        etag: header_str(h, header::ETAG),
        last_modified: header_str(h, header::LAST_MODIFIED),
    }
}

/// `url` without its userinfo (`user:password@`). Credentials in a source URL are used for the
/// request and go no further: every URL the fetcher hands out (final URL, permanent move, reasons)
/// passes through here, and so does every URL a report shows.
pub fn without_credentials(url: &Url) -> Url {
    let mut u = url.clone();
    if !u.username().is_empty() || u.password().is_some() {
        // Only fails for URLs that cannot have credentials, which then have none to remove.
        let _ = u.set_username("");
        let _ = u.set_password(None);
    }
    u
}

fn fail(kind: FailureKind, status: Option<u16>, reason: impl Into<String>) -> Outcome {
    Outcome::Failed(Failure {
        kind,
        status,
        retry_after: None,
        reason: reason.into(),
    })
}

fn classify(e: &reqwest::Error) -> Outcome {
    if e.is_timeout() {
        return fail(FailureKind::Timeout, None, "timed out");
    }
    fail(FailureKind::Network, None, describe(e))
}

/// A reqwest error with its chain of causes ("error sending request: ...: connection refused").
pub fn describe(e: &reqwest::Error) -> String {
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        msg = format!("{msg}: {s}");
        src = s.source();
    }
    msg
}

impl Fetcher {
    /// The byte cap applied to every body (also used for files).
    pub fn max_bytes(&self) -> u64 {
        self.settings.max_bytes
    }

    /// Builds the client. Fails only if TLS cannot be set up.
    pub fn new(settings: &FetchSettings) -> Result<Fetcher, ClientError> {
        let client = client(settings)?;
        Ok(Fetcher {
            client,
            settings: settings.clone(),
            hosts: Mutex::new(HashMap::new()),
        })
    }

    /// A slot for `url`'s host. (The overall bound, `[fetch] concurrency`, is held by the caller
    /// for the whole of a source's processing; see `collect`.)
    async fn host_permit(&self, url: &Url) -> Option<OwnedSemaphorePermit> {
        let host = url.host_str().unwrap_or_default().to_string();
        let host_sem = {
            let mut map = self
                .hosts
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            Arc::clone(
                map.entry(host)
                    .or_insert_with(|| Arc::new(Semaphore::new(self.settings.per_host))),
            )
        };
        host_sem.acquire_owned().await.ok()
    }

    /// Fetches `url`, sending the stored validators. Never panics, never returns an error: every
    /// problem is a classified [`Outcome::Failed`].
    pub async fn fetch(&self, url: &Url, known: &Validators) -> Outcome {
        let total = self.settings.timeout + self.settings.connect_timeout;
        match tokio::time::timeout(total, self.fetch_inner(url, known)).await {
            Ok(o) => o,
            Err(_) => fail(
                FailureKind::Timeout,
                None,
                format!("no complete answer within {}s", total.as_secs()),
            ),
        }
    }

    async fn fetch_inner(&self, url: &Url, known: &Validators) -> Outcome {
        let mut current = url.clone();
        let mut all_permanent = true;
        let mut hops = 0;
        loop {
            let _permit = self.host_permit(&current).await;
            let mut req = self.client.get(current.clone()).header(header::ACCEPT, "application/atom+xml, application/rss+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5");
            if let Some(e) = &known.etag
                && let Ok(v) = HeaderValue::from_str(e)
            {
                req = req.header(header::IF_NONE_MATCH, v);
            }
            if let Some(lm) = &known.last_modified
                && let Ok(v) = HeaderValue::from_str(lm)
            {
                req = req.header(header::IF_MODIFIED_SINCE, v);
            }
            let resp = match req.send().await {
                Ok(r) => r,
                Err(e) => return classify(&e),
            };
            let status = resp.status();
            let moved = || (all_permanent && hops > 0).then(|| without_credentials(&current));
            if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
                hops += 1;
                if hops > MAX_REDIRECTS {
                    return fail(
                        FailureKind::Redirects,
                        Some(status.as_u16()),
                        format!("more than {MAX_REDIRECTS} redirects"),
                    );
                }
                let Some(next) = header_str(resp.headers(), header::LOCATION)
                    .and_then(|l| current.join(&l).ok())
                else {
                    return fail(
                        FailureKind::Redirects,
                        Some(status.as_u16()),
                        "redirect without a usable Location",
                    );
                };
                if !matches!(next.scheme(), "http" | "https") {
                    return fail(
                        FailureKind::Redirects,
                        Some(status.as_u16()),
                        format!("redirect to a non-http URL {}", without_credentials(&next)),
                    );
                }
                all_permanent &= matches!(
                    status,
                    StatusCode::MOVED_PERMANENTLY | StatusCode::PERMANENT_REDIRECT
                );
                current = next;
                continue;
            }
            let h = resp.headers().clone();
            if status == StatusCode::NOT_MODIFIED {
                let mut v = validators(&h);
                if v.etag.is_none() && v.last_modified.is_none() {
                    v = known.clone();
                }
                return Outcome::NotModified {
                    validators: v,
                    max_age: max_age(&h),
                    moved_to: moved(),
                };
            }
            if !status.is_success() {
                let kind = match status.as_u16() {
                    410 => FailureKind::Gone,
                    429 => FailureKind::RateLimited,
                    503 if h.contains_key(header::RETRY_AFTER) => FailureKind::RateLimited,
                    500..=599 => FailureKind::Server,
                    _ => FailureKind::Client,
                };
                return Outcome::Failed(Failure {
                    kind,
                    status: Some(status.as_u16()),
                    retry_after: retry_after(&h),
                    reason: format!("HTTP {status}"),
                });
            }
            let cap = self.settings.max_bytes;
            if resp.content_length().is_some_and(|n| n > cap) {
                return fail(
                    FailureKind::TooLarge,
                    Some(status.as_u16()),
                    format!("body larger than the {cap}-byte cap"),
                );
            }
            let mut resp = resp;
            let mut body = Vec::new();
            loop {
                match resp.chunk().await {
                    Ok(Some(chunk)) => {
                        if body.len() as u64 + chunk.len() as u64 > cap {
                            return fail(
                                FailureKind::TooLarge,
                                Some(status.as_u16()),
                                format!("body larger than the {cap}-byte cap"),
                            );
                        }
                        body.extend_from_slice(&chunk);
                    }
                    Ok(None) => break,
                    Err(e) => return classify(&e),
                }
            }
            return Outcome::Body {
                body,
                content_type: header_str(&h, header::CONTENT_TYPE),
                validators: validators(&h),
                max_age: max_age(&h),
                moved_to: moved(),
                final_url: Some(without_credentials(&current)),
            };
        }
    }
}
