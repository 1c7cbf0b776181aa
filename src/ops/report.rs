//! What a run tells its operator: a per-source (and per-hub) summary on stderr, `status.json` for monitoring,
//! the exit code, and the small stylesheet that makes `feed.atom` readable in a browser.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::ingest::report::{SourceReport, Status};
use crate::publish::media::MediaReport;
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
    /// Why `status.json` could not be written, the last step of a run whose feeds were already
    /// published (the run then exits 1, not 2: what it published stands).
    pub status_failed: Option<String>,
    /// `[digest]`: what sending the monthly digest did this run (its summary lines), and where
    /// the digests stand.
    pub digest: Option<(String, crate::state::DigestStatus)>,
    /// The review queue: how many items wait (holding is not a failure).
    pub review: Option<crate::pool::review::ReviewStatus>,
}

impl RunReport {
    /// 0 when every source and hub is fine, 1 when some failed or `status.json` could not be
    /// written (the feeds were still published).
    pub fn exit_code(&self) -> i32 {
        i32::from(
            self.sources.iter().any(|s| s.status.is_problem())
                || self.hubs.iter().any(|h| !h.failures.is_empty())
                || self.status_failed.is_some(),
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
            self.digest.as_ref().map(|d| &d.1),
            self.review.as_ref(),
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
        if let Some(why) = &self.status_failed {
            s.push_str(&format!(
                "feedbraid: the feeds were published, but status.json was not: {why}\n"
            ));
        }
        s
    }

    /// The summary printed on stderr: one line per source and hub, then what was published,
    /// counted by kind of file (see [`RunReport::summary_verbose`] for the names).
    pub fn summary(&self) -> String {
        self.summary_with(false)
    }

    /// [`RunReport::summary`], also naming every file that changed.
    pub fn summary_verbose(&self) -> String {
        self.summary_with(true)
    }

    fn summary_with(&self, verbose: bool) -> String {
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
        s.push_str(&format!(
            "feedbraid: {} entries published, {} views; {} of {} sources with problems; {}\n",
            self.entries,
            self.views,
            failed,
            self.sources.len(),
            files_line(&self.written)
        ));
        if verbose {
            for (name, _) in self.written.iter().filter(|(_, w)| *w == Written::Changed) {
                s.push_str(&format!("feedbraid:   written {name}\n"));
            }
        }
        if let Some(why) = &self.status_failed {
            s.push_str(&format!(
                "feedbraid: the feeds were published, but status.json was not: {why}\n"
            ));
        }
        if let Some((lines, _)) = &self.digest {
            s.push_str(lines);
        }
        if let Some(r) = self.review.as_ref().filter(|r| r.held > 0) {
            s.push_str(&format!(
                "feedbraid: review: {} item(s) held, the oldest from {}: see `feedbraid review`\n",
                r.held,
                r.oldest.as_deref().unwrap_or("-")
            ));
        }
        if self.cleaned.sanitised > 0 {
            s.push_str(&format!(
                "feedbraid: {} entries sanitised for publishing ({} already sanitised)\n",
                self.cleaned.sanitised, self.cleaned.cached
            ));
        }
        if let Some(m) = &self.media {
            s.push_str(&media_lines(m));
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

/// The kinds of file a run publishes, for counting: pages, feeds, archive months, media, and
/// the run's own status (`status.json`, written on every run: not a feed).
fn kind_of(name: &str) -> &'static str {
    if name == "status.json" {
        "status"
    } else if name.starts_with("media/") {
        "media"
    } else if name.starts_with("archive/") {
        "archive"
    } else if name.ends_with(".html") {
        "pages"
    } else if [".atom", ".json", ".xml", ".rss", ".opml"]
        .iter()
        .any(|x| name.ends_with(x))
    {
        "feeds"
    } else {
        "other"
    }
}

/// "written 14 files (3 pages, 9 feeds, 2 media); 40 unchanged", or "all 54 files unchanged".
fn files_line(written: &[(String, Written)]) -> String {
    let changed: Vec<&str> = written
        .iter()
        .filter(|(_, w)| *w == Written::Changed)
        .map(|(n, _)| n.as_str())
        .collect();
    if changed.is_empty() {
        return format!("all {} files unchanged", written.len());
    }
    let mut kinds: Vec<(&str, usize)> = Vec::new();
    for k in changed.iter().map(|n| kind_of(n)) {
        match kinds.iter_mut().find(|(x, _)| *x == k) {
            Some((_, n)) => *n += 1,
            None => kinds.push((k, 1)),
        }
    }
    let by_kind: Vec<String> = kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
    format!(
        "written {} files ({}); {} unchanged",
        changed.len(),
        by_kind.join(", "),
        written.len() - changed.len()
    )
}

/// How many images were refused before a line is "and N more" (the rest are in `status.json`).
const REFUSED_SHOWN: usize = 5;

/// The media line, then one line per refused image (the first few), each with a short reason.
fn media_lines(m: &MediaReport) -> String {
    let mut s = format!(
        "feedbraid: media: {} mirrored ({} bytes), {} already mirrored, {} refused\n",
        m.mirrored,
        m.bytes,
        m.reused,
        m.refused.len()
    );
    for (url, why) in m.refused.iter().take(REFUSED_SHOWN) {
        s.push_str(&format!(
            "feedbraid:   refused {}: {}\n",
            shorten(url, 120),
            shorten(why, 120)
        ));
    }
    if m.refused.len() > REFUSED_SHOWN {
        s.push_str(&format!(
            "feedbraid:   and {} more refused (see status.json)\n",
            m.refused.len() - REFUSED_SHOWN
        ));
    }
    s
}

/// At most `max` characters of `s`, with an ellipsis when cut.
fn shorten(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_string(),
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
    #[serde(skip_serializing_if = "Option::is_none")]
    digest: Option<&'a crate::state::DigestStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    review: Option<&'a crate::pool::review::ReviewStatus>,
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
    /// The failure with its chain of causes (`detail` is the short reason).
    #[serde(skip_serializing_if = "Option::is_none")]
    error_chain: Option<&'a str>,
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
    digest: Option<&crate::state::DigestStatus>,
    review: Option<&crate::pool::review::ReviewStatus>,
) -> Result<Vec<u8>, serde_json::Error> {
    let doc = StatusDoc {
        digest,
        review,
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
                error_chain: r.error_chain.as_deref(),
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
    crate::text::xml::clean_json_pretty(&doc)
}

#[cfg(test)]
mod tests {
    use super::{MediaReport, Written, files_line, media_lines};

    #[test]
    fn written_files_are_counted_by_kind_not_listed() {
        // Description: a first run with archives: hundreds of files. Expect: one short line of
        // counts per kind, never the names.
        let mut written: Vec<(String, Written)> = (0..240)
            .map(|i| {
                (
                    format!("archive/{}-{:02}.atom", 2000 + i / 12, i % 12 + 1),
                    Written::Changed,
                )
            })
            .collect();
        written.push(("index.html".into(), Written::Changed));
        written.push(("feed.atom".into(), Written::Changed));
        written.push(("media/ab/cd.jpg".into(), Written::Changed));
        written.push(("feed.json".into(), Written::Unchanged));
        written.push(("status.json".into(), Written::Changed));
        let line = files_line(&written);
        assert_eq!(
            line,
            "written 244 files (240 archive, 1 pages, 1 feeds, 1 media, 1 status); 1 unchanged"
        );
        let none: Vec<(String, Written)> = vec![("feed.atom".into(), Written::Unchanged)];
        assert_eq!(files_line(&none), "all 1 files unchanged");
    }

    #[test]
    fn refused_images_are_a_line_each_with_a_short_reason_then_a_count() {
        let m = MediaReport {
            refused: (0..8)
                .map(|i| {
                    (
                        format!("https://img{i}.example.org/{}.jpg", "x".repeat(300)),
                        "host not found".into(),
                    )
                })
                .collect(),
            ..MediaReport::default()
        };
        let s = media_lines(&m);
        let lines: Vec<&str> = s.lines().collect();
        assert_eq!(lines.len(), 1 + 5 + 1, "{s}");
        assert!(lines[1].ends_with(": host not found"), "{s}");
        assert!(lines.iter().all(|l| l.chars().count() < 400), "{s}");
        assert_eq!(
            lines[6],
            "feedbraid:   and 3 more refused (see status.json)"
        );
    }
}
