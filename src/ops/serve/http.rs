//! The HTTP side of `feedbraid serve`: one handler for every request. It guards the path
//! ([`files::Policy`]), selects the representation (the gzip copy the publication wrote beside a
//! text file, when the client accepts gzip and the copy is current: see
//! [`precompress`](crate::publish::precompress); else the file), opens it, and answers from the
//! open file's own metadata, so the tag always describes the bytes sent. Conditional and range
//! requests are decided by [`conditional`]. HEAD is a GET without its body: the same status and
//! the same headers (`Content-Encoding`, `ETag`, `Content-Length` included).
//!
//! Each representation has its own strong tag: the identity's is the file's size and mtime, the
//! gzip copy's is its own size and mtime with `-gz` (RFC 9110 8.8.3: a strong validator differs
//! between encodings). The Disk sink changes the mtime on every rewrite and never touches an
//! unchanged file, so equal tags mean equal bytes.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::time::SystemTime;

use axum::body::Body;
use axum::http::header::{
    ACCEPT_ENCODING, ACCEPT_RANGES, ACCESS_CONTROL_ALLOW_ORIGIN, ALLOW, CACHE_CONTROL,
    CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, ETAG, HeaderName, IF_MATCH,
    IF_MODIFIED_SINCE, IF_NONE_MATCH, IF_RANGE, IF_UNMODIFIED_SINCE, LAST_MODIFIED, RANGE, VARY,
};
use axum::http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode};

use super::conditional::{Answer, Conditions, Current, decide};
use super::files::{self, Policy};
use crate::publish::precompress::{compressible, copy_name, is_current};

const MAX_AGE: &str = "max-age=300";

/// Bodies up to this size are read in one go; larger ones are streamed from the open file.
const IN_MEMORY: u64 = 256 * 1024;

/// The representation a request selected, opened.
struct Selected {
    /// The published file's name (its media type and CORS).
    name: String,
    file: File,
    gzip: bool,
    tag: String,
    modified: SystemTime,
    len: u64,
}

/// What the blocking part found: nothing (404), or the answer with what it needs.
enum Found {
    Missing,
    File {
        sel: Selected,
        answer: Answer,
        /// The bytes of a small body, already read; `None` to stream from `sel.file`.
        bytes: Option<Vec<u8>>,
    },
}

fn plain(status: StatusCode, text: &'static str) -> Response<Body> {
    let mut res = Response::new(Body::from(text));
    *res.status_mut() = status;
    res.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    res
}

/// Answers one request for a file under `policy.root`.
pub async fn handle<B>(policy: &Policy, req: Request<B>) -> Response<Body> {
    let get = req.method() == Method::GET;
    if !get && req.method() != Method::HEAD {
        let mut res = plain(StatusCode::METHOD_NOT_ALLOWED, "GET or HEAD only\n");
        res.headers_mut()
            .insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
        return res;
    }
    let (policy, path) = (policy.clone(), req.uri().path().to_string());
    let headers = req.headers().clone();
    let found = tokio::task::spawn_blocking(move || find(&policy, &path, &headers, get)).await;
    match found {
        Ok(Ok(Found::File { sel, answer, bytes })) => respond(sel, answer, bytes, get),
        Ok(Ok(Found::Missing)) => plain(StatusCode::NOT_FOUND, "not found\n"),
        Ok(Err(_)) | Err(_) => plain(StatusCode::INTERNAL_SERVER_ERROR, "cannot read the file\n"),
    }
}

