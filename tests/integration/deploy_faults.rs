//! A deploy interrupted after each upload in turn (issue 24): between the deploy and Garage sits a
//! loopback proxy that lets a given number of PUTs through and then drops every connection, as a
//! store that went away mid-deploy. After each interrupted deploy, a reader of the bucket's web
//! endpoint must find every file that `index.html`, `feed.atom` and `feed.json` link to; the next
//! deploy goes on from where the last stopped, and the last one completes.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use crate::deploy::{Site, text};
use crate::garage::Garage;

/// Forwards HTTP/1.1 requests to `upstream`, one per connection; once `budget` PUTs went
/// through, drops every request.
struct Proxy {
    addr: String,
    budget: Arc<AtomicI64>,
}

impl Proxy {
    fn start(upstream: String) -> Proxy {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = l.local_addr().expect("addr").to_string();
        let budget = Arc::new(AtomicI64::new(0));
        let b = budget.clone();
        std::thread::spawn(move || {
            for s in l.incoming().flatten() {
                let (b, up) = (b.clone(), upstream.clone());
                std::thread::spawn(move || relay(s, &up, &b));
            }
        });
        Proxy { addr, budget }
    }
}

fn relay(mut client: TcpStream, upstream: &str, budget: &AtomicI64) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 65536];
    let head_end = loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
        match client.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let length: usize = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        match client.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    if head.starts_with("PUT ") && budget.fetch_sub(1, Ordering::SeqCst) <= 0 {
        return; // The store is gone: the connection drops unanswered.
    }
    // One request per upstream connection, and the client told not to reuse this one.
    let mut rewritten: String = head
        .trim_end()
        .lines()
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .map(|l| format!("{l}\r\n"))
        .collect();
    rewritten.push_str("Connection: close\r\n\r\n");
    let Ok(mut up) = TcpStream::connect(upstream) else {
        return;
    };
    let _ = up.write_all(rewritten.as_bytes());
    let _ = up.write_all(&buf[head_end..head_end + length]);
    let mut answer = Vec::new();
    let _ = up.read_to_end(&mut answer);
    let _ = client.write_all(&answer);
}

/// Every file under the site that `page` links to (`href`/`src` values that are relative or
/// under `base`), as names inside the bucket.
fn local_links(page: &str, base: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\"", "\"url\": \"", "\"external_url\": \""] {
        for part in page.split(attr).skip(1) {
            let Some(v) = part.split('"').next() else {
                continue;
            };
            let v = v.replace("&amp;", "&");
            let name = if let Some(rest) = v.strip_prefix(base) {
                rest.to_string()
            } else if v.contains("://") || v.starts_with('#') || v.starts_with("mailto:") {
                continue;
            } else {
                v.trim_start_matches("./").to_string()
            };
            let name = name.split(['#', '?']).next().unwrap_or("").to_string();
            if !name.is_empty() {
                out.push(name);
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// What a reader polling the bucket sees: the start files there link only to files there (of
/// the files feedbraid publishes, `ours`; the rest of the network's site is not deployed here).
fn assert_consistent(g: &Garage, ours: &BTreeSet<String>, when: &str) {
    for start in ["index.html", "feed.atom", "feed.json"] {
        let r = g.web("GET", "site", &format!("/{start}"));
        if r.status == 404 {
            continue;
        }
        let links = local_links(&text(&r.body), "https://swrn.example.org/");
        for name in links.iter().filter(|n| ours.contains(*n)) {
            let status = g.web("HEAD", "site", &format!("/{name}")).status;
            assert_eq!(status, 200, "{when}: {start} links to {name}, missing");
        }
    }
}

/// Description: a published site; the next run adds a view (linked from index.html) and an
/// entry; its deploy goes through a store that fails after 2 PUTs, again and again.
/// Expect: each interrupted deploy exits 2 and says what remains; after each, every file the
/// start files link to is in the bucket; each deploy uploads more; the last completes (exit 0)
/// and the bucket then holds the new pages.
#[test]
fn an_interrupted_deploy_never_links_readers_to_missing_files() {
    let g = Garage::start();
    g.bucket("site");
    let proxy = Proxy::start(g.s3.trim_start_matches("http://").to_string());
    let table = g
        .deploy_table("site", "", "")
        .replace(&g.s3, &format!("http://{}", proxy.addr));
    let mut site = Site::new(table);
    site.run(&g);
    proxy.budget.store(1_000_000, Ordering::SeqCst);
    let o = site.deploy(&g);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let mut ours: BTreeSet<String> = site.files().into_keys().collect();
    assert_consistent(&g, &ours, "first deploy");

    site.extra =
        "[[view]]\nname = \"letters\"\ntitle = \"Open letters\"\nsources = [\"local\"]\n\n\
                  [[entry]]\ntitle = \"An open letter\"\nslug = \"open-letter\"\n\
                  published = \"2026-11-30\"\nsummary = \"<p>Letter</p>\"\n"
            .into();
    site.write();
    site.run(&g);
    ours.extend(site.files().into_keys());
    assert!(ours.contains("letters.html"));
    let mut interrupted = 0;
    loop {
        proxy.budget.store(2, Ordering::SeqCst);
        let o = site.deploy(&g);
        match o.status.code() {
            Some(0) => break,
            Some(2) => {
                interrupted += 1;
                assert!(text(&o.stderr).contains("remain"), "{}", text(&o.stderr));
                assert_consistent(&g, &ours, &format!("after interruption {interrupted}"));
            }
            other => panic!("exit {other:?}: {}", text(&o.stderr)),
        }
        assert!(interrupted < 60, "the deploys make progress");
    }
    assert!(interrupted >= 3, "{interrupted}");
    assert_consistent(&g, &ours, "the completed deploy");
    assert_eq!(g.web("HEAD", "site", "/letters.html").status, 200);
    let index = text(&g.web("GET", "site", "/index.html").body);
    assert!(index.contains("An open letter"), "the new index is out");
}
