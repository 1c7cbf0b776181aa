//! Issue 27, defect 16: `feedbraid serve` against clients that hold connections and send nothing,
//! or a request head a byte at a time (slowloris). Under a low open-file limit, idle sockets must
//! not starve the server of descriptors: connections are capped below the limit, the idle ones
//! give way to new arrivals, and idle or half-sent connections are closed after a timeout.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::served::{Served, published};

/// GET `path` on a fresh connection; the status, or `None` when no answer came within `limit`.
fn status_within(addr: &str, path: &str, limit: Duration) -> Option<u16> {
    let mut s = TcpStream::connect_timeout(&addr.parse().ok()?, limit).ok()?;
    s.set_read_timeout(Some(limit)).ok()?;
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes())
        .ok()?;
    let mut head = [0u8; 12];
    s.read_exact(&mut head).ok()?;
    std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
}

/// Whether the server closes `s` within `limit` (a read returns end of file or a reset).
fn closed_within(s: &mut TcpStream, limit: Duration) -> bool {
    s.set_read_timeout(Some(limit)).expect("timeout");
    let mut buf = [0u8; 4096];
    let until = Instant::now() + limit;
    while Instant::now() < until {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return false,
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => return false,
            Err(_) => return true,
        }
    }
    false
}

#[test]
fn idle_sockets_do_not_starve_serve_under_a_low_descriptor_limit() {
    let s = published();
    let srv = Served::start_limited(&s, 64);
    // More idle connections than the server has descriptors for.
    let idle: Vec<TcpStream> = (0..90)
        .map(|_| TcpStream::connect(&srv.addr).expect("connect"))
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    for i in 0..5 {
        let started = Instant::now();
        let got = status_within(&srv.addr, "/feed.atom", Duration::from_secs(5));
        assert_eq!(
            got,
            Some(200),
            "request {i} while {} sockets sit idle; stderr:\n{}",
            idle.len(),
            srv.stderr()
        );
        assert!(started.elapsed() < Duration::from_secs(5));
    }
    drop(idle);
    // Still answering once they are gone.
    assert_eq!(
        status_within(&srv.addr, "/", Duration::from_secs(5)),
        Some(200)
    );
}

#[test]
fn idle_and_half_sent_connections_are_closed() {
    let s = published();
    let srv = Served::start(&s, &[]);
    // Sends nothing at all.
    let mut silent = TcpStream::connect(&srv.addr).expect("connect");
    // Sends a request head a few bytes at a time, never finishing it.
    let mut slow = TcpStream::connect(&srv.addr).expect("connect");
    // Asks once, keeps the connection, then says nothing more.
    let mut kept = TcpStream::connect(&srv.addr).expect("connect");
    kept.write_all(b"GET /feed.atom HTTP/1.1\r\nHost: x\r\n\r\n")
        .expect("send");
    let mut first = [0u8; 12];
    kept.read_exact(&mut first).expect("an answer");
    assert_eq!(&first[9..12], b"200");

    let started = Instant::now();
    slow.set_nonblocking(false).expect("blocking");
    let dribble = std::thread::spawn(move || {
        for chunk in [
            &b"GET / HT"[..],
            b"TP/1.1\r\n",
            b"Host: x\r\n",
            b"X-A: 1\r\n",
        ]
        .iter()
        .cycle()
        .take(40)
        {
            if slow.write_all(chunk).is_err() {
                return (slow, true);
            }
            std::thread::sleep(Duration::from_millis(900));
        }
        (slow, false)
    });
    assert!(
        closed_within(&mut silent, Duration::from_secs(30)),
        "silent"
    );
    assert!(
        closed_within(&mut kept, Duration::from_secs(30)),
        "kept alive"
    );
    let (mut slow, write_failed) = dribble.join().expect("dribbler");
    assert!(
        write_failed || closed_within(&mut slow, Duration::from_secs(1)),
        "the slow head was not cut off"
    );
    assert!(
        started.elapsed() < Duration::from_secs(40),
        "{:?}",
        started.elapsed()
    );
}
