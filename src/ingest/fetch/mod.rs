//! HTTP fetching, politely: one shared client, bounded concurrency per host (the overall bound is
//! held by `collect` for the whole of a source's processing), connect
//! and total timeouts, a byte cap counted while streaming (after decompression, so a gzip bomb
//! stops at the cap), conditional GET, and redirects followed by hand so that permanent moves can
//! be reported. Returns one classified outcome per request; raw bytes only (charset is `decode`'s job).
//! A public source never reaches a private address (`guard`, `ranges`).

mod guard;
mod headers;
mod outcome;
mod proxy;
mod ranges;
mod reason;
mod redirect;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{Client, RequestBuilder, Response, StatusCode};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use url::Url;

use crate::config::FetchSettings;
use headers::{header_str, max_age, retry_after, validators};
use redirect::Route;

use crate::model::Validators;
pub use guard::{Guard, PrivateAddress, StaticResolver, SystemResolver, UnknownHost};
pub use outcome::{Failure, FailureKind, Outcome};
pub use proxy::Proxies;
pub use ranges::{BadPrefix, Blocked, Cidr};
pub use reason::short_reason;

/// The User-Agent every request carries.
pub const USER_AGENT: &str = concat!(
    "feedbraid/",
    env!("CARGO_PKG_VERSION"),
    " (feed aggregator; +https://github.com/feedbraid/feedbraid)"
);

/// What every request accepts: feeds first.
const ACCEPT: &str = "application/atom+xml, application/rss+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5";

/// Which addresses a fetch may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Public addresses only: a partner whose configured URL is public, and its media.
    Public,
    /// Private addresses too: a source whose configured URL is itself private.
    Any,
}

/// The shared HTTP clients (guarded and not) and their concurrency limits.
#[derive(Debug)]
pub struct Fetcher {
    guarded: Client,
    open: Client,
    guard: Guard,
    proxies: Proxies,
    settings: FetchSettings,
    hosts: Mutex<HashMap<String, Arc<Semaphore>>>,
}

/// Building the HTTP client failed (TLS set-up).
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("cannot set up the HTTP client: {0}")]
    Tls(#[from] rustls::Error),
    #[error("cannot set up the HTTP client: {0}")]
    Http(#[from] reqwest::Error),
}

/// The HTTP client of a run, with `[fetch]`'s timeouts, our User-Agent and TLS roots; redirects
/// are not followed (the caller decides). Shared by fetching and the WebSub pings.
pub fn client(settings: &FetchSettings) -> Result<Client, ClientError> {
    builder(settings)?.build().map_err(ClientError::from)
}

fn builder(settings: &FetchSettings) -> Result<reqwest::ClientBuilder, ClientError> {
    let mut b = Client::builder().no_proxy();
    if let Some(p) = Proxies::from_env().reqwest() {
        b = b.proxy(p);
    }
    Ok(b.tls_backend_preconfigured(tls_config()?)
        .user_agent(USER_AGENT)
        .connect_timeout(settings.connect_timeout)
        .timeout(settings.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(settings.per_host))
}

fn tls_config() -> Result<rustls::ClientConfig, ClientError> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(ClientError::from)?
        .with_root_certificates(roots)
        .with_no_client_auth())
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
    Outcome::Failed(Failure::new(kind, status, reason))
}

