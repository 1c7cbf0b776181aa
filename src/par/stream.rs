//! A stream of items taken in turn and worked on apart: `next` gives the items one thread at a
//! time (under a lock: reads on one database connection, in order), each thread works on the
//! item it took, and this thread receives the results as they come.
//!
//! Why not [`par_map`](super::par_map) over each batch after reading it: a map per batch waits
//! for its slowest item and spawns its threads again for the next batch, and the reads ran on a
//! thread of their own that only shared the cores. The library's rows of a cold run left a
//! quarter of both cores idle that way (`docs/performance.md`, issue 25, round fourteen); here
//! each thread takes the next item as soon as it is done with the last.

use std::sync::Mutex;
use std::sync::mpsc::sync_channel;

use super::{Panicked, cores};

/// Calls `next` (one thread at a time) until it gives `None`, works on each item with `work` on
/// up to one thread per core, and hands each result to `sink` on this thread, in the order they
/// are done. Stops early, and gives `sink`'s error, when `sink` fails; a panic in a worker is
/// [`Panicked`]. At most one result per thread waits for `sink`.
pub fn par_stream<I, R, E>(
    next: impl FnMut() -> Option<I> + Send,
    work: impl Fn(I) -> R + Sync,
    mut sink: impl FnMut(R) -> Result<(), E>,
) -> Result<Result<(), E>, Panicked>
where
    R: Send,
{
    let threads = cores();
    let next = Mutex::new(next);
    let take = || next.lock().ok().and_then(|mut n| n());
    std::thread::scope(|sc| {
        let (tx, rx) = sync_channel(threads);
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let tx = tx.clone();
                let (take, work) = (&take, &work);
                sc.spawn(move || {
                    while let Some(item) = take() {
                        // The receiver is gone: `sink` failed, nothing more is wanted.
                        if tx.send(work(item)).is_err() {
                            return;
                        }
                    }
                })
            })
            .collect();
        drop(tx);
        let mut sunk = Ok(());
        for r in &rx {
            sunk = sink(r);
            if sunk.is_err() {
                break;
            }
        }
        drop(rx);
        let mut panicked = false;
        for w in workers {
            panicked |= w.join().is_err();
        }
        if panicked { Err(Panicked) } else { Ok(sunk) }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_is_worked_on_once_and_sunk() {
        let mut items = 0..1000u64;
        let mut got = Vec::new();
        let r = par_stream(
            || items.next(),
            |i| i * 3,
            |r| {
                got.push(r);
                Ok::<_, ()>(())
            },
        );
        assert_eq!(r, Ok(Ok(())));
        got.sort_unstable();
        assert_eq!(got, (0..1000u64).map(|i| i * 3).collect::<Vec<_>>());
    }

    #[test]
    fn each_thread_stops_taking_at_its_first_none() {
        let mut calls = 0;
        let mut got = 0;
        let r = par_stream(
            || {
                calls += 1;
                (calls <= 200).then_some(calls)
            },
            |i| i,
            |_| {
                got += 1;
                Ok::<_, ()>(())
            },
        );
        assert_eq!(r, Ok(Ok(())));
        assert_eq!(got, 200);
        // 200 items, then one `None` per thread: none asks again after its `None`.
        assert_eq!(calls, 200 + cores(), "200 items and a None a thread");
    }

    #[test]
    fn a_failing_sink_stops_the_stream_with_its_error() {
        let mut items = 0..u64::MAX;
        let mut sunk = 0;
        let r = par_stream(
            || items.next(),
            |i| i,
            |_| {
                sunk += 1;
                if sunk == 10 { Err("full") } else { Ok(()) }
            },
        );
        assert_eq!(r, Ok(Err("full")));
        assert_eq!(sunk, 10, "nothing sunk after the error");
    }

    #[test]
    fn a_panicking_worker_is_panicked() {
        let mut items = 0..100u64;
        let r = par_stream(
            || items.next(),
            |i| {
                assert!(i != 50, "a bad item");
                i
            },
            |_| Ok::<_, ()>(()),
        );
        assert_eq!(r, Err(Panicked));
    }

    #[test]
    fn nothing_to_take_sinks_nothing() {
        let r = par_stream(|| None::<u8>, |i| i, |_| Err::<(), _>("never called"));
        assert_eq!(r, Ok(Ok(())));
    }
}
