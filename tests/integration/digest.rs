//! `feedbraid digest` against a real SMTP server (aiosmtpd, `tests/fixtures/smtp/server.py`) on
//! loopback, with STARTTLS required and a test certificate authority made by `openssl` (issue
//! 26): the message arrives once, a second send of the month sends nothing, a 451 is retried on
//! a later run, the password appears nowhere, and the received message is read back with
//! Python's `email` package.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::Setup;

const PASSWORD: &str = "s3cret-digest-pw";

/// A CA and a certificate for `localhost` signed by it, in `dir`.
fn certificates(dir: &Path) {
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=feedbraid test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "leaf.key",
        "-out",
        "leaf.csr",
        "-subj",
        "/CN=localhost",
    ]);
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .expect("ext");
    run(&[
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "leaf.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ]);
}

/// The SMTP server, running until dropped.
pub struct Smtp {
    child: Child,
    pub dir: tempfile::TempDir,
    pub port: u16,
}

impl Smtp {
    pub fn start(mode: &str) -> Smtp {
        let dir = tempfile::tempdir().expect("tmp");
        certificates(dir.path());
        std::fs::create_dir(dir.path().join("mail")).expect("mail dir");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("port")
            .port();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/smtp/server.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(port.to_string())
            .arg(dir.path().join("leaf.pem"))
            .arg(dir.path().join("leaf.key"))
            .arg(dir.path().join("mail"))
            .arg(mode)
            .env("SMTP_TEST_PASSWORD", PASSWORD)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 and aiosmtpd (.ci/run installs aiosmtpd)");
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().expect("stdout")),
            &mut line,
        )
        .expect("ready line");
        assert_eq!(line.trim(), "ready", "the SMTP server started");
        Smtp { child, dir, port }
    }

    /// The messages received, in order.
    pub fn messages(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(self.dir.path().join("mail"))
            .expect("mail")
            .flatten()
            .map(|e| e.path())
            .collect();
        v.sort();
        v
    }

    /// The `[digest]` table for this server.
    pub fn table(&self, user: bool) -> String {
        format!(
            "[digest]\nsmtp = \"smtp://{}localhost:{}\"\nsmtp_ca = \"{}\"\n\
             from = \"news@test.example.org\"\nto = \"members@lists.test.example.org\"\n\
             unsubscribe = \"https://test.example.org/unsubscribe\"\n",
            if user { "digest@" } else { "" },
            self.port,
            self.dir.path().join("ca.pem").display()
        )
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A config with local entries of November 2026 in English, Thai and Chinese, then `table`.
fn network(table: &str) -> Setup {
    let s = Setup::new::<&str>(&[], "");
    s.append(
        "[[entry]]\ntitle = \"รายงานสิทธิของพนักงานบริการ\"\nslug = \"th-report\"\npublished = \"2026-11-05\"\n\
         language = \"th\"\nsummary = \"<p>สรุปภาษาไทย</p>\"\n\n\
         [[entry]]\ntitle = \"性工作者權益報告\"\nslug = \"zh-report\"\npublished = \"2026-11-12\"\n\
         language = \"zh-Hant\"\nsummary = \"<p>中文摘要</p>\"\n\n\
         [[entry]]\ntitle = \"October letter\"\nslug = \"october\"\npublished = \"2026-10-20\"\n\
         summary = \"<p>Not in November</p>\"\n",
    );
    s.append(table);
    s
}

fn digest(s: &Setup, extra: &[&str]) -> (Option<i32>, String, String) {
    let out = s
        .command(
            "digest",
            &[&["--month", "2026-11", "--send"], extra].concat(),
        )
        .env("FEEDBRAID_SMTP_PASSWORD", PASSWORD)
        .output()
        .expect("digest runs");
    let t = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code(), t(&out.stdout), t(&out.stderr))
}

