//! `feedbraid serve` over loopback: the binary is started on 127.0.0.1:0 and asked with a raw
//! HTTP/1.1 client (raw, so that `..` and `%2e%2e` reach the server as written: an URL library
//! would normalise them away). Headers (types, ETag and 304, CORS, HEAD, gzip) and the paths it
//! must refuse.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::Setup;

/// A running `feedbraid serve`; killed when dropped if still running.
#[derive(Debug)]
pub struct Served {
    pub child: Child,
    pub addr: String,
    /// Its stderr, line by line, as it comes.
    pub lines: Arc<Mutex<Vec<String>>>,
    /// The thread reading stderr: done once the process has exited and the pipe is drained.
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Served {
    pub fn start(s: &Setup, extra: &[&str]) -> Served {
        let mut args = vec!["--addr", "127.0.0.1:0"];
        args.extend_from_slice(extra);
        let mut child = s
            .command("serve", &args)
            .stderr(Stdio::piped())
            .spawn()
            .expect("serve starts");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (l2, stderr) = (Arc::clone(&lines), child.stderr.take().expect("stderr"));
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                l2.lock().expect("lines").push(line);
            }
        });
        let mut served = Served {
            child,
            addr: String::new(),
            lines,
            reader: Some(reader),
        };
        let line = served.wait_line(|l| l.contains(" on http://"));
        served.addr = line
            .rsplit_once("http://")
            .map(|(_, a)| a.trim_end_matches('/').to_string())
            .expect("address in the serving line");
        served
    }

    /// Waits (up to 60 s) for a stderr line that `pred` accepts, and returns it.
    pub fn wait_line(&self, pred: impl Fn(&str) -> bool) -> String {
        self.wait_lines(1, pred).pop().expect("a line")
    }

    /// Waits (up to 60 s) until `n` stderr lines satisfy `pred`.
    pub fn wait_lines(&self, n: usize, pred: impl Fn(&str) -> bool) -> Vec<String> {
        let until = Instant::now() + Duration::from_secs(60);
        loop {
            let found: Vec<String> = self
                .lines
                .lock()
                .expect("lines")
                .iter()
                .filter(|l| pred(l))
                .cloned()
                .collect();
            if found.len() >= n {
                return found;
            }
            assert!(
                Instant::now() < until,
                "serve did not print the awaited line; stderr so far:\n{}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn stderr(&self) -> String {
        self.lines.lock().expect("lines").join("\n")
    }

    /// Sends SIGTERM and waits (up to 60 s) for the exit code, then for the last of its stderr
    /// (the reader thread may still hold lines the process wrote just before it exited).
    pub fn terminate(&mut self) -> Option<i32> {
        let ok = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(ok.success());
        let until = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                if let Some(reader) = self.reader.take() {
                    reader.join().expect("stderr reader");
                }
                return status.code();
            }
            assert!(Instant::now() < until, "serve did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn get(&self, path: &str, headers: &[(&str, &str)]) -> Resp {
        request(&self.addr, "GET", path, headers)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One response; header names lower-cased, the body de-chunked (not decompressed).
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", String::as_str)
    }
}

/// A raw HTTP/1.1 request with `Connection: close`; the path is sent exactly as given.
pub fn request(addr: &str, method: &str, path: &str, headers: &[(&str, &str)]) -> Resp {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).ok();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).expect("send");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of headers");
    let text = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = text.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .expect("status line");
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers.get("transfer-encoding").map(String::as_str) == Some("chunked") {
        body = dechunk(&body);
    }
    Resp {
        status,
        headers,
        body,
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let eol = b.windows(2).position(|w| w == b"\r\n").expect("chunk size");
        let size_text = String::from_utf8_lossy(&b[..eol]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("0").trim(), 16)
            .expect("hex size");
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + size]);
        b = &b[eol + 2 + size + 2..];
    }
}

/// `gzip -dc`, an independent decoder.
fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut child = std::process::Command::new("gzip")
        .arg("-dc")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("gzip runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(bytes)
        .expect("write");
    let out = child.wait_with_output().expect("gzip output");
    assert!(out.status.success(), "not gzip");
    out.stdout
}

/// A config without partners, published offline: index.html, feed.atom, feed.json,
/// partners.opml and the rest, from the local entry alone.
fn published() -> Setup {
    let s = Setup::new::<&str>(&[], "");
    s.run_offline().expect("offline run");
    s
}

