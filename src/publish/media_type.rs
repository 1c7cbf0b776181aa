//! The media type each published file is served and uploaded with (by `serve` and by
//! `deploy`), with the charset where the type has one: one table, so that a file is labelled the
//! same wherever it is read from.

/// The media type for a published file, with the charset where the type has one.
pub fn content_type(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map_or("", |(_, e)| e)
        .to_ascii_lowercase();
    match ext.as_str() {
        "atom" => "application/atom+xml; charset=utf-8",
        // status.json is for monitoring, not a feed.
        "json" if name == "status.json" => "application/json",
        "json" => "application/feed+json",
        "rss" => "application/rss+xml; charset=utf-8",
        "html" | "htm" => "text/html; charset=utf-8",
        "opml" => "text/x-opml; charset=utf-8",
        "xsl" => "text/xsl; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "gz" => "application/gzip",
        "pdf" => "application/pdf",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "mp3" => "audio/mpeg",
        "m4a" => "audio/mp4",
        "ogg" | "oga" => "audio/ogg",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "epub" => "application/epub+zip",
        "zip" => "application/zip",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "doc" => "application/msword",
        _ => "application/octet-stream",
    }
}
