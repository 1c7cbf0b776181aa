//! The private-network guard over loopback (issue 14): a public partner cannot redirect us, or
//! have an image mirrored, from a private address; an intranet source configured as such still
//! works. Loopback stands in for both networks: an injected resolver maps public-looking names to
//! 127.0.0.1 (allowed) and 127.0.0.2 (blocked by the ranges under test), and a second server
//! listens on 127.0.0.2 as "the intranet", so a guard that let a request through would be seen
//! in that server's log, not only in an error message.

use std::net::IpAddr;
use std::sync::Arc;

use feedbraid::ingest::fetch::{Blocked, Cidr, FailureKind, Guard, StaticResolver};

use crate::{Reply, Server, Setup};

const PUBLIC: &str = "127.0.0.1";
const PRIVATE: &str = "127.0.0.2";

fn ip(s: &str) -> IpAddr {
    s.parse().expect("an address")
}

/// 127.0.0.2 blocked, 127.0.0.1 allowed; `partner.example` public, `intranet.example` private,
/// `mixed.example` both (private first).
fn guard() -> Guard {
    let blocked = Blocked::new(vec![Cidr::new(ip(PRIVATE), 32).expect("prefix")]);
    let names = StaticResolver::new()
        .with("partner.example", &[ip(PUBLIC)])
        .with("intranet.example", &[ip(PRIVATE)])
        .with("mixed.example", &[ip(PRIVATE), ip(PUBLIC)]);
    Guard::new(blocked, Arc::new(names))
}

fn rss(title: &str) -> Vec<u8> {
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>{title}</title>\
         <link>https://p.example.org/</link><item><title>{title} item</title>\
         <link>https://p.example.org/{title}</link><description>{title} text</description>\
         </item></channel></rss>"
    )
    .into_bytes()
}

/// The partner on 127.0.0.1, the intranet on 127.0.0.2 at the same port (so that connecting to
/// the wrong address of a name reaches it).
fn networks() -> (Server, Server) {
    let partner = Server::start_at(&format!("{PUBLIC}:0"));
    let intranet = Server::start_at(&format!("{PRIVATE}:{}", partner.port()));
    intranet.route(
        "/secret",
        vec![Reply::ok(rss("INTERNAL-SECRET"), "application/rss+xml")],
    );
    (partner, intranet)
}

fn status_failure(s: &Setup) -> String {
    let status: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(s.out().join("status.json")).expect("status.json"),
    )
    .expect("json");
    status["sources"][0]["failure"].to_string()
}

#[test]
fn a_public_name_redirecting_to_a_private_name_is_refused_at_connect_time() {
    let (partner, intranet) = networks();
    let port = partner.port();
    partner.route(
        "/feed",
        vec![Reply::status(302).header(
            "Location",
            &format!("http://intranet.example:{port}/secret"),
        )],
    );
    let s = Setup::new(
        &[("Partner", format!("http://partner.example:{port}/feed"))],
        "",
    );
    let report = s.run_guarded(guard()).expect("run");
    assert_eq!(
        partner.requests_to("/feed").len(),
        1,
        "the partner was asked"
    );
    assert!(intranet.log().is_empty(), "the intranet was reached");
    let src = &report.sources[0];
    assert_eq!(
        src.failure,
        Some(FailureKind::PrivateAddress),
        "{:?}",
        src.status
    );
    let why = format!("{:?}", src.status);
    assert!(
        why.contains("intranet.example") && why.contains(PRIVATE),
        "reason names the host and address: {why}"
    );
    assert_eq!(status_failure(&s), "\"private-address\"");
    assert!(!s.feed().contains("INTERNAL-SECRET"));
    assert_eq!(report.exit_code(), 1);
}

#[test]
fn a_redirect_to_a_private_ip_literal_is_refused_before_connecting() {
    let (partner, intranet) = networks();
    let port = partner.port();
    partner.route(
        "/feed",
        vec![Reply::status(301).header("Location", &format!("http://{PRIVATE}:{port}/secret"))],
    );
    partner.route(
        "/v6",
        vec![Reply::status(302).header(
            "Location",
            &format!("http://[::ffff:{PRIVATE}]:{port}/secret"),
        )],
    );
    let s = Setup::new(
        &[
            ("Partner", format!("http://partner.example:{port}/feed")),
            ("Mapped", format!("http://partner.example:{port}/v6")),
        ],
        "",
    );
    let report = s.run_guarded(guard()).expect("run");
    assert_eq!(partner.requests_to("/feed").len(), 1);
    assert_eq!(partner.requests_to("/v6").len(), 1);
    assert!(intranet.log().is_empty(), "the intranet was reached");
    for src in &report.sources {
        assert_eq!(
            src.failure,
            Some(FailureKind::PrivateAddress),
            "{}",
            src.name
        );
        assert_eq!(src.moved_to, None, "a refused move is not reported as one");
    }
}

