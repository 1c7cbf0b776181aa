//! The client side of the `serve` tests: a running `feedbraid serve` (started on 127.0.0.1:0,
//! its stderr collected), and a raw HTTP/1.1 client (raw, so that `..` and `%2e%2e` reach the
//! server as written: an URL library would normalise them away).

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
        Served::spawn(s.command("serve", &args))
    }

    /// `feedbraid serve` with its open-file limit (`ulimit -n`, soft and hard) set to `nofile`.
    pub fn start_limited(s: &Setup, nofile: u32) -> Served {
        let mut c = std::process::Command::new("sh");
        c.arg("-c")
            .arg(format!("ulimit -n {nofile} && exec \"$0\" \"$@\""))
            .arg(env!("CARGO_BIN_EXE_feedbraid"))
            .arg("serve")
            .arg("--config")
            .arg(s.config())
            .args(["--addr", "127.0.0.1:0"]);
        Served::spawn(c)
    }

    fn spawn(mut command: std::process::Command) -> Served {
        let mut child = command
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
    // A `Host` among `headers` replaces the address (a virtual host, as Garage's web endpoint).
    let host = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("host"))
        .map_or(addr, |(_, v)| *v);
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (k, v) in headers
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("host"))
    {
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
pub fn gunzip(bytes: &[u8]) -> Vec<u8> {
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
pub fn published() -> Setup {
    let s = Setup::new::<&str>(&[], "");
    s.run_offline().expect("offline run");
    s
}