#[test]
fn serve_sends_types_validators_cors_head_and_gzip() {
    let s = published();
    let srv = Served::start(&s, &[]);
    let file = |n: &str| std::fs::read(s.out().join(n)).expect("published file");

    let atom = srv.get("/feed.atom", &[]);
    assert_eq!(atom.status, 200);
    assert_eq!(
        atom.header("content-type"),
        "application/atom+xml; charset=utf-8"
    );
    assert_eq!(atom.header("access-control-allow-origin"), "*");
    assert_eq!(atom.header("cache-control"), "max-age=300");
    assert_eq!(atom.body, file("feed.atom"));
    let tag = atom.header("etag").to_string();
    assert!(
        tag.starts_with('"') && tag.ends_with('"'),
        "strong ETag: {tag}"
    );
    let modified = atom.header("last-modified").to_string();
    assert!(modified.ends_with(" GMT"), "{modified}");

    for (path, ty, cors) in [
        ("/", "text/html; charset=utf-8", false),
        ("/feed.json", "application/feed+json", true),
        ("/partners.opml", "text/x-opml; charset=utf-8", true),
        ("/status.json", "application/json", true),
    ] {
        let r = srv.get(path, &[]);
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("content-type"), ty, "{path}");
        assert_eq!(
            r.header("access-control-allow-origin") == "*",
            cors,
            "{path}"
        );
    }
    assert_eq!(srv.get("/", &[]).body, file("index.html"));

    // Conditional requests: the tag, the date, and the tag deciding over the date.
    let r = srv.get("/feed.atom", &[("If-None-Match", &tag)]);
    assert_eq!((r.status, r.body.len()), (304, 0));
    assert_eq!(r.header("etag"), tag);
    assert_eq!(r.header("access-control-allow-origin"), "*");
    let r = srv.get("/feed.atom", &[("If-Modified-Since", &modified)]);
    assert_eq!(r.status, 304);
    let r = srv.get(
        "/feed.atom",
        &[
            ("If-None-Match", "\"other\""),
            ("If-Modified-Since", &modified),
        ],
    );
    assert_eq!(r.status, 200);

    // HEAD: the headers of a GET, no body.
    let head = request(&srv.addr, "HEAD", "/feed.atom", &[]);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(head.header("etag"), tag);
    assert_eq!(
        head.header("content-length"),
        file("feed.atom").len().to_string()
    );

    // Gzip on request, with a tag of its own that revalidates.
    let gz = srv.get("/feed.atom", &[("Accept-Encoding", "gzip")]);
    assert_eq!(gz.status, 200);
    assert_eq!(gz.header("content-encoding"), "gzip");
    assert!(
        gz.header("vary")
            .to_ascii_lowercase()
            .contains("accept-encoding")
    );
    assert!(gz.body.len() < file("feed.atom").len());
    assert_eq!(gunzip(&gz.body), file("feed.atom"));
    let gz_tag = gz.header("etag").to_string();
    assert_ne!(gz_tag, tag, "another encoding, another strong tag");
    let r = srv.get(
        "/feed.atom",
        &[("Accept-Encoding", "gzip"), ("If-None-Match", &gz_tag)],
    );
    assert_eq!(r.status, 304);

    // A rewritten file gets a new tag.
    std::fs::write(s.out().join("feed.atom"), b"<feed/>").expect("rewrite");
    let r = srv.get("/feed.atom", &[("If-None-Match", &tag)]);
    assert_eq!((r.status, r.body.as_slice()), (200, &b"<feed/>"[..]));
    assert_ne!(r.header("etag"), tag);
}

#[test]
fn serve_answers_404_outside_the_folder_and_for_state_and_temp_files() {
    let s = Setup::new::<&str>(&[], "");
    // The state inside the output folder, to show it is refused even there.
    let cfg = std::fs::read_to_string(s.config()).expect("config");
    std::fs::write(s.config(), format!("state = \"output/state.db\"\n{cfg}")).expect("config");
    s.run_offline().expect("offline run");
    let out = s.out();
    assert!(out.join("state.db").is_file() && out.join("state.lock").is_file());
    std::fs::write(out.join(".feed.atom.Ab12Cd.tmp"), "staged").expect("temp");
    std::fs::write(out.join("half.tmp"), "staged").expect("temp");
    std::fs::write(s.dir.path().join("secret.txt"), "outside").expect("outside");
    std::os::unix::fs::symlink(s.dir.path().join("secret.txt"), out.join("escape.atom"))
        .expect("symlink");
    std::os::unix::fs::symlink(s.dir.path(), out.join("up")).expect("symlink");
    std::fs::write(out.join("inside.txt"), "inside").expect("inside");
    std::os::unix::fs::symlink(out.join("inside.txt"), out.join("alias.txt")).expect("symlink");

    let srv = Served::start(&s, &[]);
    for path in [
        "/../feeds.toml",
        "/%2e%2e/feeds.toml",
        "/%2e%2e/",
        "/%2E%2E%2Ffeeds.toml",
        "/..%2ffeeds.toml",
        "/up%2fsecret.txt",
        "/..\\feeds.toml",
        "/escape.atom",
        "/up/secret.txt",
        "/up/feeds.toml",
        "/state.db",
        "/state.lock",
        "/.feed.atom.Ab12Cd.tmp",
        "/half.tmp",
        "/.feedbraid/state.db",
        "/nothing-here.atom",
    ] {
        let r = srv.get(path, &[]);
        assert_eq!(
            r.status,
            404,
            "{path}: {}",
            String::from_utf8_lossy(&r.body)
        );
        assert!(
            !String::from_utf8_lossy(&r.body).contains("outside"),
            "{path}"
        );
    }
    // A symlink that stays inside is followed; ordinary files are served.
    assert_eq!(srv.get("/alias.txt", &[]).body, b"inside");
    assert_eq!(srv.get("/feed.atom", &[]).status, 200);
}

/// Resident memory of a process, from /proc (Linux).
fn rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

#[test]
fn serve_idle_holds_under_20_mb() {
    let s = published();
    let srv = Served::start(&s, &[]);
    for _ in 0..20 {
        assert_eq!(
            srv.get("/feed.atom", &[("Accept-Encoding", "gzip")]).status,
            200
        );
    }
    let kb = rss_kb(srv.child.id());
    assert!(kb < 20 * 1024, "serve holds {kb} kB");
}