/// Description: a digest of November 2026 sent with STARTTLS and AUTH to a real server, twice.
/// Expect: one message arrives; the second `--send` says it was sent before and sends nothing;
/// Python's `email` reads both parts with the Thai and Chinese titles intact, the headers the
/// issue names, the October entry absent; the files are under output/digest/; the password is
/// in no output, no file and not in the state.
#[test]
fn the_digest_arrives_once_with_its_headers_and_both_parts() {
    let smtp = Smtp::start("ok");
    let s = network(&smtp.table(true));
    let (code, out, err) = digest(&s, &[]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("digest: sent"), "{err}");
    assert_eq!(smtp.messages().len(), 1);
    let (code, out2, err2) = digest(&s, &[]);
    assert_eq!(code, Some(0), "{err2}");
    assert!(err2.contains("already sent"), "{err2}");
    assert_eq!(smtp.messages().len(), 1, "not sent twice");

    let check = r#"
import email, json, sys
from email import policy
m = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=policy.default)
parts = [(p.get_content_type(), p.get_content()) for p in m.walk() if not p.is_multipart()]
print(json.dumps({"type": m.get_content_type(), "subject": str(m["subject"]),
  "list_id": str(m["list-id"]), "unsub": str(m["list-unsubscribe"]),
  "post": str(m["list-unsubscribe-post"]), "mid": str(m["message-id"]),
  "parts": parts}))
"#;
    let py = Command::new("python3")
        .args(["-c", check])
        .arg(&smtp.messages()[0])
        .output()
        .expect("python");
    assert!(
        py.status.success(),
        "{}",
        String::from_utf8_lossy(&py.stderr)
    );
    let m: serde_json::Value = serde_json::from_slice(&py.stdout).expect("json");
    assert_eq!(m["type"], "multipart/alternative");
    assert!(
        m["list_id"]
            .as_str()
            .expect("list-id")
            .contains("<digest.test.example.org>")
    );
    assert_eq!(m["unsub"], "<https://test.example.org/unsubscribe>");
    assert_eq!(m["post"], "List-Unsubscribe=One-Click");
    assert_eq!(m["mid"], "<digest-2026-11@test.example.org>");
    let parts = m["parts"].as_array().expect("parts");
    assert_eq!(parts[0][0], "text/plain");
    assert_eq!(parts[1][0], "text/html");
    for p in parts {
        let body = p[1].as_str().expect("body");
        assert!(body.contains("รายงานสิทธิของพนักงานบริการ"), "{body}");
        assert!(body.contains("性工作者權益報告"), "{body}");
        assert!(!body.contains("October letter"), "only November");
    }
    let text = parts[0][1].as_str().expect("text");
    assert!(text.lines().all(|l| l.chars().count() <= 72), "{text}");
    let html = parts[1][1].as_str().expect("html");
    assert!(
        !html.contains("<script") && !html.contains("<img"),
        "{html}"
    );

    for f in [
        "2026-11.html",
        "2026-11.txt",
        "2026-11.eml",
        "feed.atom",
        "index.html",
    ] {
        assert!(s.out().join("digest").join(f).is_file(), "{f}");
    }
    let listing = std::fs::read_to_string(s.out().join("digest/index.html")).expect("index");
    assert!(listing.contains("href=\"2026-11.html\""), "{listing}");
    let feed = std::fs::read_to_string(s.out().join("digest/feed.atom")).expect("feed");
    assert!(
        feed.contains("digest/2026-11.html") && !feed.contains("digest/index.html"),
        "{feed}"
    );
    // The run links the digests from the page for people.
    s.run_offline().expect("run");
    let index = std::fs::read_to_string(s.out().join("index.html")).expect("index.html");
    assert!(
        index.contains("digest/index.html\">Monthly digest"),
        "{index}"
    );
    let mut everything = format!("{out}{err}{out2}{err2}");
    for p in crate::files_under(s.dir.path()) {
        everything.push_str(&String::from_utf8_lossy(
            &std::fs::read(&p).unwrap_or_default(),
        ));
    }
    assert!(!everything.contains(PASSWORD), "the password leaked");
}

