//! Fetching through a proxy (issue 21; issue 27 defect 13) and behind a busy host (issue 27
//! defect 12). Through a proxy the guard judges the target, which the proxy would resolve and
//! reach for us, and not the proxy, which the operator chose; a slot's wait on a busy host does
//! not count against the fetch's time limit.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::{Reply, Server, Setup};

fn rss(title: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>{title}</title>\
         <link>https://p.example.org/</link><item><title>{title} item</title>\
         <link>https://p.example.org/{title}</link><description>{title} text</description>\
         </item></channel></rss>"
    )
}

/// A forward proxy on 127.0.0.1 that answers absolute-form requests itself: `/feed.xml` with a
/// feed, `/moved` with a redirect to `http://localhost:9/secret` (a name that resolves to a
/// private address), anything else 404. It records every target asked for.
fn proxy() -> (u16, Arc<Mutex<Vec<String>>>) {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    let asked = Arc::new(Mutex::new(Vec::new()));
    let log = asked.clone();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            let mut r = BufReader::new(s.try_clone().expect("clone"));
            let mut line = String::new();
            if r.read_line(&mut line).is_err() {
                continue;
            }
            loop {
                let mut h = String::new();
                if r.read_line(&mut h).map_or(true, |n| n == 0) || h == "\r\n" {
                    break;
                }
            }
            let target = line.split(' ').nth(1).unwrap_or_default().to_string();
            log.lock().expect("log").push(target.clone());
            let answer = if target.ends_with("/feed.xml") {
                let body = rss("Proxied");
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                )
            } else if target.ends_with("/moved") {
                "HTTP/1.1 302 Found\r\nLocation: http://localhost:9/secret\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string()
            } else {
                "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".into()
            };
            let mut s = s;
            let _ = s.write_all(answer.as_bytes());
        }
    });
    (port, asked)
}

/// Description: two partners at a public address (an IP literal, so no DNS is needed), fetched
/// through `HTTP_PROXY`, given once as an IP literal on loopback and once as `localhost`; one
/// partner's feed redirects to `localhost`, which only the proxy would resolve.
/// Expect: with either proxy, the public partner's item is published (the proxy on a private
/// address is the operator's choice, not judged); the redirect is refused as `private-address`
/// and the proxy is never asked for the `localhost` target.
#[test]
fn through_a_proxy_the_target_is_judged_and_the_proxy_is_not() {
    let (port, asked) = proxy();
    for proxy_url in [
        format!("http://127.0.0.1:{port}"),
        format!("http://localhost:{port}"),
    ] {
        let s = Setup::new(
            &[
                ("public", "http://93.184.216.34/feed.xml".to_string()),
                ("redirected", "http://93.184.216.34/moved".to_string()),
            ],
            "",
        );
        let out = s
            .command("run", &[])
            .env("HTTP_PROXY", &proxy_url)
            .env_remove("http_proxy")
            .env_remove("NO_PROXY")
            .env_remove("no_proxy")
            .output()
            .expect("run");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{proxy_url}: {err}");
        assert!(s.feed().contains("Proxied item"), "{proxy_url}: {err}");
        let status: serde_json::Value =
            serde_json::from_slice(&std::fs::read(s.out().join("status.json")).expect("status"))
                .expect("json");
        let redirected = status["sources"]
            .as_array()
            .expect("sources")
            .iter()
            .find(|x| x["name"] == "redirected")
            .expect("reported")
            .clone();
        assert_eq!(
            redirected["failure"], "private-address",
            "{proxy_url}: {err}"
        );
        let asked = asked.lock().expect("log").clone();
        assert!(
            !asked.iter().any(|t| t.contains("localhost:9")),
            "the proxy was asked for the private target: {asked:?}"
        );
    }
}

/// Description: 16 partners on one host that answers each request after 0.5 s, `per_host = 2`,
/// and a time limit of 3 s (`timeout` 1 s + `connect_timeout` 2 s): the last partners wait about
/// 4 s for a slot.
/// Expect: every partner is fetched and none fails as timed out: the limit covers the request,
/// not the wait for a slot.
#[test]
fn the_wait_for_a_slot_on_a_busy_host_does_not_count_against_the_time_limit() {
    let srv = Server::start();
    let mut sources = Vec::new();
    for i in 0..16 {
        let path = format!("/f{i}.xml");
        srv.route(
            &path,
            vec![
                Reply::ok(rss(&format!("Busy{i}")), "application/rss+xml")
                    .delay(Duration::from_millis(500)),
            ],
        );
        sources.push((format!("busy{i}"), srv.url(&path)));
    }
    let s = Setup::new(&sources, "per_host = 2\nconcurrency = 16");
    let cfg = std::fs::read_to_string(s.config()).expect("config");
    std::fs::write(
        s.config(),
        cfg.replacen("timeout = \"3s\"", "timeout = \"1s\"", 1),
    )
    .expect("config");
    let report = s.run().expect("run");
    let failed: Vec<String> = report
        .sources
        .iter()
        .filter(|r| r.status.is_problem())
        .map(|r| r.line())
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
    for i in 0..16 {
        assert!(s.feed().contains(&format!("Busy{i} item")));
    }
}
