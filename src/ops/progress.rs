//! The live line a person at a terminal sees while a run fetches its sources, e.g.
//! `fetching 37/120 partners · 2 failed · 5.1 MB`, drawn with indicatif on stderr and cleared
//! when the run ends, leaving the usual summary. The CLI shows it only when stderr is a terminal
//! (cron mail stays as it was); it is fed by the gathering's per-source hook
//! ([`crate::ops::gather::OnSource`]).

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::ingest::report::{SourceReport, Status};

/// A progress line over `total` sources.
#[derive(Debug)]
pub struct Progress {
    bar: ProgressBar,
    failed: AtomicUsize,
    bytes: AtomicU64,
}

impl Progress {
    /// Starts drawing on stderr (indicatif draws nothing when stderr is not a terminal).
    pub fn stderr(total: usize) -> Progress {
        let bar = ProgressBar::with_draw_target(
            Some(total as u64),
            ProgressDrawTarget::stderr_with_hz(10),
        );
        bar.set_style(
            ProgressStyle::with_template("fetching {pos}/{len} partners · {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        let p = Progress {
            bar,
            failed: AtomicUsize::new(0),
            bytes: AtomicU64::new(0),
        };
        p.bar.set_message(p.message());
        p.bar.tick();
        p
    }

    fn message(&self) -> String {
        line_tail(
            self.failed.load(Ordering::Relaxed),
            self.bytes.load(Ordering::Relaxed),
        )
    }

    /// One source finished.
    pub fn on_source(&self, r: &SourceReport) {
        if matches!(r.status, Status::Failed(_) | Status::Gone) {
            self.failed.fetch_add(1, Ordering::Relaxed);
        }
        self.bytes.fetch_add(r.bytes, Ordering::Relaxed);
        self.bar.set_message(self.message());
        self.bar.inc(1);
    }

    /// Removes the line.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// `2 failed · 5.1 MB` (decimal megabytes, as people read download sizes).
pub fn line_tail(failed: usize, bytes: u64) -> String {
    format!("{failed} failed · {:.1} MB", bytes as f64 / 1e6)
}

#[cfg(test)]
mod tests {
    #[test]
    fn tail_counts_failures_and_megabytes() {
        assert_eq!(super::line_tail(2, 5_100_000), "2 failed · 5.1 MB");
        assert_eq!(super::line_tail(0, 0), "0 failed · 0.0 MB");
    }
}