/// A failed request (no answer, or a body cut off), classified.
fn classify(e: &reqwest::Error) -> Failure {
    if let Some(refused) = guard::refusal(e) {
        return Failure::new(FailureKind::PrivateAddress, None, refused.to_string());
    }
    if e.is_timeout() {
        return Failure::new(FailureKind::Timeout, None, "timed out");
    }
    Failure {
        chain: Some(describe(e)),
        ..Failure::new(FailureKind::Network, None, short_reason(e))
    }
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

    /// Builds the clients, guarded by [`Guard::system`]. Fails only if TLS cannot be set up.
    pub fn new(settings: &FetchSettings) -> Result<Fetcher, ClientError> {
        Fetcher::with_guard(settings, Guard::system())
    }

    /// Builds the clients with `guard`'s ranges and resolver.
    pub fn with_guard(settings: &FetchSettings, guard: Guard) -> Result<Fetcher, ClientError> {
        let build = |resolver| {
            builder(settings)?
                .dns_resolver(resolver)
                .build()
                .map_err(ClientError::from)
        };
        let proxies = Proxies::from_env();
        let guard = guard.trusting(proxies.hosts());
        Ok(Fetcher {
            guarded: build(guard.filtering())?,
            open: build(guard.resolver())?,
            guard,
            proxies,
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

    /// Fetches a source's configured `url`, sending the stored validators. It may reach private
    /// addresses only if `url` itself is private ([`Guard::is_private`]). Never panics, never
    /// returns an error: every problem is a classified [`Outcome::Failed`].
    pub async fn fetch(&self, url: &Url, known: &Validators) -> Outcome {
        self.fetch_within(url, known, None).await
    }

    /// Fetches `url` reaching only `reach` (media: [`Reach::Public`] unless the entry's source is
    /// private).
    pub async fn fetch_reaching(&self, url: &Url, known: &Validators, reach: Reach) -> Outcome {
        self.fetch_within(url, known, Some(reach)).await
    }

    /// The reach of a source whose configured URL is `url`.
    pub async fn reach_of(&self, url: &Url) -> Reach {
        if self.guard.is_private(url).await {
            Reach::Any
        } else {
            Reach::Public
        }
    }

    /// The time limit (`timeout` + `connect_timeout`) covers the requests, from the moment the
    /// first one may be sent: not the wait for a slot on a busy host (issue 27, defect 12), which
    /// the run's own bounds (`[fetch] concurrency`, the queue) already limit.
    async fn fetch_within(&self, url: &Url, known: &Validators, reach: Option<Reach>) -> Outcome {
        let total = self.settings.timeout + self.settings.connect_timeout;
        let timed_out = || {
            fail(
                FailureKind::Timeout,
                None,
                format!("no complete answer within {}s", total.as_secs()),
            )
        };
        let reach = match reach {
            Some(r) => r,
            None => match tokio::time::timeout(total, self.reach_of(url)).await {
                Ok(r) => r,
                Err(_) => return timed_out(),
            },
        };
        self.fetch_inner(url, known, reach, total)
            .await
            .unwrap_or_else(|_| timed_out())
    }

    /// Follows redirects by hand from `url` until a final answer, sending `known` on every hop;
    /// `Err` when the requests took longer than `total` (counted from the first slot).
    async fn fetch_inner(
        &self,
        url: &Url,
        known: &Validators,
        reach: Reach,
        total: std::time::Duration,
    ) -> Result<Outcome, tokio::time::error::Elapsed> {
        let client = match reach {
            Reach::Public => &self.guarded,
            Reach::Any => &self.open,
        };
        let mut route = Route::new(url);
        let mut deadline = None;
        loop {
            // An IP literal never reaches the guarded resolver: checked here, on every hop.
            if reach == Reach::Public
                && let Err(refused) = self.guard.literal(route.current())
            {
                return Ok(fail(FailureKind::PrivateAddress, None, refused.to_string()));
            }
            // Through a proxy our resolver never sees the target: it is judged here.
            if reach == Reach::Public
                && self.proxies.for_url(route.current()).is_some()
                && let Err(refused) = self.guard.proxied_target(route.current()).await
            {
                return Ok(fail(FailureKind::PrivateAddress, None, refused.to_string()));
            }
            let _permit = self.host_permit(route.current()).await;
            let deadline = *deadline.get_or_insert_with(|| tokio::time::Instant::now() + total);
            let sent = conditional_get(client, route.current(), known).send();
            let resp = match tokio::time::timeout_at(deadline, sent).await? {
                Ok(r) => r,
                Err(e) => return Ok(Outcome::Failed(classify(&e))),
            };
            let status = resp.status();
            if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
                if let Err(f) = route.follow(status, resp.headers()) {
                    return Ok(Outcome::Failed(f));
                }
                continue;
            }
            return tokio::time::timeout_at(deadline, self.answer(resp, known, &route)).await;
        }
    }

    /// What a final answer means: a 304, a classified HTTP failure, or the body (within the cap).
    async fn answer(&self, resp: Response, known: &Validators, route: &Route) -> Outcome {
        let status = resp.status();
        let h = resp.headers();
        if status == StatusCode::NOT_MODIFIED {
            let mut v = validators(h);
            if v.etag.is_none() && v.last_modified.is_none() {
                v = known.clone();
            }
            return Outcome::NotModified {
                validators: v,
                max_age: max_age(h),
                moved_to: route.moved(),
            };
        }
        if !status.is_success() {
            return Outcome::Failed(http_failure(status, h));
        }
        let content_type = header_str(h, header::CONTENT_TYPE);
        let fresh_validators = validators(h);
        let fresh_for = max_age(h);
        match self.read_body(resp).await {
            Ok(body) => Outcome::Body {
                body,
                content_type,
                validators: fresh_validators,
                max_age: fresh_for,
                moved_to: route.moved(),
                final_url: Some(without_credentials(route.current())),
            },
            Err(f) => Outcome::Failed(f),
        }
    }

    /// The body, counted while it streams (after decompression): never more than the cap.
    async fn read_body(&self, mut resp: Response) -> Result<Vec<u8>, Failure> {
        let cap = self.settings.max_bytes;
        let status = Some(resp.status().as_u16());
        let too_large = || {
            Failure::new(
                FailureKind::TooLarge,
                status,
                format!("body larger than the {cap}-byte cap"),
            )
        };
        let declared = resp.content_length();
        if declared.is_some_and(|n| n > cap) {
            return Err(too_large());
        }
        // Sized from the declared length (a hint: a body is still counted as it comes), so
        // that a document is not copied as it grows; at most `PRESIZE_MAX`, which a server
        // that declares more than it sends cannot make every request hold.
        let hint = declared.map_or(0, |n| n.min(PRESIZE_MAX));
        let mut body = Vec::with_capacity(usize::try_from(hint).unwrap_or(0));
        while let Some(chunk) = resp.chunk().await.map_err(|e| classify(&e))? {
            if body.len() as u64 + chunk.len() as u64 > cap {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

/// The most a body's buffer is sized for before its bytes arrive (a partner's feed is rarely
/// more than a few hundred KB).
const PRESIZE_MAX: u64 = 4 << 20;

/// A GET of `url` that accepts feeds first and sends the stored validators.
fn conditional_get(client: &Client, url: &Url, known: &Validators) -> RequestBuilder {
    let mut req = client.get(url.clone()).header(header::ACCEPT, ACCEPT);
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
    req
}

/// A final answer that is neither 2xx nor 304, classified by its status.
fn http_failure(status: StatusCode, h: &HeaderMap) -> Failure {
    let kind = match status.as_u16() {
        410 => FailureKind::Gone,
        429 => FailureKind::RateLimited,
        503 if h.contains_key(header::RETRY_AFTER) => FailureKind::RateLimited,
        500..=599 => FailureKind::Server,
        _ => FailureKind::Client,
    };
    Failure {
        kind,
        status: Some(status.as_u16()),
        retry_after: retry_after(h),
        chain: None,
        reason: format!("HTTP {status}"),
    }
}