/// Description: a server that answers the first DATA with 451; the digest sent at a time T, at
/// T + 5 minutes, then at T + 20 minutes (in-process, with the run's clock).
/// Expect: the first reports NOT SENT (exit 1) and nothing arrives; the second waits (back-off,
/// no attempt); the third sends it: one message.
#[test]
fn a_refused_send_is_retried_after_the_back_off() {
    use feedbraid::ops::digest::{DigestOptions, Sent, digest};
    let smtp = Smtp::start("451-once");
    let s = network(&smtp.table(false));
    let rt = feedbraid::ops::run::runtime().expect("runtime");
    let t0 = chrono::DateTime::parse_from_rfc3339("2026-12-02T08:00:00Z")
        .expect("date")
        .to_utc();
    let at = |minutes: i64| DigestOptions {
        run: feedbraid::ops::run::RunOptions {
            config: s.config(),
            now: Some(t0 + chrono::Duration::minutes(minutes)),
            ..Default::default()
        },
        send: true,
        ..DigestOptions::default()
    };
    let first = retry_locked(|| digest(&at(0), rt.handle()));
    assert!(matches!(first.sent, Sent::Failed { .. }), "{first:?}");
    assert_eq!(first.exit_code(), 1);
    assert!(first.summary().contains("451"), "{}", first.summary());
    assert!(smtp.messages().is_empty());
    let second = retry_locked(|| digest(&at(5), rt.handle()));
    assert!(matches!(second.sent, Sent::Waiting(_)), "{second:?}");
    let third = retry_locked(|| digest(&at(20), rt.handle()));
    assert_eq!(third.sent, Sent::Now, "{third:?}");
    assert_eq!(smtp.messages().len(), 1);
}

/// The lock flake of in-process runs (see `in_process` in main.rs), for the digest's lock.
fn retry_locked(
    f: impl Fn() -> Result<feedbraid::ops::digest::DigestReport, feedbraid::ops::digest::DigestError>,
) -> feedbraid::ops::digest::DigestReport {
    let start = Instant::now();
    loop {
        match f() {
            Err(feedbraid::ops::digest::DigestError::Fatal(feedbraid::ops::Fatal::Locked(_)))
                if start.elapsed() < Duration::from_secs(2) =>
            {
                std::thread::sleep(Duration::from_millis(50));
            }
            other => return other.expect("digest"),
        }
    }
}

/// Description: `[digest] send = "monthly"`; `feedbraid run` twice.
/// Expect: the first run publishes (exit 0) and sends the previous month's digest; the second
/// sends nothing: one message in all.
#[test]
fn monthly_sending_sends_the_previous_month_once() {
    let smtp = Smtp::start("ok");
    let s = network(&format!("{}send = \"monthly\"\n", smtp.table(true)));
    for _ in 0..2 {
        let out = s
            .command("run", &[])
            .env("FEEDBRAID_SMTP_PASSWORD", PASSWORD)
            .output()
            .expect("run");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(smtp.messages().len(), 1);
    let status: serde_json::Value =
        serde_json::from_slice(&std::fs::read(s.out().join("status.json")).expect("status"))
            .expect("json");
    assert!(status["digest"]["last_sent"].is_string(), "{status}");
    assert_eq!(status["digest"]["failures"], 0);
}

/// Description: `send = "monthly"` with a server that answers 451 the first time.
/// Expect: the run still publishes and exits 0 (a digest never blocks publishing); its summary
/// says NOT SENT; `status.json` has the digest pending with one failure.
#[test]
fn a_failed_monthly_send_is_reported_and_does_not_change_the_runs_outcome() {
    let smtp = Smtp::start("451-once");
    let s = network(&format!("{}send = \"monthly\"\n", smtp.table(false)));
    let out = s.command("run", &[]).output().expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("digest: NOT SENT"), "{err}");
    assert!(s.feed().contains("Our own report"));
    let status: serde_json::Value =
        serde_json::from_slice(&std::fs::read(s.out().join("status.json")).expect("status"))
            .expect("json");
    assert!(status["digest"]["pending"].is_string(), "{status}");
    assert_eq!(status["digest"]["failures"], 1);
    assert!(smtp.messages().is_empty());
}