fn header<'a>(h: &'a HeaderMap, name: &HeaderName) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// Resolves, selects, opens and decides; reads a small body. Blocking (the file system).
fn find(policy: &Policy, path: &str, h: &HeaderMap, get: bool) -> std::io::Result<Found> {
    let Some(real) = policy.resolve(path) else {
        return Ok(Found::Missing);
    };
    let Some(name) = real
        .file_name()
        .and_then(|n| n.to_str())
        .map(str::to_string)
    else {
        return Ok(Found::Missing);
    };
    let wants_gzip =
        compressible(&name) && header(h, &ACCEPT_ENCODING).is_some_and(files::accepts_gzip);
    let sel = match wants_gzip.then(|| open_copy(&real, &name)).flatten() {
        Some(sel) => sel,
        None => {
            let file = File::open(&real)?;
            let meta = file.metadata()?;
            Selected {
                name,
                tag: files::etag(&meta, ""),
                modified: meta.modified()?,
                len: meta.len(),
                file,
                gzip: false,
            }
        }
    };
    let conditions = Conditions {
        if_match: header(h, &IF_MATCH),
        if_unmodified_since: header(h, &IF_UNMODIFIED_SINCE),
        if_none_match: header(h, &IF_NONE_MATCH),
        if_modified_since: header(h, &IF_MODIFIED_SINCE),
        range: header(h, &RANGE),
        if_range: header(h, &IF_RANGE),
    };
    let current = Current {
        tag: &sel.tag,
        modified: sel.modified,
        len: sel.len,
    };
    let answer = decide(get, &conditions, &current, SystemTime::now());
    let span = match &answer {
        Answer::Full => Some((0, sel.len)),
        Answer::Partial(r) => Some((*r.start(), r.end() - r.start() + 1)),
        _ => None,
    };
    let mut sel = sel;
    let bytes = match span {
        Some((start, len)) if get && len <= IN_MEMORY => {
            let mut buf = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
            sel.file.seek(SeekFrom::Start(start))?;
            (&mut sel.file).take(len).read_to_end(&mut buf)?;
            Some(buf)
        }
        Some((start, _)) if get => {
            sel.file.seek(SeekFrom::Start(start))?;
            None
        }
        _ => None,
    };
    Ok(Found::File { sel, answer, bytes })
}

/// The gzip copy of the file at `real`, opened, when there is a current one.
fn open_copy(real: &Path, name: &str) -> Option<Selected> {
    let source = std::fs::metadata(real).ok()?;
    let file = File::open(real.with_file_name(copy_name(name))).ok()?;
    let meta = file.metadata().ok()?;
    is_current(&source, &meta).then_some(())?;
    Some(Selected {
        name: name.to_string(),
        tag: files::etag(&meta, "-gz"),
        modified: meta.modified().ok()?,
        len: meta.len(),
        file,
        gzip: true,
    })
}

fn respond(sel: Selected, answer: Answer, bytes: Option<Vec<u8>>, get: bool) -> Response<Body> {
    let (status, len) = match &answer {
        Answer::Full => (StatusCode::OK, Some(sel.len)),
        Answer::Partial(r) => (StatusCode::PARTIAL_CONTENT, Some(r.end() - r.start() + 1)),
        Answer::NotModified => (StatusCode::NOT_MODIFIED, None),
        Answer::PreconditionFailed => (StatusCode::PRECONDITION_FAILED, None),
        Answer::RangeNotSatisfiable => (StatusCode::RANGE_NOT_SATISFIABLE, None),
    };
    let mut h = HeaderMap::new();
    decorate(&mut h, &sel);
    if let Some(n) = len {
        h.insert(CONTENT_LENGTH, HeaderValue::from(n));
        h.insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    } else {
        h.remove(CONTENT_ENCODING);
    }
    let body = match (get, len, bytes) {
        (true, Some(_), Some(b)) => Body::from(b),
        (true, Some(n), None) => stream(sel.file, n),
        _ => Body::empty(),
    };
    let mut res = Response::new(body);
    *res.status_mut() = status;
    *res.headers_mut() = h;
    let h = res.headers_mut();
    let range = match &answer {
        Answer::Partial(r) => Some(format!("bytes {}-{}/{}", r.start(), r.end(), sel.len)),
        Answer::RangeNotSatisfiable => Some(format!("bytes */{}", sel.len)),
        _ => None,
    };
    if let Some(v) = range.and_then(|r| HeaderValue::from_str(&r).ok()) {
        h.insert(CONTENT_RANGE, v);
    }
    res
}

/// A large body, read from the open file (already at its start) as it is sent.
fn stream(file: File, len: u64) -> Body {
    use tokio::io::AsyncReadExt;
    let reader = tokio::fs::File::from_std(file).take(len);
    Body::from_stream(tokio_util::io::ReaderStream::with_capacity(
        reader,
        64 * 1024,
    ))
}

/// The headers every answer about a file carries.
fn decorate(h: &mut HeaderMap, sel: &Selected) {
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static(files::content_type(&sel.name)),
    );
    if let Ok(v) = HeaderValue::from_str(&sel.tag) {
        h.insert(ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&httpdate::fmt_http_date(sel.modified)) {
        h.insert(LAST_MODIFIED, v);
    }
    if sel.gzip {
        h.insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    h.insert(CACHE_CONTROL, HeaderValue::from_static(MAX_AGE));
    h.insert(VARY, HeaderValue::from_static("accept-encoding"));
    if files::is_feed(&sel.name) {
        h.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    }
}
