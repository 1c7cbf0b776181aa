//! The library's pages that no longer have a reason to exist (a topic no entry carries any
//! more, a partner that left) are removed after a run publishes: the only deletion in the
//! output besides the media cache's, kept apart because it is the library's only I/O.

/// The library's folders, and which of their files it owns (`archive/` also holds the RFC 5005
/// documents, which are not its own).
const FOLDERS: [(&str, &[&str]); 3] = [
    ("archive", &["html"]),
    ("tags", &["html", "atom", "json"]),
    ("partners", &["html"]),
];

/// Removes the library's files in `out` that this run did not publish or keep (a topic no entry
/// carries any more, a partner that left), with their gzip copies. Run once the new pages are
/// published, so that no page links to a file while it is being removed. Best effort.
pub fn remove_stale(out: &std::path::Path, current: &[String]) {
    let current: std::collections::HashSet<&str> = current.iter().map(String::as_str).collect();
    for (dir, kinds) in FOLDERS {
        let Ok(list) = std::fs::read_dir(out.join(dir)) else {
            continue;
        };
        for f in list.flatten() {
            let name = f.file_name().to_string_lossy().into_owned();
            let stem = name.strip_suffix(".gz").unwrap_or(&name);
            let ours = kinds.iter().any(|k| stem.ends_with(&format!(".{k}")));
            if ours && !current.contains(format!("{dir}/{stem}").as_str()) {
                let _ = std::fs::remove_file(f.path());
            }
        }
    }
}