/// Description: `[digest]` with an address that is not an addr-spec, an unknown view, and an
/// SMTP URL carrying a password.
/// Expect: `check` exits 2 naming the file, the line and the key; the password is not echoed.
#[test]
fn a_bad_digest_table_names_the_file_line_and_key() {
    for (table, key) in [
        ("[digest]\nfrom = \"news at example\"\n", "digest.from"),
        ("[digest]\nview = \"nope\"\n", "digest.view"),
        (
            "[digest]\nsmtp = \"smtp://u:hunter2@mail.example.org\"\n",
            "digest.smtp",
        ),
    ] {
        let s = Setup::new::<&str>(&[], "");
        let lines = std::fs::read_to_string(s.config())
            .expect("cfg")
            .lines()
            .count();
        s.append(table);
        let out = s.command("check", &[]).output().expect("check");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains(&format!("feeds.toml:{}:", lines + 2)) && err.contains(key),
            "{err}"
        );
        assert!(!err.contains("hunter2"), "{err}");
    }
}

/// Description: the HTML digest (Thai and Chinese entries) opened in Chromium at 375 px, in the
/// light and the dark scheme, with axe-core (npm, installed by `.ci/run`) run in the page.
/// Expect: 0 axe violations in both schemes; the page requests nothing from any origin (the
/// net log holds no request the page started).
#[test]
fn the_html_digest_passes_axe_at_phone_width_in_both_schemes() {
    let s = network("[digest]\n");
    let out = s
        .command("digest", &["--month", "2026-11"])
        .output()
        .expect("digest");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = std::fs::read_to_string(s.out().join("digest/2026-11.html")).expect("html");
    let axe = Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/node_modules/axe-core/axe.min.js");
    assert!(
        axe.is_file(),
        "axe-core is missing: .ci/run installs it (npm)"
    );
    let probe = format!(
        "<script src=\"file://{}\"></script><script>axe.run().then(r => {{ document.title = \
         'AXE ' + r.violations.length + ' ' + r.violations.map(v => v.id + ':' + v.nodes.length).join(','); }});</script></body>",
        axe.display()
    );
    let tmp = tempfile::tempdir().expect("tmp");
    let file = tmp.path().join("digest.html");
    std::fs::write(&file, page.replace("</body>", &probe)).expect("write");
    for (scheme, setting) in [("light", 1), ("dark", 0)] {
        let log = tmp.path().join(format!("net-{scheme}.json"));
        let out = Command::new("chromium")
            .args(crate::browser::FLAGS)
            .arg(format!(
                "--user-data-dir={}",
                tmp.path().join(scheme).display()
            ))
            .arg("--window-size=375,900")
            .arg(format!("--blink-settings=preferredColorScheme={setting}"))
            .arg("--virtual-time-budget=15000")
            .arg("--allow-file-access-from-files")
            .arg(format!("--log-net-log={}", log.display()))
            .arg("--dump-dom")
            .arg(format!("file://{}", file.display()))
            .output()
            .expect("chromium runs");
        let dom = String::from_utf8_lossy(&out.stdout);
        let title = dom
            .split("<title>")
            .nth(1)
            .and_then(|t| t.split("</title>").next())
            .unwrap_or_default();
        assert!(
            title.starts_with("AXE "),
            "{scheme}: axe did not run: {title}"
        );
        assert!(title.starts_with("AXE 0 "), "{scheme}: {title}");
        let requests = crate::browser::page_requests(&log);
        assert!(requests.is_empty(), "{scheme}: {requests:?}");
    }
}
