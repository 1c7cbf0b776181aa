//! The connections of `feedbraid serve` (issue 27, defect 16): how many it holds, and for how
//! long. Clients that connect and send nothing, or a request head a byte at a time (slowloris),
//! used to hold a descriptor each for ever; under a 200-descriptor limit, 195 of them stopped
//! every other request. Now:
//!
//! - **A cap below the descriptor limit.** At most [`cap`] connections are open at once: half of
//!   what `RLIMIT_NOFILE` leaves after a reserve for the rest of the process (the runtime, the
//!   state database, a scheduled run's fetches), as a connection may hold two descriptors (its
//!   socket and the file it is sending). At the cap, no more are accepted (they wait in the
//!   listen queue) and the connection idle the longest (no request in flight for at least
//!   [`GRACE`]) is closed to make room: idle sockets give way to new arrivals.
//! - **Timeouts.** A connection with no request in flight is closed after [`HEADER_TIMEOUT`] if
//!   it has not completed a request head yet (the header-read timeout), and after
//!   [`IDLE_TIMEOUT`] between requests (keep-alive). One whose response has not moved for
//!   [`SEND_TIMEOUT`] (a client that does not read) is closed too.
//!
//! Each connection is a task running hyper's HTTP/1.1 server; its slot records when it last made
//! progress. SIGTERM stops accepting, lets requests in flight finish (up to [`DRAIN`]) and
//! closes the rest.

use std::collections::HashMap;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tokio::task::AbortHandle;

use super::files::Policy;
use super::http;

/// How long a new connection may take to send its first complete request head.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a connection may wait between requests.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a response may go without the client taking any of it.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(60);
/// At the cap, a connection idle at least this long may be closed for a new one.
pub const GRACE: Duration = Duration::from_millis(250);
/// How long requests in flight may take to finish once `serve` is asked to stop.
pub const DRAIN: Duration = Duration::from_secs(30);
/// Descriptors kept for the rest of the process, besides two per fetch of a scheduled run.
const RESERVE: u64 = 64;

/// The soft `RLIMIT_NOFILE`; `None` when unlimited.
pub fn open_file_limit() -> Option<u64> {
    rustix::process::getrlimit(rustix::process::Resource::Nofile).current
}

/// The most connections to hold open under `nofile` descriptors (`None`: unlimited), when a
/// scheduled run fetches up to `fetches` sources at once. Never below a quarter of the limit.
pub fn cap(nofile: Option<u64>, fetches: usize) -> usize {
    let n = nofile.unwrap_or(1 << 20).min(1 << 20);
    let reserve = RESERVE + 2 * fetches as u64;
    let cap = (n.saturating_sub(reserve) / 2).max(n / 4).max(1);
    usize::try_from(cap).unwrap_or(usize::MAX)
}

/// One open connection.
#[derive(Debug, Default)]
struct Slot {
    /// Requests it has started.
    requests: AtomicU64,
    in_flight: AtomicUsize,
    /// When it last made progress, in milliseconds since [`Registry::base`].
    last: AtomicU64,
    abort: OnceLock<AbortHandle>,
}

#[derive(Debug)]
struct Registry {
    slots: Mutex<HashMap<u64, Arc<Slot>>>,
    next: AtomicU64,
    /// Signalled each time a connection ends.
    freed: Notify,
    base: Instant,
    cap: usize,
}

