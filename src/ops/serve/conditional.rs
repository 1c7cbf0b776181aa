//! Conditional and range requests, decided as RFC 9110 sections 13.2.2 and 14 order them (issue
//! 27, defect 17). Pure: the request's headers and the selected representation's validators in,
//! what to answer out.
//!
//! 1. `If-Match` (strong comparison; `*` holds, the file exists) fails with 412; without it,
//!    `If-Unmodified-Since` does.
//! 2. `If-None-Match` (weak comparison) holding answers 304; without it, `If-Modified-Since`.
//! 3. `Range` (GET only, one `bytes` range; anything else is ignored and the whole file sent),
//!    unless an `If-Range` is there and does not hold: a strong tag equal to the current one, or
//!    the exact `Last-Modified` date of a file at least a second old. When it does not hold the
//!    whole file is sent (200), never a piece of another version. A range past the end is 416.
//!
//! The answers carry the current representation's tag, whatever the client sent.

use std::ops::RangeInclusive;
use std::time::{SystemTime, UNIX_EPOCH};

/// The request headers that make a request conditional or partial, as sent.
#[derive(Debug, Clone, Copy, Default)]
pub struct Conditions<'a> {
    pub if_match: Option<&'a str>,
    pub if_unmodified_since: Option<&'a str>,
    pub if_none_match: Option<&'a str>,
    pub if_modified_since: Option<&'a str>,
    pub range: Option<&'a str>,
    pub if_range: Option<&'a str>,
}

/// What is known of the representation the request selected.
#[derive(Debug, Clone, Copy)]
pub struct Current<'a> {
    /// Its strong entity tag, quoted.
    pub tag: &'a str,
    pub modified: SystemTime,
    pub len: u64,
}

/// What to answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// 200 with the whole representation.
    Full,
    /// 206 with these bytes of it.
    Partial(RangeInclusive<u64>),
    /// 304.
    NotModified,
    /// 412.
    PreconditionFailed,
    /// 416.
    RangeNotSatisfiable,
}

/// Decides the answer to a GET (`get`) or a HEAD, at time `now`.
pub fn decide(get: bool, c: &Conditions<'_>, cur: &Current<'_>, now: SystemTime) -> Answer {
    let modified = secs(cur.modified);
    if let Some(h) = c.if_match {
        if !matches(h, cur.tag, true) {
            return Answer::PreconditionFailed;
        }
    } else if let Some(d) = c.if_unmodified_since.and_then(date)
        && modified > d
    {
        return Answer::PreconditionFailed;
    }
    if let Some(h) = c.if_none_match {
        if matches(h, cur.tag, false) {
            return Answer::NotModified;
        }
    } else if let Some(d) = c.if_modified_since.and_then(date)
        // A date in the future of the server is not a date the server gave (RFC 9110 13.1.3).
        && d <= secs(now)
        && modified <= d
    {
        return Answer::NotModified;
    }
    let Some(range) = c.range.filter(|_| get) else {
        return Answer::Full;
    };
    if let Some(v) = c.if_range
        && !if_range_holds(v, cur, now)
    {
        return Answer::Full;
    }
    match byte_range(range, cur.len) {
        Some(Some(r)) => Answer::Partial(r),
        Some(None) => Answer::RangeNotSatisfiable,
        None => Answer::Full,
    }
}

fn secs(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// An HTTP date, in seconds; `None` when it is not one.
fn date(s: &str) -> Option<u64> {
    httpdate::parse_http_date(s.trim()).ok().map(secs)
}

/// The entity tags of a list (`"a", W/"b"`), as (weak, tag with its quotes); `None` for `*`.
/// Commas inside a tag's quotes do not split it. Stops at the first thing that is not a tag.
fn tags(list: &str) -> Option<Vec<(bool, &str)>> {
    if list.trim() == "*" {
        return None;
    }
    let mut out = Vec::new();
    let mut rest = list;
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        let weak = rest.starts_with("W/");
        let body = if weak { &rest[2..] } else { rest };
        let Some(end) = body
            .strip_prefix('"')
            .and_then(|b| b.find('"'))
            .map(|i| i + 2)
        else {
            return Some(out);
        };
        out.push((weak, &body[..end]));
        rest = &body[end..];
    }
}

