//! The run's ingest threads: one per core, each taking the next fetched document as soon as it
//! has finished the last. The source tasks (async, on the runtime) hand a document's parsing and
//! normalising here and await its result.
//!
//! Why not `spawn_blocking` behind a semaphore of one permit per core (what this replaced): a
//! permit was given back only once the source's task had been polled again after its document
//! was done, and the next document started only once its own task had been polled, acquired the
//! permit and woken a blocking thread. Two trips through the runtime's queues, whose workers are
//! busy reading bodies, between one document and the next: a core was idle a fifth of a cold
//! run's sources phase (`docs/performance.md`, issue 25, round fourteen). Here a thread that
//! finishes a document takes the next from the queue itself.
//!
//! Written here rather than taken from a crate (rayon, threadpool): a queue, a handful of
//! threads and a one-shot answer each; `tokio::sync::oneshot` carries the answer back to the
//! awaiting task. The queue is unbounded, but what waits in it is bounded by the sources in
//! flight (`[fetch] concurrency`), each waiting for its own document.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

type Job = Box<dyn FnOnce() + Send + 'static>;

/// A job's work panicked, or the threads are gone: the document is not ingested.
#[derive(Debug, thiserror::Error)]
#[error("processing failed: {0}")]
pub struct Lost(&'static str);

/// The ingest threads (see the module header). Dropping it lets the threads finish the queue's
/// jobs and joins them.
#[derive(Debug)]
pub struct Cores {
    queue: Sender<Job>,
    threads: Vec<JoinHandle<()>>,
}

/// What a waiting task is told when no thread will answer: every thread has stopped (never while
/// `Cores` lives: a job's panic is caught, and the threads stop only when it is dropped).
const STOPPED: Lost = Lost("the ingest threads stopped");

impl Cores {
    /// Starts `n` threads (at least one).
    pub fn start(n: usize) -> std::io::Result<Self> {
        let (tx, rx) = channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let threads = (0..n.max(1))
            .map(|i| {
                let rx = Arc::clone(&rx);
                std::thread::Builder::new()
                    .name(format!("feedbraid-ingest-{i}"))
                    .spawn(move || work(&rx))
            })
            .collect::<std::io::Result<Vec<_>>>()?;
        Ok(Self { queue: tx, threads })
    }

    /// Runs `f` on the next free thread and gives its result; jobs start in the order they
    /// were handed in.
    pub async fn run<R, F>(&self, f: F) -> Result<R, Lost>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let (answer, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let r = catch_unwind(AssertUnwindSafe(f)).map_err(|_| Lost("it panicked"));
            // The task that waited may be gone (its run was cancelled): nothing to tell.
            let _ = answer.send(r);
        });
        self.queue.send(job).map_err(|_| STOPPED)?;
        result.await.map_err(|_| STOPPED)?
    }
}

/// One thread's life: the next job, until the queue is closed.
fn work(rx: &Mutex<Receiver<Job>>) {
    loop {
        // The lock is held only while waiting for and taking a job, never while running it.
        let job = rx.lock().unwrap_or_else(PoisonError::into_inner).recv();
        match job {
            Ok(job) => job(),
            Err(_) => return,
        }
    }
}

impl Drop for Cores {
    fn drop(&mut self) {
        // The threads' queue closed (a sender of a queue no thread reads takes its place): each
        // finishes what is queued, then stops.
        drop(std::mem::replace(&mut self.queue, channel().0));
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime")
    }

    #[test]
    fn gives_each_job_its_own_result() {
        let cores = Cores::start(2).expect("threads");
        let got = rt().block_on(async {
            let jobs = (0..50u64).map(|i| cores.run(move || i * i));
            futures_util::future::join_all(jobs).await
        });
        let got: Vec<u64> = got.into_iter().map(|r| r.expect("a result")).collect();
        assert_eq!(got, (0..50u64).map(|i| i * i).collect::<Vec<_>>());
    }

    #[test]
    fn never_runs_more_jobs_at_once_than_it_has_threads() {
        let cores = Cores::start(3).expect("threads");
        let now = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        rt().block_on(async {
            let jobs = (0..24).map(|_| {
                let (now, most) = (Arc::clone(&now), Arc::clone(&most));
                cores.run(move || {
                    let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(n, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(5));
                    now.fetch_sub(1, Ordering::SeqCst);
                })
            });
            futures_util::future::join_all(jobs).await
        });
        assert_eq!(
            most.load(Ordering::SeqCst),
            3,
            "every thread busy, never more"
        );
    }

    #[test]
    fn a_panicking_job_is_lost_and_its_thread_goes_on() {
        let cores = Cores::start(1).expect("threads");
        rt().block_on(async {
            let lost = cores.run(|| -> u8 { panic!("a hostile document") }).await;
            assert!(lost.expect_err("lost").to_string().contains("panicked"));
            assert_eq!(
                cores.run(|| 7u8).await.expect("a result"),
                7,
                "the one thread still works"
            );
        });
    }

    #[test]
    fn dropping_it_finishes_the_queue_and_joins_the_threads() {
        let done = Arc::new(AtomicUsize::new(0));
        let cores = Cores::start(1).expect("threads");
        let rt = rt();
        // Jobs handed in but not awaited: their answers go nowhere, their work is still done.
        for _ in 0..5 {
            let done = Arc::clone(&done);
            let job = cores.run(move || {
                std::thread::sleep(Duration::from_millis(2));
                done.fetch_add(1, Ordering::SeqCst);
            });
            // Polled once (the job is queued), then given up at once.
            let _ = rt.block_on(async { tokio::time::timeout(Duration::ZERO, job).await });
        }
        drop(cores);
        drop(rt);
        assert_eq!(done.load(Ordering::SeqCst), 5);
    }
}
