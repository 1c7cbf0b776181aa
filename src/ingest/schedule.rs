//! When a source is next fetched. After a success: when the answer says it stops being fresh
//! (`Cache-Control: max-age`, a feed's `<ttl>`), never later than `max_backoff`. After a failure:
//! exponential back-off with a deterministic jitter, or the partner's `Retry-After` when that is
//! longer, also capped. Kept apart from `collect` so the policy reads (and is tested) on its own.

use chrono::{DateTime, Duration, Utc};

/// The next fetch after a 200 or 304 whose freshness `hint` is known; `None` (due next run)
/// without one.
pub(crate) fn after_success(
    now: DateTime<Utc>,
    hint: Option<std::time::Duration>,
    max_backoff: Duration,
) -> Option<DateTime<Utc>> {
    let hint = hint.map(|h| h.min(max_backoff.to_std().unwrap_or(h)));
    hint.map(|h| now + to_chrono(h))
}

/// The next fetch after the source's `failures`-th failure in a row, answered with `retry_after`.
pub(crate) fn after_failure(
    now: DateTime<Utc>,
    name: &str,
    failures: u32,
    retry_after: Option<std::time::Duration>,
    max_backoff: Duration,
) -> DateTime<Utc> {
    let mut wait = backoff(name, failures, max_backoff);
    if let Some(ra) = retry_after {
        wait = wait.max(to_chrono(ra).min(max_backoff));
    }
    now + wait
}

fn to_chrono(d: std::time::Duration) -> Duration {
    Duration::from_std(d).unwrap_or(Duration::MAX)
}

/// Exponential back-off from 5 minutes, capped at `max`, with a deterministic jitter of ±10% (from
/// the source name and failure count) so that sources failing together do not retry together.
fn backoff(name: &str, failures: u32, max: Duration) -> Duration {
    let base = Duration::minutes(5) * 2i32.saturating_pow(failures.saturating_sub(1).min(20));
    let capped = base.min(max);
    let h = crate::ingest::normalise::ids::short_hash(&[name, &failures.to_string()]);
    let frac = i32::from(u8::from_str_radix(&h[..2], 16).unwrap_or(128));
    capped * (900 + frac * 200 / 256) / 1000
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};

    use super::{after_failure, after_success, backoff};

    #[test]
    fn backoff_doubles_from_five_minutes_with_ten_percent_jitter_and_a_cap() {
        let max = Duration::hours(6);
        let names: Vec<String> = (0..64).map(|i| format!("source-{i}")).collect();
        for failures in [1u32, 2, 3, 5, 8, 40] {
            let base = (Duration::minutes(5) * 2i32.pow(failures.min(21) - 1)).min(max);
            let waits: Vec<Duration> = names.iter().map(|n| backoff(n, failures, max)).collect();
            for w in &waits {
                assert!(
                    *w >= base * 9 / 10 && *w < base * 11 / 10,
                    "{failures}: {w} vs {base}"
                );
            }
            // The jitter spreads sources out over the whole ±10%.
            assert!(waits.iter().any(|w| *w < base * 19 / 20), "{failures}");
            assert!(waits.iter().any(|w| *w > base * 21 / 20), "{failures}");
        }
        assert_eq!(backoff("a", 3, max), backoff("a", 3, max), "deterministic");
        let w = backoff("a", 0, max);
        assert!(
            w >= Duration::seconds(270) && w < Duration::seconds(330),
            "{w}"
        );
    }

    #[test]
    fn a_success_waits_for_its_freshness_hint_capped() {
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        let max = Duration::hours(6);
        let hour = std::time::Duration::from_secs(3600);
        assert_eq!(after_success(now, None, max), None);
        assert_eq!(
            after_success(now, Some(hour), max),
            Some(now + Duration::hours(1))
        );
        assert_eq!(after_success(now, Some(hour * 100), max), Some(now + max));
    }

    #[test]
    fn a_longer_retry_after_wins_over_the_back_off_up_to_the_cap() {
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        let max = Duration::hours(6);
        let own = after_failure(now, "a", 1, None, max);
        assert_eq!(own, now + backoff("a", 1, max));
        let short = std::time::Duration::from_secs(60);
        assert_eq!(after_failure(now, "a", 1, Some(short), max), own);
        let hour = std::time::Duration::from_secs(3600);
        assert_eq!(
            after_failure(now, "a", 1, Some(hour), max),
            now + Duration::hours(1)
        );
        let days = std::time::Duration::from_secs(3 * 86_400);
        assert_eq!(after_failure(now, "a", 1, Some(days), max), now + max);
    }
}
