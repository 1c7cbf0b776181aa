//! Durations as `feeds.toml` and the command line write them (`30s`, `15m`, `6h`, `7d`, `1h30m`).
//!
//! Its own file because two callers need it: config validation (which wraps the error with the
//! file, line and key) and `feedbraid serve --every` (clap prints the error as it is).

use std::time::Duration;

/// A text that is not a duration. Displays as the message `check` and the command line print.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a duration: use e.g. `30s`, `15m`, `6h`, `7d`")]
pub struct DurationError {
    /// The text as given (untrimmed).
    pub text: String,
}

/// Parses `"30s"`, `"15m"`, `"6h"`, `"7d"`, `"1h30m"` (also `"90"` = seconds).
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let t = text.trim();
    let bad = || DurationError {
        text: text.to_string(),
    };
    if t.is_empty() {
        return Err(bad());
    }
    if let Ok(n) = t.parse::<u64>() {
        return Ok(Duration::from_secs(n));
    }
    let (mut total, mut num) = (0u64, String::new());
    for c in t.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return Err(bad()),
        };
        let n: u64 = num.parse().map_err(|_| bad())?;
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(bad)?;
        num.clear();
    }
    if !num.is_empty() {
        return Err(bad());
    }
    Ok(Duration::from_secs(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_durations_parse() {
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration(" 1h30m "), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("2w"), Ok(Duration::from_secs(1_209_600)));
    }

    #[test]
    fn config_duration_error_names_the_text() {
        let e = parse_duration(" 5x ");
        assert_eq!(
            e,
            Err(DurationError {
                text: " 5x ".into()
            })
        );
        assert_eq!(
            e.map_err(|e| e.to_string()),
            Err("` 5x ` is not a duration: use e.g. `30s`, `15m`, `6h`, `7d`".into())
        );
        assert!(parse_duration("").is_err());
        assert!(parse_duration("h").is_err());
        assert!(parse_duration("5").is_ok());
        assert!(parse_duration("5m3").is_err());
        assert!(parse_duration(&format!("{}d", u64::MAX)).is_err());
    }
}