#[test]
fn a_name_with_public_and_private_addresses_is_connected_only_at_the_public_one() {
    let (partner, intranet) = networks();
    let port = partner.port();
    partner.route(
        "/feed",
        vec![Reply::ok(rss("Mixed"), "application/rss+xml")],
    );
    intranet.route(
        "/feed",
        vec![Reply::ok(rss("WRONG-HOST"), "application/rss+xml")],
    );
    let s = Setup::new(
        &[("Partner", format!("http://mixed.example:{port}/feed"))],
        "",
    );
    let report = s.run_guarded(guard()).expect("run");
    assert_eq!(
        report.sources[0].failure, None,
        "{:?}",
        report.sources[0].status
    );
    assert!(intranet.log().is_empty(), "the private address was tried");
    assert!(s.feed().contains("Mixed item"));
}

#[test]
fn a_source_configured_on_the_private_network_may_redirect_within_it() {
    let (partner, intranet) = networks();
    let port = partner.port();
    intranet.route(
        "/old",
        vec![Reply::status(302).header("Location", &format!("http://{PRIVATE}:{port}/secret"))],
    );
    partner.route(
        "/feed",
        vec![Reply::ok(rss("Public"), "application/rss+xml")],
    );
    let s = Setup::new(
        &[
            ("Intranet", format!("http://intranet.example:{port}/old")),
            ("Literal", format!("http://{PRIVATE}:{port}/secret")),
            ("Partner", format!("http://partner.example:{port}/feed")),
        ],
        "",
    );
    let report = s.run_guarded(guard()).expect("run");
    for src in &report.sources {
        assert_eq!(src.failure, None, "{}: {:?}", src.name, src.status);
    }
    assert_eq!(intranet.requests_to("/secret").len(), 2);
    assert!(s.feed().contains("INTERNAL-SECRET item"));
    assert!(s.feed().contains("Public item"));
}

#[test]
fn a_public_partners_image_on_a_private_address_is_refused_and_never_stored() {
    let (partner, intranet) = networks();
    let port = partner.port();
    let png = |shade: u8| {
        let img = image::RgbImage::from_pixel(4, 4, image::Rgb([shade, 90, 30]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png)
            .expect("png");
        out.into_inner()
    };
    partner.route("/ok.png", vec![Reply::ok(png(10), "image/png")]);
    partner.route(
        "/hop.png",
        vec![Reply::status(302).header(
            "Location",
            &format!("http://intranet.example:{port}/cam.png"),
        )],
    );
    intranet.route("/cam.png", vec![Reply::ok(png(200), "image/png")]);
    // The network's own intranet source may have its images mirrored from the intranet.
    intranet.route("/own.png", vec![Reply::ok(png(120), "image/png")]);
    let own = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>I</title><link>https://i.example.org/</link>\
         <item><title>Staff news</title><link>https://i.example.org/1</link><description>&lt;img src=\"http://intranet.example:{port}/own.png\"&gt;</description></item></channel></rss>"
    );
    intranet.route("/feed", vec![Reply::ok(own, "application/rss+xml")]);
    let img = |url: String| format!("&lt;img src=\"{url}\" alt=\"x\"&gt;");
    let feed = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>P</title><link>https://p.example.org/</link>\
         <item><title>Pictures</title><link>https://p.example.org/1</link><description>&lt;p&gt;Look&lt;/p&gt;{}{}{}{}</description></item></channel></rss>",
        img(format!("http://partner.example:{port}/ok.png")),
        img(format!("http://intranet.example:{port}/cam.png")),
        img(format!("http://{PRIVATE}:{port}/cam.png")),
        img(format!("http://partner.example:{port}/hop.png")),
    );
    partner.route("/feed", vec![Reply::ok(feed, "application/rss+xml")]);
    let s = Setup::new(
        &[
            ("Partner", format!("http://partner.example:{port}/feed")),
            ("Intranet", format!("http://intranet.example:{port}/feed")),
        ],
        "",
    );
    let cfg = std::fs::read_to_string(s.config()).expect("cfg");
    std::fs::write(
        s.config(),
        cfg.replacen("[fetch]", "[output]\nmirror_media = true\n\n[fetch]", 1),
    )
    .expect("write");
    let report = s.run_guarded(guard()).expect("run");
    assert!(
        intranet.requests_to("/cam.png").is_empty(),
        "a public partner's image was fetched from the intranet"
    );
    assert_eq!(intranet.requests_to("/own.png").len(), 1);
    assert_eq!(partner.requests_to("/ok.png").len(), 1);
    assert_eq!(partner.requests_to("/hop.png").len(), 1);
    let media = report.media.expect("mirroring is on");
    assert_eq!(
        media.mirrored, 2,
        "the public image and the intranet's own: {media:?}"
    );
    assert_eq!(media.refused.len(), 3, "{media:?}");
    for (url, why) in &media.refused {
        assert!(why.contains("private network"), "{url}: {why}");
    }
    let stored: Vec<_> = std::fs::read_dir(s.out().join("media"))
        .expect("media folder")
        .flatten()
        .flat_map(|d| std::fs::read_dir(d.path()).into_iter().flatten().flatten())
        .collect();
    assert_eq!(stored.len(), 2, "nothing refused is stored");
}
