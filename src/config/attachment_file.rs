//! What a local attachment's file says about itself (issue 23: the file is the truth): its type
//! from its bytes (not its name), its size, its SHA-256 (kept for the archive), and for a PDF its
//! page count and title. A local attachment is part of the configuration, read with it like the
//! Markdown entries; a well-kept crate reads each format (`infer` for the magic numbers, `lopdf`
//! for PDFs), and a PDF it cannot read still gives its type, size and digest.

use std::path::Path;

use sha2::{Digest, Sha256};

/// The facts of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileFacts {
    /// The type its bytes show (`None` when no known format's magic number is there: plain text,
    /// or an unknown format).
    pub mime_type: Option<String>,
    /// What to call it when neither its bytes nor the config say: `text/plain` for UTF-8 text,
    /// else `application/octet-stream`.
    pub fallback_type: &'static str,
    pub length: u64,
    pub sha256: String,
    pub pages: Option<u32>,
    pub title: Option<String>,
}

/// Reads `path`'s facts.
pub fn facts(path: &Path) -> std::io::Result<FileFacts> {
    let bytes = std::fs::read(path)?;
    let mime_type = infer::get(&bytes).map(|t| t.mime_type().to_string());
    let fallback_type = if std::str::from_utf8(&bytes).is_ok() {
        "text/plain"
    } else {
        "application/octet-stream"
    };
    let (pages, title) = if mime_type.as_deref() == Some("application/pdf") {
        pdf(&bytes)
    } else {
        (None, None)
    };
    Ok(FileFacts {
        length: bytes.len() as u64,
        sha256: Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
        mime_type,
        fallback_type,
        pages,
        title,
    })
}

/// A PDF's page count and its `/Title`, when lopdf can read them.
fn pdf(bytes: &[u8]) -> (Option<u32>, Option<String>) {
    let Ok(doc) = lopdf::Document::load_mem(bytes) else {
        return (None, None);
    };
    let pages = u32::try_from(doc.get_pages().len()).ok().filter(|n| *n > 0);
    let title = doc
        .trailer
        .get(b"Info")
        .ok()
        .and_then(|o| o.as_reference().ok())
        .and_then(|r| doc.get_dictionary(r).ok())
        .and_then(|info| info.get(b"Title").ok())
        .and_then(|t| lopdf::decode_text_string(t).ok())
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty());
    (pages, title)
}
