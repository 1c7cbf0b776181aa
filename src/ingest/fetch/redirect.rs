//! Redirects, followed by hand: at most ten hops, only to http(s), and a record of whether every
//! hop was permanent (301/308), which makes the final URL the one to put in `feeds.toml`.

use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap};
use url::Url;

use super::headers::header_str;
use super::outcome::{Failure, FailureKind};
use super::without_credentials;

const MAX_REDIRECTS: usize = 10;

/// Where a fetch has got to along its redirects.
#[derive(Debug)]
pub(super) struct Route {
    current: Url,
    hops: usize,
    /// Every hop so far was permanent.
    all_permanent: bool,
}

impl Route {
    /// A fetch of `url`, before any redirect.
    pub fn new(url: &Url) -> Route {
        Route {
            current: url.clone(),
            hops: 0,
            all_permanent: true,
        }
    }

    /// The URL the next request goes to.
    pub fn current(&self) -> &Url {
        &self.current
    }

    /// The URL the source has moved to: set when there were redirects and every one was
    /// permanent. Without credentials, as every URL the fetcher hands out.
    pub fn moved(&self) -> Option<Url> {
        (self.all_permanent && self.hops > 0).then(|| without_credentials(&self.current))
    }

    /// Takes the redirect `status` (with its `headers`) to its `Location`, or says why not.
    pub fn follow(&mut self, status: StatusCode, headers: &HeaderMap) -> Result<(), Failure> {
        let failed =
            |reason: String| Failure::new(FailureKind::Redirects, Some(status.as_u16()), reason);
        self.hops += 1;
        if self.hops > MAX_REDIRECTS {
            return Err(failed(format!("more than {MAX_REDIRECTS} redirects")));
        }
        let Some(next) =
            header_str(headers, header::LOCATION).and_then(|l| self.current.join(&l).ok())
        else {
            return Err(failed("redirect without a usable Location".into()));
        };
        if !matches!(next.scheme(), "http" | "https") {
            return Err(failed(format!(
                "redirect to a non-http URL {}",
                without_credentials(&next)
            )));
        }
        self.all_permanent &= matches!(
            status,
            StatusCode::MOVED_PERMANENTLY | StatusCode::PERMANENT_REDIRECT
        );
        self.current = next;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use reqwest::StatusCode;
    use reqwest::header::{HeaderMap, HeaderValue, LOCATION};
    use url::Url;

    use super::{MAX_REDIRECTS, Route};
    use crate::ingest::fetch::FailureKind;

    fn to(location: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(LOCATION, HeaderValue::from_str(location).expect("header"));
        h
    }

    fn start() -> Route {
        Route::new(&Url::parse("https://user:pw@a.example/feed").expect("url"))
    }

    #[test]
    fn only_all_permanent_hops_are_a_move_and_credentials_never_leave() {
        let mut r = start();
        assert_eq!(r.moved(), None, "no hop, no move");
        r.follow(StatusCode::MOVED_PERMANENTLY, &to("/new"))
            .expect("follows");
        assert_eq!(r.current().as_str(), "https://user:pw@a.example/new");
        assert_eq!(
            r.moved().map(String::from).as_deref(),
            Some("https://a.example/new")
        );
        r.follow(StatusCode::FOUND, &to("https://b.example/x"))
            .expect("follows");
        assert_eq!(r.moved(), None, "a temporary hop is no move");
    }

    #[test]
    fn a_redirect_without_location_to_another_scheme_or_too_many_fails() {
        let mut r = start();
        let f = r
            .follow(StatusCode::FOUND, &HeaderMap::new())
            .expect_err("no location");
        assert_eq!(
            (f.kind, f.status, f.reason.as_str()),
            (
                FailureKind::Redirects,
                Some(302),
                "redirect without a usable Location"
            )
        );
        let f = r
            .follow(StatusCode::FOUND, &to("ftp://a.example/f"))
            .expect_err("ftp");
        assert_eq!(f.reason, "redirect to a non-http URL ftp://a.example/f");
        let mut r = start();
        for _ in 0..MAX_REDIRECTS {
            r.follow(StatusCode::FOUND, &to("/again")).expect("follows");
        }
        let f = r
            .follow(StatusCode::FOUND, &to("/again"))
            .expect_err("too many");
        assert_eq!(f.reason, "more than 10 redirects");
    }
}
