//! `[deploy] after`: the operator's command (a CDN purge), run once after a deploy that changed
//! something, with the changed paths on its stdin, one per line, and a time limit. Its failure is
//! reported; it never undoes the deploy. Run with `std::process` and a polling wait: the one
//! child of a command-line run needs no async process support.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What the hook did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HookOutcome {
    /// Exited 0.
    Done,
    /// Exited with another status, or was killed by a signal.
    Failed(String),
    /// Ran past the time limit and was killed.
    TimedOut(Duration),
    /// Could not be started.
    NotStarted(String),
}

impl HookOutcome {
    pub fn ok(&self) -> bool {
        matches!(self, HookOutcome::Done)
    }
}

/// Runs `argv` with `paths` on stdin, for at most `limit`.
pub fn run_after(argv: &[String], paths: &[String], limit: Duration) -> HookOutcome {
    let Some((program, args)) = argv.split_first() else {
        return HookOutcome::Done;
    };
    let mut child = match Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => return HookOutcome::NotStarted(format!("{program}: {e}")),
    };
    if let Some(mut stdin) = child.stdin.take() {
        // A hook that does not read its input is fine: a broken pipe is not its failure.
        let _ = stdin.write_all(paths.join("\n").as_bytes());
        let _ = stdin.write_all(b"\n");
    }
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return HookOutcome::Done,
            Ok(Some(status)) => return HookOutcome::Failed(status.to_string()),
            Ok(None) if started.elapsed() >= limit => {
                let _ = child.kill();
                let _ = child.wait();
                return HookOutcome::TimedOut(limit);
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return HookOutcome::Failed(e.to_string()),
        }
    }
}
