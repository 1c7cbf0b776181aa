//! Loopback HTTP/1.1 file server for the benchmark (issue 5).
//!
//!     cargo run --release --example bench_server -- --dir DIR [--port 8931] [--latency-ms 0] [--threads 1]
//!
//! Serves the files under DIR on 127.0.0.1:PORT with keep-alive, a strong ETag (SHA-256 of the
//! bytes, truncated) and Last-Modified (the file's mtime), and answers 304 to a matching
//! If-None-Match (or, when that header is absent, to an If-Modified-Since at or after the mtime).
//! `--latency-ms L` delays every response by L ms. Files are read once and cached in memory until
//! their size or mtime changes (so `bench_gen --touch` is picked up). Hand-written on tokio only.
//! Prints `listening on 127.0.0.1:PORT` on stderr once ready.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Clone)]
struct Cached {
    len: u64,
    mtime: SystemTime,
    etag: String,
    last_modified: String,
    bytes: Arc<Vec<u8>>,
}

struct Server {
    root: PathBuf,
    latency: Duration,
    /// `--log`: one line per request on stderr (method, path, status, validators sent).
    log: bool,
    cache: Mutex<HashMap<PathBuf, Cached>>,
}

fn http_date(t: SystemTime) -> String {
    let d: DateTime<Utc> = t.into();
    d.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

impl Server {
    fn lookup(&self, rel: &str) -> Option<Cached> {
        let rel = rel.split('?').next().unwrap_or("").trim_start_matches('/');
        let p = Path::new(rel);
        if rel.is_empty() || p.components().any(|c| !matches!(c, Component::Normal(_))) {
            return None;
        }
        let full = self.root.join(p);
        let meta = std::fs::metadata(&full).ok().filter(|m| m.is_file())?;
        let mtime = meta.modified().ok()?;
        if let Ok(c) = self.cache.lock()
            && let Some(hit) = c.get(&full)
            && hit.len == meta.len()
            && hit.mtime == mtime
        {
            return Some(hit.clone());
        }
        let bytes = std::fs::read(&full).ok()?;
        let h = Sha256::digest(&bytes);
        let etag = format!(
            "\"{}\"",
            h.iter()
                .take(12)
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        let c = Cached {
            len: bytes.len() as u64,
            mtime,
            etag,
            last_modified: http_date(mtime),
            bytes: Arc::new(bytes),
        };
        if let Ok(mut m) = self.cache.lock() {
            m.insert(full, c.clone());
        }
        Some(c)
    }
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.split("\r\n").skip(1).find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

fn not_modified(c: &Cached, head: &str) -> bool {
    if let Some(inm) = header(head, "if-none-match") {
        return inm
            .split(',')
            .any(|t| t.trim() == c.etag || t.trim() == "*");
    }
    if let Some(ims) = header(head, "if-modified-since")
        && let Ok(t) = DateTime::parse_from_rfc2822(ims)
    {
        let m: DateTime<Utc> = c.mtime.into();
        return m.timestamp() <= t.timestamp();
    }
    false
}

async fn serve(srv: Arc<Server>, mut sock: TcpStream) -> std::io::Result<()> {
    let _ = sock.set_nodelay(true);
    let mut buf: Vec<u8> = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    loop {
        // Read one request head.
        let end = loop {
            if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break p + 4;
            }
            if buf.len() > 64 * 1024 {
                return Ok(());
            }
            let n = sock.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&buf[..end]).into_owned();
        // Skip a request body, if any (GET/HEAD normally have none).
        let body_len: usize = header(&head, "content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        while buf.len() < end + body_len {
            let n = sock.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        buf.drain(..end + body_len);

        let mut parts = head.split_ascii_whitespace();
        let (method, target, version) = (
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
        );
        let conn = header(&head, "connection").map(str::to_ascii_lowercase);
        let keep = match version {
            "HTTP/1.1" => conn.as_deref() != Some("close"),
            _ => conn.as_deref() == Some("keep-alive"),
        };
        if !srv.latency.is_zero() {
            tokio::time::sleep(srv.latency).await;
        }
        let conn_hdr = if keep { "keep-alive" } else { "close" };
        let (status, extra, body): (&str, String, Option<Arc<Vec<u8>>>) =
            if method != "GET" && method != "HEAD" {
                (
                    "405 Method Not Allowed",
                    "Allow: GET, HEAD\r\nContent-Length: 0\r\n".into(),
                    None,
                )
            } else {
                match srv.lookup(target) {
                    None => ("404 Not Found", "Content-Length: 0\r\n".into(), None),
                    Some(c) => {
                        let common =
                            format!("ETag: {}\r\nLast-Modified: {}\r\n", c.etag, c.last_modified);
                        if not_modified(&c, &head) {
                            ("304 Not Modified", common, None)
                        } else {
                            let ct = if target.ends_with(".xml") {
                                "Content-Type: application/xml\r\n"
                            } else {
                                "Content-Type: application/octet-stream\r\n"
                            };
                            let b = (method == "GET").then(|| Arc::clone(&c.bytes));
                            (
                                "200 OK",
                                format!("{common}{ct}Content-Length: {}\r\n", c.len),
                                b,
                            )
                        }
                    }
                }
            };
        if srv.log {
            eprintln!(
                "{method} {target} -> {status}; If-None-Match: {}; If-Modified-Since: {}; User-Agent: {}",
                header(&head, "if-none-match").unwrap_or("-"),
                header(&head, "if-modified-since").unwrap_or("-"),
                header(&head, "user-agent").unwrap_or("-")
            );
        }
        let resp = format!(
            "HTTP/1.1 {status}\r\nServer: feedbraid-bench\r\nDate: {}\r\nConnection: {conn_hdr}\r\n{extra}\r\n",
            http_date(SystemTime::now())
        );
        sock.write_all(resp.as_bytes()).await?;
        if let Some(b) = body {
            sock.write_all(&b).await?;
        }
        sock.flush().await?;
        if !keep {
            let _ = sock.shutdown().await;
            return Ok(());
        }
    }
}

fn main() -> std::process::ExitCode {
    let mut dir = PathBuf::from(".");
    let mut port: u16 = 8931;
    let mut latency_ms: u64 = 0;
    let mut log = false;
    let mut threads: usize = 1;
    let mut args = std::env::args().skip(1);
    while let Some(k) = args.next() {
        let v = args.next().unwrap_or_default();
        let ok = match k.as_str() {
            "--dir" => {
                dir = PathBuf::from(&v);
                true
            }
            "--port" => v.parse().map(|p| port = p).is_ok(),
            "--latency-ms" => v.parse().map(|l| latency_ms = l).is_ok(),
            "--threads" => v.parse().map(|t| threads = t).is_ok(),
            "--log" => {
                log = v == "1";
                true
            }
            _ => false,
        };
        if !ok {
            eprintln!(
                "usage: bench_server --dir DIR [--port P] [--latency-ms L] [--threads T] [--log 1] (bad argument {k} {v})"
            );
            return std::process::ExitCode::from(2);
        }
    }
    let srv = Arc::new(Server {
        root: dir,
        latency: Duration::from_millis(latency_ms),
        log,
        cache: Mutex::new(HashMap::new()),
    });
    // Preload every file (and its ETag) so that no measured run pays for the first disk read.
    let mut stack = vec![PathBuf::new()];
    let mut preloaded = 0usize;
    while let Some(rel) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(srv.root.join(&rel)) else {
            continue;
        };
        for e in rd.flatten() {
            let r = rel.join(e.file_name());
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(r);
            } else if srv.lookup(&r.to_string_lossy()).is_some() {
                preloaded += 1;
            }
        }
    }
    eprintln!("preloaded {preloaded} files");
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads.max(1))
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("runtime: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    rt.block_on(async move {
        let listener = match TcpListener::bind(("127.0.0.1", port)).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("bind 127.0.0.1:{port}: {e}");
                return std::process::ExitCode::from(2);
            }
        };
        eprintln!("listening on 127.0.0.1:{port} (latency {latency_ms} ms)");
        loop {
            match listener.accept().await {
                Ok((sock, _)) => {
                    let srv = Arc::clone(&srv);
                    tokio::spawn(async move {
                        let _ = serve(srv, sock).await;
                    });
                }
                Err(e) => {
                    eprintln!("accept: {e}");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
        }
    })
}
