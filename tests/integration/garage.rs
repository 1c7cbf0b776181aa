//! A real single-node Garage (S3-compatible object store) for the deploy tests, started per test
//! on free loopback ports: its S3 API, its web endpoint (how readers get the files) and its
//! admin endpoint (whose Prometheus metrics count the PUTs). The binary is `$FEEDBRAID_GARAGE`,
//! or `garage` on the PATH; `.ci/run` installs it (`.ci/garage-install`).

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::served::{Resp, request};

#[derive(Debug)]
pub struct Garage {
    child: Child,
    dir: tempfile::TempDir,
    bin: PathBuf,
    /// `http://127.0.0.1:PORT`, the S3 API.
    pub s3: String,
    /// `127.0.0.1:PORT`, the web endpoint.
    pub web: String,
    admin: String,
    pub key_id: String,
    pub secret: String,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

fn binary() -> PathBuf {
    if let Some(p) = std::env::var_os("FEEDBRAID_GARAGE") {
        return PathBuf::from(p);
    }
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("garage"))
            .find(|p| p.is_file())
    });
    found.expect(
        "the deploy tests need Garage: run .ci/garage-install (or set FEEDBRAID_GARAGE to its binary)",
    )
}

impl Garage {
    /// Starts a node, gives it a layout, and creates an access key.
    pub fn start() -> Garage {
        let bin = binary();
        let dir = tempfile::tempdir().expect("tempdir");
        let (rpc, s3, web, admin) = (free_port(), free_port(), free_port(), free_port());
        let cfg = format!(
            "metadata_dir = \"{d}/meta\"\ndata_dir = \"{d}/data\"\ndb_engine = \"sqlite\"\n\
             replication_factor = 1\nrpc_bind_addr = \"127.0.0.1:{rpc}\"\n\
             rpc_public_addr = \"127.0.0.1:{rpc}\"\nrpc_secret = \"{secret}\"\n\
             [s3_api]\ns3_region = \"garage\"\napi_bind_addr = \"127.0.0.1:{s3}\"\n\
             root_domain = \".s3.garage.localhost\"\n\
             [s3_web]\nbind_addr = \"127.0.0.1:{web}\"\nroot_domain = \".web.garage.localhost\"\n\
             index = \"index.html\"\n\
             [admin]\napi_bind_addr = \"127.0.0.1:{admin}\"\nmetrics_require_token = false\n\
             admin_token = \"test-admin-token\"\n",
            d = dir.path().display(),
            secret = "5f".repeat(32),
        );
        std::fs::write(dir.path().join("garage.toml"), cfg).expect("garage config");
        let log = std::fs::File::create(dir.path().join("garage.log")).expect("log");
        let child = Command::new(&bin)
            .arg("-c")
            .arg(dir.path().join("garage.toml"))
            .arg("server")
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("garage starts");
        let mut g = Garage {
            child,
            dir,
            bin,
            s3: format!("http://127.0.0.1:{s3}"),
            web: format!("127.0.0.1:{web}"),
            admin: format!("127.0.0.1:{admin}"),
            key_id: String::new(),
            secret: String::new(),
        };
        let started = Instant::now();
        let id = loop {
            let out = g.try_cli(&["node", "id", "-q"]);
            if let Some(id) = out.as_deref().and_then(|o| o.trim().split('@').next())
                && !id.is_empty()
            {
                break id.to_string();
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "garage did not start: {}",
                std::fs::read_to_string(g.dir.path().join("garage.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        };
        g.cli(&["layout", "assign", "-z", "dc1", "-c", "1G", &id]);
        g.cli(&["layout", "apply", "--version", "1"]);
        let key = g.cli(&["key", "create", "feedbraid-test"]);
        let field = |name: &str| {
            key.lines()
                .find_map(|l| l.strip_prefix(name))
                .map(|v| v.trim().to_string())
                .expect("key field")
        };
        g.key_id = field("Key ID:");
        g.secret = field("Secret key:");
        g
    }

    fn try_cli(&self, args: &[&str]) -> Option<String> {
        let out = Command::new(&self.bin)
            .arg("-c")
            .arg(self.dir.path().join("garage.toml"))
            .args(args)
            .stderr(Stdio::null())
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// A `garage` command against this node; panics if it fails.
    pub fn cli(&self, args: &[&str]) -> String {
        let started = Instant::now();
        loop {
            if let Some(out) = self.try_cli(args) {
                return out;
            }
            // Right after start-up the layout takes a moment to be known everywhere.
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "garage {args:?} failed"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// A bucket the test key owns, served by the web endpoint.
    pub fn bucket(&self, name: &str) {
        self.cli(&["bucket", "create", name]);
        self.cli(&[
            "bucket",
            "allow",
            "--read",
            "--write",
            "--owner",
            name,
            "--key",
            "feedbraid-test",
        ]);
        self.cli(&["bucket", "website", "--allow", name]);
    }

    /// `GET` (or `HEAD`) through the web endpoint, as a reader gets the file.
    pub fn web(&self, method: &str, bucket: &str, path: &str) -> Resp {
        let host = format!("{bucket}.web.garage.localhost");
        request(&self.web, method, path, &[("Host", host.as_str())])
    }

    /// How many S3 PUTs (uploads) the node has answered, from its own metrics.
    pub fn puts(&self) -> u64 {
        let body = request(&self.admin, "GET", "/metrics", &[]).body;
        String::from_utf8_lossy(&body)
            .lines()
            .filter(|l| l.starts_with("api_s3_request_counter{") && l.contains("\"PutObject\""))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
            .sum()
    }

    /// The environment a deploy to this node needs.
    pub fn env(&self) -> [(&'static str, String); 2] {
        [
            ("AWS_ACCESS_KEY_ID", self.key_id.clone()),
            ("AWS_SECRET_ACCESS_KEY", self.secret.clone()),
        ]
    }

    /// The `[deploy]` table for `bucket` under `prefix`.
    pub fn deploy_table(&self, bucket: &str, prefix: &str, extra: &str) -> String {
        format!(
            "\n[deploy]\ntarget = \"s3://{bucket}/{prefix}\"\nendpoint = \"{}\"\nregion = \"garage\"\n\
             path_style = true\n{extra}\n",
            self.s3
        )
    }
}

impl Drop for Garage {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
