//! `feedbraid serve`: the output folder over HTTP (see [`http`], [`files`] and
//! [`conditional`]; connections, their cap and timeouts in [`conns`]), and with
//! `--every` a run at start-up and then on that schedule, in the same process, on the same
//! runtime. Each run is [`run::run_on`] on a blocking thread, so it takes the same lock as a
//! cron-started `run`: runs never overlap. SIGTERM or SIGINT lets the current run finish (it
//! commits the state and releases the lock), stops the server and returns.

pub(crate) mod conditional;
pub(crate) mod conns;
pub(crate) mod files;
pub(crate) mod http;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use tokio::sync::watch;

use crate::ops::Fatal;
use crate::ops::deploy::{DeployError, DeployOptions, run_then_deploy};
use crate::ops::run::{self, RunOptions};
use crate::{say, sayln};

/// What `feedbraid serve` was asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub config: PathBuf,
    pub addr: SocketAddr,
    /// Run at start-up and then this long after each run ends.
    pub every: Option<Duration>,
    /// Deploy after each scheduled run (`[deploy]`).
    pub deploy: bool,
}

/// Why `serve` stopped before it was asked to (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("{0}")]
    Config(#[from] Fatal),
    #[error("cannot listen on {addr}: {err}")]
    Bind {
        addr: SocketAddr,
        err: std::io::Error,
    },
    #[error("the server stopped: {0}")]
    Server(std::io::Error),
}

/// Serves until SIGTERM or SIGINT. Prints `feedbraid: serving DIR (up to N connections) on
/// http://ADDR/` on stderr once listening, and each scheduled run's summary as `run` would.
pub fn serve(opts: &ServeOptions) -> Result<(), ServeError> {
    let run_opts = RunOptions {
        config: opts.config.clone(),
        ..RunOptions::default()
    };
    let cfg = run::load_config(&run_opts)?;
    let policy = files::Policy {
        root: cfg.output_dir.clone(),
        state: cfg.state_path.clone(),
    };
    let rt = run::runtime()?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(opts.addr)
            .await
            .map_err(|err| ServeError::Bind {
                addr: opts.addr,
                err,
            })?;
        let local = listener.local_addr().map_err(ServeError::Server)?;
        let cap = conns::cap(conns::open_file_limit(), cfg.fetch.concurrency);
        sayln!(
            "feedbraid: serving {} (up to {cap} connections) on http://{local}/",
            cfg.output_dir.display()
        );
        let (stop_tx, stop_rx) = watch::channel(false);
        tokio::spawn(signals(stop_tx));
        let scheduler = opts
            .every
            .map(|every| tokio::spawn(schedule(run_opts, every, opts.deploy, stop_rx.clone())));
        conns::run(listener, policy, cap, stop_rx).await;
        if let Some(s) = scheduler {
            let _ = s.await;
        }
        sayln!("feedbraid: stopped");
        Ok(())
    })
}

/// Flips `stop` on the first SIGTERM or SIGINT.
async fn signals(stop: watch::Sender<bool>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
    sayln!("feedbraid: stopping; the current run, if any, finishes first");
    let _ = stop.send(true);
}

/// One scheduled run, and with `deploy` the deploy after it: each prints what `run` would.
fn run_once(opts: &RunOptions, rt: &tokio::runtime::Handle, deploy: bool) {
    let once = || run::run_on(opts, rt, &|_| {});
    let (report, deployed) = if deploy {
        let d = DeployOptions {
            run: opts.clone(),
            ..DeployOptions::default()
        };
        match run_then_deploy(&d, rt, once) {
            Ok((r, dep)) => (Ok(r), Some(dep)),
            Err(DeployError::Fatal(f)) => (Err(f), None),
            Err(e) => {
                sayln!("feedbraid: {e}");
                return;
            }
        }
    } else {
        (once(), None)
    };
    match report {
        Ok(report) => say!("{}", report.summary()),
        Err(e) => sayln!("feedbraid: {e}"),
    }
    match deployed {
        Some(Ok(d)) => say!("{}", d.summary()),
        Some(Err(e)) => sayln!("feedbraid: {e}"),
        None => {}
    }
}

/// Runs now, then `every` after each run ends (so runs never pile up), until `stop`. A run in
/// progress is never interrupted: it is awaited before `stop` is looked at.
async fn schedule(
    opts: RunOptions,
    every: Duration,
    deploy: bool,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let (o, rt) = (opts.clone(), tokio::runtime::Handle::current());
        let done = tokio::task::spawn_blocking(move || run_once(&o, &rt, deploy)).await;
        if let Err(e) = done {
            sayln!("feedbraid: the run failed: {e}");
        }
        if *stop.borrow() {
            return;
        }
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}