/// Whether the tag list `header` holds `tag`: strong comparison (neither weak, equal) for
/// `If-Match` and `If-Range`, weak (equal, weak or not) for `If-None-Match`. `*` always holds.
fn matches(header: &str, tag: &str, strong: bool) -> bool {
    match tags(header) {
        None => true,
        Some(list) => list.iter().any(|(weak, t)| *t == tag && !(strong && *weak)),
    }
}

fn if_range_holds(v: &str, cur: &Current<'_>, now: SystemTime) -> bool {
    let v = v.trim();
    if v.starts_with('"') || v.starts_with("W/") {
        return tags(v).is_some_and(|l| l.len() == 1 && !l[0].0 && l[0].1 == cur.tag);
    }
    // A date is a strong validator only for a file at least a second older than the answer.
    let modified = secs(cur.modified);
    date(v) == Some(modified) && modified < secs(now)
}

/// The one byte range of a `Range` value over `len` bytes: `None` to ignore the header (not
/// `bytes`, not valid, several ranges), `Some(None)` when it cannot be satisfied.
fn byte_range(value: &str, len: u64) -> Option<Option<RangeInclusive<u64>>> {
    let (unit, spec) = value.trim().split_once('=')?;
    if !unit.trim().eq_ignore_ascii_case("bytes") || spec.contains(',') {
        return None;
    }
    let (first, last) = spec.trim().split_once('-')?;
    let num = |s: &str| -> Option<Option<u64>> {
        let s = s.trim();
        if s.is_empty() {
            Some(None)
        } else if s.bytes().all(|b| b.is_ascii_digit()) {
            s.parse().ok().map(Some)
        } else {
            None
        }
    };
    Some(match (num(first)?, num(last)?) {
        (Some(a), Some(b)) if b < a => return None,
        (Some(a), _) if a >= len => None,
        (Some(a), b) => Some(a..=b.map_or(len - 1, |b| b.min(len - 1))),
        (None, Some(0)) => None,
        (None, Some(n)) if len > 0 => Some(len.saturating_sub(n)..=len - 1),
        (None, Some(_)) => None,
        (None, None) => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const TAG: &str = "\"1a-2b\"";

    fn at(s: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(s)
    }

    fn cur() -> Current<'static> {
        Current {
            tag: TAG,
            modified: at(1_000_000_000) + Duration::from_millis(300),
            len: 100,
        }
    }

    fn answer(c: Conditions<'_>) -> Answer {
        decide(true, &c, &cur(), at(1_000_000_100))
    }

    const LM: &str = "Sun, 09 Sep 2001 01:46:40 GMT";
    const OLD: &str = "Mon, 01 Jan 2001 00:00:00 GMT";

    #[test]
    fn if_match_compares_strongly_and_fails_with_412() {
        for ok in [TAG, "*", "\"x\", \"1a-2b\"", " \"a,b\" ,\"1a-2b\""] {
            let c = Conditions {
                if_match: Some(ok),
                ..Conditions::default()
            };
            assert_eq!(answer(c), Answer::Full, "{ok}");
        }
        for bad in ["\"x\"", "W/\"1a-2b\"", "", "1a-2b"] {
            let c = Conditions {
                if_match: Some(bad),
                ..Conditions::default()
            };
            assert_eq!(answer(c), Answer::PreconditionFailed, "{bad}");
        }
        let c = Conditions {
            if_unmodified_since: Some(OLD),
            ..Conditions::default()
        };
        assert_eq!(answer(c), Answer::PreconditionFailed);
        let c = Conditions {
            if_unmodified_since: Some(LM),
            ..Conditions::default()
        };
        assert_eq!(answer(c), Answer::Full);
        // If-Match decides; If-Unmodified-Since is then ignored.
        let c = Conditions {
            if_match: Some(TAG),
            if_unmodified_since: Some(OLD),
            ..Conditions::default()
        };
        assert_eq!(answer(c), Answer::Full);
    }

    #[test]
    fn if_none_match_compares_weakly_and_decides_over_the_date() {
        for hit in [TAG, "W/\"1a-2b\"", "*", "\"x\", W/\"1a-2b\""] {
            let c = Conditions {
                if_none_match: Some(hit),
                ..Conditions::default()
            };
            assert_eq!(answer(c), Answer::NotModified, "{hit}");
        }
        let c = Conditions {
            if_none_match: Some("\"x\""),
            if_modified_since: Some(LM),
            ..Conditions::default()
        };
        assert_eq!(answer(c), Answer::Full);
        let c = Conditions {
            if_modified_since: Some(LM),
            ..Conditions::default()
        };
        assert_eq!(answer(c), Answer::NotModified);
        let c = Conditions {
            if_modified_since: Some(OLD),
            ..Conditions::default()
        };
        assert_eq!(answer(c), Answer::Full);
        let future = "Fri, 01 Jan 2100 00:00:00 GMT";
        let c = Conditions {
            if_modified_since: Some(future),
            ..Conditions::default()
        };
        assert_eq!(answer(c), Answer::Full, "a date from the future is ignored");
    }

    #[test]
    fn ranges_and_if_range() {
        let r = |range: &str| {
            answer(Conditions {
                range: Some(range),
                ..Conditions::default()
            })
        };
        assert_eq!(r("bytes=0-9"), Answer::Partial(0..=9));
        assert_eq!(r("bytes=90-"), Answer::Partial(90..=99));
        assert_eq!(r("bytes=-10"), Answer::Partial(90..=99));
        assert_eq!(r("bytes=-1000"), Answer::Partial(0..=99));
        assert_eq!(r("bytes=5-1000"), Answer::Partial(5..=99));
        assert_eq!(r("bytes=100-"), Answer::RangeNotSatisfiable);
        assert_eq!(r("bytes=-0"), Answer::RangeNotSatisfiable);
        for ignored in [
            "bytes=0-1,5-6",
            "items=0-1",
            "bytes=9-2",
            "bytes=a-",
            "bytes=-",
            "0-9",
        ] {
            assert_eq!(r(ignored), Answer::Full, "{ignored}");
        }
        let with = |v: &str| {
            answer(Conditions {
                range: Some("bytes=0-9"),
                if_range: Some(v),
                ..Conditions::default()
            })
        };
        assert_eq!(with(TAG), Answer::Partial(0..=9));
        assert_eq!(with(LM), Answer::Partial(0..=9));
        for stale in [
            "\"x\"",
            "W/\"1a-2b\"",
            OLD,
            "Thu, 01 Jan 2099 00:00:00 GMT",
            "junk",
        ] {
            assert_eq!(with(stale), Answer::Full, "{stale}");
        }
        // A date is weak for a file modified this very second.
        let fresh = decide(
            true,
            &Conditions {
                range: Some("bytes=0-9"),
                if_range: Some(LM),
                ..Conditions::default()
            },
            &cur(),
            at(1_000_000_000) + Duration::from_millis(900),
        );
        assert_eq!(fresh, Answer::Full);
        // HEAD ignores Range.
        let head = decide(
            false,
            &Conditions {
                range: Some("bytes=0-9"),
                ..Conditions::default()
            },
            &cur(),
            at(1_000_000_100),
        );
        assert_eq!(head, Answer::Full);
        let empty = Current { len: 0, ..cur() };
        let c = Conditions {
            range: Some("bytes=0-"),
            ..Conditions::default()
        };
        assert_eq!(
            decide(true, &c, &empty, at(1_000_000_100)),
            Answer::RangeNotSatisfiable
        );
    }
}
