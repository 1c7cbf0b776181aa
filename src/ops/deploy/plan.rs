//! What a deploy does, decided without I/O: from the output folder's files (their digests), what
//! the state recorded for the target and the clock, which files to upload, in which order, which
//! to mark as gone and which to delete now.
//!
//! The order is the guarantee readers get: a file is uploaded only after the files it links to.
//! Media and other assets first, then the pages in subfolders (archive months, tags, partners,
//! digests), then the per-view documents and pages at the top, and last the three files every
//! reader starts from, `feed.atom`, `feed.json` and `index.html` (the switch). A file that left
//! the output is deleted only `delete_after` later, so a cached page that still links it works.
//! A deploy that stops halfway has uploaded only files nothing published links to yet.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::state::DeployedFile;

/// The three files readers start from, in upload order (the last ones of every deploy).
pub const SWITCH: [&str; 3] = ["feed.atom", "feed.json", "index.html"];

/// One file as it is in the output folder now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalFile {
    /// Its digest as it would be uploaded (bytes and headers: a changed header re-uploads).
    pub digest: String,
    pub size: u64,
}

/// What one deploy does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Files to upload, in order (see the module header).
    pub uploads: Vec<String>,
    /// Files already in the store as they are.
    pub unchanged: usize,
    /// Files that just left the output: recorded as gone, deleted later.
    pub newly_gone: Vec<String>,
    /// Files gone for longer than the grace time: deleted now.
    pub deletes: Vec<String>,
    /// Files gone but still within the grace time.
    pub waiting: usize,
}

/// The upload rank of a file: lower first (see the module header).
pub fn rank(name: &str) -> usize {
    if let Some(i) = SWITCH.iter().position(|s| *s == name) {
        return 3 + i;
    }
    let page = [
        ".html", ".atom", ".json", ".rss", ".opml", ".xml", ".txt", ".eml",
    ]
    .iter()
    .any(|ext| name.ends_with(ext));
    match (name.contains('/'), page) {
        (true, _) if name.starts_with("media/") => 0,
        (_, false) => 0,
        (true, true) => 1,
        (false, true) => 2,
    }
}

/// Decides the deploy: `local` is the output folder now, `recorded` what the state knows of the
/// target, `now` the clock.
pub fn plan(
    local: &BTreeMap<String, LocalFile>,
    recorded: &HashMap<String, DeployedFile>,
    now: DateTime<Utc>,
    delete_after: Duration,
) -> Plan {
    let mut p = Plan::default();
    for (name, file) in local {
        match recorded.get(name) {
            Some(r) if r.digest == file.digest && r.gone_since.is_none() => p.unchanged += 1,
            _ => p.uploads.push(name.clone()),
        }
    }
    // A stable sort: by rank, and by name within a rank (the map's order).
    p.uploads.sort_by_key(|n| rank(n));
    let grace = chrono::Duration::from_std(delete_after).unwrap_or(chrono::Duration::MAX);
    let mut gone: Vec<(&String, &DeployedFile)> = recorded
        .iter()
        .filter(|(n, _)| !local.contains_key(*n))
        .collect();
    gone.sort_by(|a, b| a.0.cmp(b.0));
    for (name, r) in gone {
        match r.gone_since {
            None if delete_after.is_zero() => p.deletes.push(name.clone()),
            None => p.newly_gone.push(name.clone()),
            Some(since) if now.signed_duration_since(since) >= grace => {
                p.deletes.push(name.clone());
            }
            Some(_) => p.waiting += 1,
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(names: &[(&str, &str)]) -> BTreeMap<String, LocalFile> {
        names
            .iter()
            .map(|(n, d)| {
                (
                    n.to_string(),
                    LocalFile {
                        digest: d.to_string(),
                        size: 1,
                    },
                )
            })
            .collect()
    }

    fn rec(digest: &str, gone: Option<DateTime<Utc>>) -> DeployedFile {
        DeployedFile {
            digest: digest.into(),
            gone_since: gone,
        }
    }

    #[test]
    fn uploads_leaves_before_pages_and_the_switch_last() {
        let files = local(&[
            ("index.html", "a"),
            ("feed.atom", "a"),
            ("zh.atom", "a"),
            ("archive/2024-01.html", "a"),
            ("media/ab.jpg", "a"),
            ("feed.json", "a"),
            ("feed.xsl", "a"),
            ("embed.html", "a"),
        ]);
        let p = plan(&files, &HashMap::new(), Utc::now(), Duration::ZERO);
        assert_eq!(
            p.uploads,
            [
                "feed.xsl",
                "media/ab.jpg",
                "archive/2024-01.html",
                "embed.html",
                "zh.atom",
                "feed.atom",
                "feed.json",
                "index.html"
            ]
        );
    }

    #[test]
    fn unchanged_files_are_not_uploaded_and_changed_ones_are() {
        let files = local(&[("a.html", "1"), ("b.html", "2"), ("c.html", "3")]);
        let mut r = HashMap::new();
        r.insert("a.html".to_string(), rec("1", None));
        r.insert("b.html".to_string(), rec("old", None));
        // Gone once, back now: uploaded again even with the same digest (it may be deleted).
        r.insert("c.html".to_string(), rec("3", Some(Utc::now())));
        let p = plan(&files, &r, Utc::now(), Duration::from_secs(60));
        assert_eq!(p.uploads, ["b.html", "c.html"]);
        assert_eq!(p.unchanged, 1);
    }

    #[test]
    fn gone_files_wait_for_the_grace_time() {
        let now = Utc::now();
        let mut r = HashMap::new();
        r.insert("new-gone.html".to_string(), rec("1", None));
        r.insert(
            "waiting.html".to_string(),
            rec("1", Some(now - chrono::Duration::seconds(59))),
        );
        r.insert(
            "due.html".to_string(),
            rec("1", Some(now - chrono::Duration::seconds(60))),
        );
        let p = plan(&BTreeMap::new(), &r, now, Duration::from_secs(60));
        assert_eq!(p.newly_gone, ["new-gone.html"]);
        assert_eq!(p.deletes, ["due.html"]);
        assert_eq!(p.waiting, 1);
        let p = plan(&BTreeMap::new(), &r, now, Duration::ZERO);
        assert!(p.deletes.contains(&"new-gone.html".to_string()));
    }
}