impl Registry {
    fn now(&self) -> u64 {
        u64::try_from(self.base.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn touch(&self, slot: &Slot) {
        slot.last.store(self.now(), Ordering::Relaxed);
    }

    fn slots(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Slot>>> {
        self.slots.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn len(&self) -> usize {
        self.slots().len()
    }

    /// How long `slot` has gone without progress, and the limit for that.
    fn overdue(&self, slot: &Slot, now: u64) -> (Duration, Duration) {
        let idle = Duration::from_millis(now.saturating_sub(slot.last.load(Ordering::Relaxed)));
        let limit = if slot.in_flight.load(Ordering::Relaxed) > 0 {
            SEND_TIMEOUT
        } else if slot.requests.load(Ordering::Relaxed) == 0 {
            HEADER_TIMEOUT
        } else {
            IDLE_TIMEOUT
        };
        (idle, limit)
    }

    /// Closes every connection past its timeout.
    fn close_overdue(&self) {
        let now = self.now();
        let due: Vec<AbortHandle> = self
            .slots()
            .values()
            .filter(|s| {
                let (idle, limit) = self.overdue(s, now);
                idle > limit
            })
            .filter_map(|s| s.abort.get().cloned())
            .collect();
        due.iter().for_each(AbortHandle::abort);
    }

    /// Closes the connection idle the longest, if one has been idle for [`GRACE`].
    fn evict_one(&self) {
        let now = self.now();
        let oldest = self
            .slots()
            .values()
            .filter(|s| s.in_flight.load(Ordering::Relaxed) == 0)
            .map(|s| (s.last.load(Ordering::Relaxed), s.abort.get().cloned()))
            .filter(|(last, _)| Duration::from_millis(now.saturating_sub(*last)) >= GRACE)
            .min_by_key(|(last, _)| *last)
            .and_then(|(_, a)| a);
        if let Some(a) = oldest {
            a.abort();
        }
    }

    fn abort_all(&self) {
        let all: Vec<AbortHandle> = self
            .slots()
            .values()
            .filter_map(|s| s.abort.get().cloned())
            .collect();
        all.iter().for_each(AbortHandle::abort);
    }
}

/// Removes a connection's slot when its task ends, however it ends (aborted included).
struct Deregister(Arc<Registry>, u64);

impl Drop for Deregister {
    fn drop(&mut self) {
        self.0.slots().remove(&self.1);
        self.0.freed.notify_one();
    }
}

/// A request in flight on a connection, from its head to the end of its response body.
struct Busy(Arc<Registry>, Arc<Slot>);

impl Busy {
    fn start(reg: &Arc<Registry>, slot: &Arc<Slot>) -> Busy {
        slot.requests.fetch_add(1, Ordering::Relaxed);
        slot.in_flight.fetch_add(1, Ordering::Relaxed);
        reg.touch(slot);
        Busy(Arc::clone(reg), Arc::clone(slot))
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.1.in_flight.fetch_sub(1, Ordering::Relaxed);
        self.0.touch(&self.1);
    }
}

/// A response body that records progress each time the client takes more of it, and ends the
/// request (its [`Busy`]) when it is done or dropped.
struct Tracked(Body, Busy);

impl http_body::Body for Tracked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        let this = self.get_mut();
        this.1.0.touch(&this.1.1);
        Pin::new(&mut this.0).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.0.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.0.size_hint()
    }
}

/// Serves one connection until it closes, is closed, or `stop` asks it to finish.
async fn connection(
    reg: Arc<Registry>,
    slot: Arc<Slot>,
    sock: TcpStream,
    policy: Arc<Policy>,
    mut stop: watch::Receiver<bool>,
) {
    let service = hyper::service::service_fn(move |req| {
        let busy = Busy::start(&reg, &slot);
        let policy = Arc::clone(&policy);
        async move {
            let res = http::handle(&policy, req).await;
            Ok::<_, Infallible>(res.map(|b| Body::new(Tracked(b, busy))))
        }
    });
    let conn = http1::Builder::new()
        .keep_alive(true)
        .serve_connection(TokioIo::new(sock), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        () = until_stopped(&mut stop) => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

/// Accepts and serves connections on `listener` until `stop` turns true, then drains them.
pub async fn run(listener: TcpListener, policy: Policy, cap: usize, stop: watch::Receiver<bool>) {
    let reg = Arc::new(Registry {
        slots: Mutex::new(HashMap::new()),
        next: AtomicU64::new(0),
        freed: Notify::new(),
        base: Instant::now(),
        cap,
    });
    let sweeper = {
        let reg = Arc::clone(&reg);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(500));
            loop {
                tick.tick().await;
                reg.close_overdue();
            }
        })
    };
    let policy = Arc::new(policy);
    let mut stopped = stop.clone();
    while let Some(sock) = accept(&listener, &reg, &mut stopped).await {
        let _ = sock.set_nodelay(true);
        let id = reg.next.fetch_add(1, Ordering::Relaxed);
        let slot = Arc::new(Slot::default());
        reg.touch(&slot);
        reg.slots().insert(id, Arc::clone(&slot));
        let gone = Deregister(Arc::clone(&reg), id);
        let task = connection(
            Arc::clone(&reg),
            Arc::clone(&slot),
            sock,
            Arc::clone(&policy),
            stop.clone(),
        );
        let handle = tokio::spawn(async move {
            let _gone = gone;
            task.await;
        });
        let _ = slot.abort.set(handle.abort_handle());
    }
    drop(listener);
    let until = Instant::now() + DRAIN;
    while reg.len() > 0 && Instant::now() < until {
        tokio::select! {
            () = reg.freed.notified() => {}
            () = tokio::time::sleep(Duration::from_millis(100)) => {}
        }
    }
    reg.abort_all();
    sweeper.abort();
}

/// The next connection, once there is room for it; `None` once `stop` is true.
async fn accept(
    listener: &TcpListener,
    reg: &Registry,
    stop: &mut watch::Receiver<bool>,
) -> Option<TcpStream> {
    loop {
        while reg.len() >= reg.cap {
            reg.evict_one();
            tokio::select! {
                () = reg.freed.notified() => {}
                () = tokio::time::sleep(Duration::from_millis(50)) => {}
                () = until_stopped(stop) => return None,
            }
        }
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((sock, _)) => return Some(sock),
                // Out of descriptors or memory (or a connection reset before it was accepted):
                // wait a little for some to be freed, never stop serving.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            },
            () = until_stopped(stop) => return None,
        }
    }
}

/// Returns once `stop` is true (or its sender is gone).
async fn until_stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

#[cfg(test)]
mod tests {
    use super::cap;

    #[test]
    fn the_cap_stays_below_the_descriptor_limit() {
        assert_eq!(cap(Some(200), 16), 52);
        assert_eq!(cap(Some(64), 16), 16);
        assert_eq!(cap(Some(1024), 16), 464);
        assert_eq!(cap(Some(65536), 16), 32720);
        assert_eq!(cap(Some(4), 16), 1);
        assert!(cap(None, 16) > 100_000);
        for n in [10, 64, 200, 1000, 100_000] {
            assert!((cap(Some(n), 16) as u64) * 2 < n, "{n}");
        }
    }
}
