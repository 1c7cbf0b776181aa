//! A scripted HTTP/1.1 server on 127.0.0.1:0 for the tests: each path answers from a script of
//! responses (the last one repeats), honours ETags with 304s when asked, can stall, and logs
//! every request with its method, headers and body (a WebSub hub reads the pings' bodies).

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Sleep this long before answering.
    pub delay: Duration,
    /// Answer 304 when the request's If-None-Match equals this ETag (also sent as ETag).
    pub etag: Option<String>,
}

impl Reply {
    pub fn ok(body: impl Into<Vec<u8>>, content_type: &str) -> Reply {
        Reply {
            status: 200,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
            delay: Duration::ZERO,
            etag: None,
        }
    }
    /// A fixture of `tests/fixtures` served as `text/xml` (what most partners send).
    pub fn fixture(name: &str) -> Reply {
        Reply::ok(crate::fixture(name), "text/xml")
    }
    pub fn status(status: u16) -> Reply {
        Reply {
            status,
            headers: vec![],
            body: format!("status {status}").into_bytes(),
            delay: Duration::ZERO,
            etag: None,
        }
    }
    pub fn header(mut self, k: &str, v: &str) -> Reply {
        self.headers.push((k.into(), v.into()));
        self
    }
    pub fn etag(mut self, e: &str) -> Reply {
        self.etag = Some(e.into());
        self
    }
    pub fn delay(mut self, d: Duration) -> Reply {
        self.delay = d;
        self
    }
}

#[derive(Clone, Debug)]
pub struct Logged {
    pub method: String,
    pub path: String,
    /// The request body (`Content-Length` bytes).
    pub body: Vec<u8>,
    pub headers: HashMap<String, String>,
    pub status: u16,
}

#[derive(Default, Debug)]
struct Inner {
    scripts: HashMap<String, (Vec<Reply>, usize)>,
    log: Vec<Logged>,
}

#[derive(Clone, Debug)]
pub struct Server {
    pub base: String,
    inner: Arc<Mutex<Inner>>,
}

impl Server {
    pub fn start() -> Server {
        Server::start_at("127.0.0.1:0")
    }

    /// A server on another loopback address or a chosen port (`"127.0.0.2:0"`): the private
    /// network of the guard's tests.
    pub fn start_at(addr: &str) -> Server {
        let listener = TcpListener::bind(addr).expect("bind loopback");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let inner = Arc::new(Mutex::new(Inner::default()));
        let i2 = Arc::clone(&inner);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let i3 = Arc::clone(&i2);
                std::thread::spawn(move || handle(stream, i3));
            }
        });
        Server { base, inner }
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.base
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("a port")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sets the script of `path` (restarting it).
    pub fn route(&self, path: &str, replies: Vec<Reply>) {
        self.inner
            .lock()
            .expect("server lock")
            .scripts
            .insert(path.into(), (replies, 0));
    }

    pub fn log(&self) -> Vec<Logged> {
        self.inner.lock().expect("server lock").log.clone()
    }

    pub fn requests_to(&self, path: &str) -> Vec<Logged> {
        self.log().into_iter().filter(|l| l.path == path).collect()
    }

    /// Waits (up to 20 s) until `path` has been requested `n` times.
    pub fn wait_for(&self, path: &str, n: usize) {
        let until = std::time::Instant::now() + Duration::from_secs(20);
        while self.requests_to(path).len() < n {
            assert!(std::time::Instant::now() < until, "no request to {path}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn clear_log(&self) {
        self.inner.lock().expect("server lock").log.clear();
    }
}

fn handle(mut s: TcpStream, inner: Arc<Mutex<Inner>>) {
    s.set_read_timeout(Some(Duration::from_secs(30))).ok();
    loop {
        let mut buf = Vec::new();
        let mut byte = [0u8; 1];
        while !buf.ends_with(b"\r\n\r\n") {
            match s.read(&mut byte) {
                Ok(1) => buf.push(byte[0]),
                _ => return,
            }
        }
        let text = String::from_utf8_lossy(&buf).to_string();
        let mut lines = text.split("\r\n");
        let request_line: Vec<&str> = lines.next().unwrap_or("").split(' ').collect();
        let method = request_line.first().copied().unwrap_or("GET").to_string();
        let path = request_line.get(1).copied().unwrap_or("/").to_string();
        let headers: HashMap<String, String> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let length: usize = headers
            .get("content-length")
            .and_then(|l| l.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0u8; length];
        if s.read_exact(&mut body).is_err() {
            return;
        }
        let reply = {
            let mut g = inner.lock().expect("server lock");
            match g.scripts.get_mut(&path) {
                Some((replies, n)) => {
                    let r = replies[(*n).min(replies.len() - 1)].clone();
                    *n += 1;
                    r
                }
                None => Reply::status(404),
            }
        };
        let not_modified =
            reply.etag.is_some() && headers.get("if-none-match") == reply.etag.as_ref();
        let status = if not_modified { 304 } else { reply.status };
        // Logged on arrival, so a test can wait for a request that is still being answered.
        inner.lock().expect("server lock").log.push(Logged {
            method,
            body,
            path: path.clone(),
            headers,
            status,
        });
        std::thread::sleep(reply.delay);
        let mut head = format!("HTTP/1.1 {status} X\r\n");
        for (k, v) in &reply.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        if let Some(e) = &reply.etag {
            head.push_str(&format!("ETag: {e}\r\n"));
        }
        // 204 and 304 have no body (RFC 9110): a client on a kept-alive connection would read it
        // as the next response.
        let body: &[u8] = if not_modified || status == 204 {
            b""
        } else {
            &reply.body
        };
        head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
        if s.write_all(head.as_bytes()).is_err() || s.write_all(body).is_err() {
            return;
        }
    }
}
