//! What a run tells its operator: a per-source (and per-hub) summary on stderr, `status.json` for monitoring,
//! the exit code, and the small stylesheet that makes `feed.atom` readable in a browser.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::ingest::report::{SourceReport, Status};
use crate::publish::sink::Written;
use crate::publish::websub::HubReport;

/// The whole run's outcome.
#[derive(Debug)]
pub struct RunReport {
    pub sources: Vec<SourceReport>,
    /// Entries in the published feed.
    pub entries: usize,
    /// `[[view]]`s published beside it.
    pub views: usize,
    pub written: Vec<(String, Written)>,
    /// How long the phases took (for the summary only: outputs never carry timings).
    pub timings: Vec<(&'static str, std::time::Duration)>,
    /// Mirrored media, when `[output] mirror_media` is on.
    pub media: Option<crate::publish::media::MediaReport>,
    /// The WebSub hubs and what was sent to each (empty when `[feed] hubs` is).
    pub hubs: Vec<HubReport>,
    /// Published entries sanitised by this run, and those whose sanitised HTML was cached.
    pub cleaned: crate::publish::materialise::CleanCount,
}

impl RunReport {
    /// 0 when every source and hub is fine, 1 when some failed (the feed was still published).
    pub fn exit_code(&self) -> i32 {
        i32::from(
            self.sources.iter().any(|s| s.status.is_problem())
                || self.hubs.iter().any(|h| !h.failures.is_empty()),
        )
    }

    /// `status.json` for this run (what `run --json` prints): see [`status_json`].
    pub fn status_json(&self) -> Result<Vec<u8>, serde_json::Error> {
        status_json(
            &self.sources,
            self.entries,
            self.cleaned,
            self.media.as_ref(),
            &self.hubs,
        )
    }

    /// `--quiet`: the lines of the sources that need attention (a problem, a warning, a move), and
    /// nothing when none does.
    pub fn problems(&self) -> String {
        let mut s = String::new();
        for r in self
            .sources
            .iter()
            .filter(|r| r.status.is_problem() || !r.warnings.is_empty() || r.moved_to.is_some())
        {
            s.push_str(&r.line());
            s.push('\n');
        }
        s
    }

    /// The summary printed on stderr.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        for r in &self.sources {
            s.push_str(&r.line());
            s.push('\n');
        }
        for h in &self.hubs {
            s.push_str(&h.line());
            s.push('\n');
        }
        let failed = self
            .sources
            .iter()
            .filter(|r| r.status.is_problem())
            .count();
        let changed: Vec<&str> = self
            .written
            .iter()
            .filter(|(_, w)| *w == Written::Changed)
            .map(|(n, _)| n.as_str())
            .collect();
        let files = if changed.is_empty() {
            format!("all {} files unchanged", self.written.len())
        } else {
            format!(
                "written: {}; {} unchanged",
                changed.join(", "),
                self.written.len() - changed.len()
            )
        };
        s.push_str(&format!(
            "feedbraid: {} entries published, {} views; {} of {} sources with problems; {}\n",
            self.entries,
            self.views,
            failed,
            self.sources.len(),
            files
        ));
        if self.cleaned.sanitised > 0 {
            s.push_str(&format!(
                "feedbraid: {} entries sanitised for publishing ({} already sanitised)\n",
                self.cleaned.sanitised, self.cleaned.cached
            ));
        }
        if let Some(m) = &self.media {
            s.push_str(&format!(
                "feedbraid: media: {} mirrored ({} bytes), {} already mirrored, {} refused\n",
                m.mirrored,
                m.bytes,
                m.reused,
                m.refused.len()
            ));
            for (url, why) in m.refused.iter().take(5) {
                s.push_str(&format!("feedbraid:   refused {url}: {why}\n"));
            }
        }
        if !self.timings.is_empty() {
            let t: Vec<String> = self
                .timings
                .iter()
                .map(|(what, d)| format!("{what} {:.2}s", d.as_secs_f64()))
                .collect();
            s.push_str(&format!("feedbraid: took {}\n", t.join(", ")));
        }
        s
    }
}

