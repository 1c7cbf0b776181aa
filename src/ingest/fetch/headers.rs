//! Reading a response's headers: cache validators, `Retry-After`, `Cache-Control: max-age`.

use std::time::Duration;

use reqwest::header::{self, HeaderMap};

use crate::model::Validators;

pub(super) fn header_str(h: &HeaderMap, name: header::HeaderName) -> Option<String> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Seconds or an HTTP date, relative to now.
pub(super) fn retry_after(h: &HeaderMap) -> Option<Duration> {
    let v = header_str(h, header::RETRY_AFTER)?;
    if let Ok(s) = v.trim().parse::<u64>() {
        return Some(Duration::from_secs(s));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v.trim()).ok()?;
    (when.with_timezone(&chrono::Utc) - chrono::Utc::now())
        .to_std()
        .ok()
}

pub(super) fn max_age(h: &HeaderMap) -> Option<Duration> {
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

pub(super) fn validators(h: &HeaderMap) -> Validators {
    Validators {
        etag: header_str(h, header::ETAG),
        last_modified: header_str(h, header::LAST_MODIFIED),
    }
}
