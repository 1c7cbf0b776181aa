//! `feedbraid status`: what the state database knows about each configured source, as the table
//! an operator reads or (`--json`) as typed JSON a script reads. Both come from the same rows, so
//! they never disagree.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::ops::Fatal;
use crate::ops::run::{RunOptions, load_config};
use crate::state::State;

/// One configured source, as state knows it.
#[derive(Debug, Clone, Serialize)]
pub struct SourceRow {
    pub name: String,
    /// `disabled`, `gone (410)`, `never fetched`, or the last fetch's status.
    pub status: String,
    #[serde(serialize_with = "rfc3339")]
    pub last_success: Option<DateTime<Utc>>,
    pub consecutive_failures: u32,
    #[serde(serialize_with = "rfc3339")]
    pub next_fetch: Option<DateTime<Utc>>,
    /// Entries stored for it.
    pub entries: usize,
}

/// The `--json` document.
#[derive(Debug, Serialize)]
struct StatusJson<'a> {
    generator: &'static str,
    sources: &'a [SourceRow],
}

fn rfc3339<S: serde::Serializer>(d: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_str(&d.to_rfc3339_opts(SecondsFormat::Secs, true)),
        None => s.serialize_none(),
    }
}

/// Reads one row per configured source, in config order.
pub fn rows(opts: &RunOptions) -> Result<Vec<SourceRow>, Fatal> {
    let cfg = load_config(opts)?;
    let state = State::open_checked(&cfg.state_path)?;
    let mut rows = Vec::with_capacity(cfg.sources.len());
    for s in &cfg.sources {
        let st = state.source(&s.name)?;
        let status = if !s.enabled {
            "disabled".to_string()
        } else if st.gone {
            "gone (410)".into()
        } else if st.last_status.is_empty() {
            "never fetched".into()
        } else {
            st.last_status.clone()
        };
        rows.push(SourceRow {
            name: s.name.clone(),
            status,
            last_success: st.last_success,
            consecutive_failures: st.failures,
            next_fetch: st.next_fetch,
            entries: state.item_count(&s.name)?,
        });
    }
    Ok(rows)
}

/// The human table.
pub fn table(rows: &[SourceRow]) -> String {
    let fmt = |d: Option<DateTime<Utc>>| {
        d.map_or("-".to_string(), |d| d.format("%Y-%m-%d %H:%M").to_string())
    };
    let w = rows
        .iter()
        .map(|s| s.name.chars().count())
        .max()
        .unwrap_or(0)
        .max(6);
    let mut out = format!(
        "{:<w$} {:<24} {:<17} {:>8} {:<17} {:>7}\n",
        "source", "status", "last success", "failures", "next fetch", "entries"
    );
    for r in rows {
        let status: String = r.status.chars().take(24).collect();
        out.push_str(&format!(
            "{:<w$} {:<24} {:<17} {:>8} {:<17} {:>7}\n",
            r.name,
            status,
            fmt(r.last_success),
            r.consecutive_failures,
            fmt(r.next_fetch),
            r.entries
        ));
    }
    out
}

/// The `--json` output: pretty, newline-terminated.
pub fn json(rows: &[SourceRow]) -> Result<String, serde_json::Error> {
    let mut s = serde_json::to_string_pretty(&StatusJson {
        generator: concat!("feedbraid ", env!("CARGO_PKG_VERSION")),
        sources: rows,
    })?;
    s.push('\n');
    Ok(s)
}