fn t(d: Option<DateTime<Utc>>) -> Option<String> {
    d.map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, true))
}

/// `status.json`, as typed fields (monitoring reads it: `null` means "not known").
#[derive(Debug, Serialize)]
struct StatusDoc<'a> {
    generator: &'static str,
    entries: usize,
    sources_with_problems: usize,
    /// Entries this run sanitised for its outputs, and those it found sanitised already (each
    /// entry is sanitised once, whatever publishes it, run after run).
    cleaned: crate::publish::materialise::CleanCount,
    /// Mirrored media this run (`[output] mirror_media`).
    #[serde(skip_serializing_if = "Option::is_none")]
    media: Option<&'a crate::publish::media::MediaReport>,
    sources: Vec<SourceStatus<'a>>,
    /// WebSub hubs: what this run announced to each.
    hubs: Vec<HubStatus<'a>>,
}

#[derive(Debug, Serialize)]
struct HubStatus<'a> {
    url: &'a str,
    /// `ok`, `failed`, `idle` (no feed changed) or `offline`.
    status: &'static str,
    /// Self URLs of the changed feeds announced successfully.
    pinged: &'a [String],
    failures: Vec<PingFailureStatus<'a>>,
}

#[derive(Debug, Serialize)]
struct PingFailureStatus<'a> {
    topic: &'a str,
    /// `PingError::key`.
    kind: &'static str,
    detail: String,
}

#[derive(Debug, Serialize)]
struct SourceStatus<'a> {
    name: &'a str,
    location: &'a str,
    status: &'static str,
    detail: Option<&'a str>,
    /// The kind of failure (`FailureKind::key`), when the status is `failed`.
    failure: Option<&'static str>,
    /// What had to be recovered to read the document.
    recovered: &'a [String],
    entries: usize,
    last_success: Option<String>,
    consecutive_failures: u32,
    next_fetch: Option<String>,
    moved_to: Option<&'a str>,
    warnings: &'a [String],
}

/// `status.json`: the same facts as the summary, for monitoring. Holds no clock reading of its own,
/// so it changes only when a source's facts change. A serialisation error is an error, never an
/// empty file.
pub fn status_json(
    reports: &[SourceReport],
    entries: usize,
    cleaned: crate::publish::materialise::CleanCount,
    media: Option<&crate::publish::media::MediaReport>,
    hubs: &[HubReport],
) -> Result<Vec<u8>, serde_json::Error> {
    let doc = StatusDoc {
        generator: concat!("feedbraid ", env!("CARGO_PKG_VERSION")),
        entries,
        cleaned,
        media,
        sources_with_problems: reports.iter().filter(|r| r.status.is_problem()).count(),
        sources: reports
            .iter()
            .map(|r| SourceStatus {
                name: &r.name,
                location: &r.location,
                status: r.status.label(),
                detail: match &r.status {
                    Status::Failed(x) => Some(x),
                    _ => None,
                },
                failure: r.failure.map(crate::ingest::fetch::FailureKind::key),
                recovered: &r.recovered,
                entries: r.entries,
                last_success: t(r.last_success),
                consecutive_failures: r.failures,
                next_fetch: t(r.next_fetch),
                moved_to: r.moved_to.as_deref(),
                warnings: &r.warnings,
            })
            .collect(),
        hubs: hubs
            .iter()
            .map(|h| HubStatus {
                url: &h.hub,
                status: h.label(),
                pinged: &h.pinged,
                failures: h
                    .failures
                    .iter()
                    .map(|f| PingFailureStatus {
                        topic: &f.topic,
                        kind: f.error.key(),
                        detail: f.error.to_string(),
                    })
                    .collect(),
            })
            .collect(),
    };
    let mut value = serde_json::to_value(&doc)?;
    crate::text::xml::clean_json_strings(&mut value);
    let mut v = serde_json::to_vec_pretty(&value)?;
    v.push(b'\n');
    Ok(v)
}
