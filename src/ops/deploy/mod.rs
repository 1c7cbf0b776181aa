//! `feedbraid deploy`: copies the output folder to object storage (or another folder), uploading
//! only what changed since the last deploy, in an order that never shows readers a broken state,
//! and deleting what left the output only after a grace time. As a list of steps: the config →
//! the lock → the store → (bucket state: the lease, the state downloaded) → the output scanned →
//! on a first deploy or `--full`, the store's listing adopted → the plan → the uploads, rank by
//! rank, each recorded as it succeeds → the deletions due → the `after` hook → (bucket state: the
//! state uploaded, the lease released) → the report.
//!
//! `plan` and `headers` decide without I/O; `store` is the one module that talks to the store;
//! `lease` keeps the state in the bucket; `hook` runs the operator's command.

mod exec;
mod headers;
mod hook;
mod lease;
mod plan;
mod scan;
mod store;

use std::path::PathBuf;

use chrono::{DateTime, SubsecRound, Utc};

pub use hook::HookOutcome;
pub use lease::{LeaseError, STATE_KEY};
pub use plan::{Plan, SWITCH, rank};
pub use scan::ScanError;
pub use store::{Store, StoreError};

use crate::config::{Config, DeploySettings};
use crate::ops::Fatal;
use crate::ops::open::{RunOptions, load_config, lock};
use crate::state::{State, StateError};

/// What `feedbraid deploy` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct DeployOptions {
    pub run: RunOptions,
    /// Print the plan; upload, delete and record nothing.
    pub dry_run: bool,
    /// Compare with the store's own listing instead of trusting the state's record.
    pub full: bool,
}

/// Why a deploy could not start or finish; files uploaded before it stay recorded.
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    #[error("{} has no [deploy] table: nowhere to deploy to", .0.display())]
    NoTarget(PathBuf),
    #[error(transparent)]
    Fatal(#[from] Fatal),
    #[error(transparent)]
    State(#[from] StateError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Lease(#[from] LeaseError),
    #[error(transparent)]
    Scan(#[from] ScanError),
}

impl DeployError {
    /// A lease or lock held by another runner is "nothing done this time" (1); the rest is 2.
    pub fn exit_code(&self) -> i32 {
        match self {
            DeployError::Lease(LeaseError::Held { .. }) => 1,
            DeployError::Fatal(f) => f.exit_code(),
            _ => 2,
        }
    }
}

/// What a deploy did.
#[derive(Debug, Clone, Default)]
pub struct DeployReport {
    /// The target, as configured (it holds no credentials: `check` refuses them there).
    pub target: String,
    pub dry_run: bool,
    pub plan: Plan,
    /// Files uploaded (all of `plan.uploads` unless it failed).
    pub uploaded: Vec<String>,
    /// Files deleted from the store.
    pub deleted: Vec<String>,
    /// Files the first deploy (or `--full`) found in the store as they are.
    pub adopted: usize,
    /// Set when the deploy stopped: the error, and the files still to upload.
    pub failure: Option<(String, Vec<String>)>,
    pub hook: Option<HookOutcome>,
}

impl DeployReport {
    /// 0 done, 1 done but the `after` hook failed, 2 not finished (the next deploy completes it).
    pub fn exit_code(&self) -> i32 {
        match (&self.failure, &self.hook) {
            (Some(_), _) => 2,
            (None, Some(h)) if !h.ok() => 1,
            _ => 0,
        }
    }

    /// A few lines for the operator.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        let verb = if self.dry_run {
            "would upload"
        } else {
            "uploaded"
        };
        s.push_str(&format!(
            "deploy to {}: {verb} {} file(s), {} unchanged, {} deleted, {} waiting for deletion\n",
            self.target,
            if self.dry_run {
                self.plan.uploads.len()
            } else {
                self.uploaded.len()
            },
            self.plan.unchanged + self.adopted,
            if self.dry_run {
                self.plan.deletes.len()
            } else {
                self.deleted.len()
            },
            self.plan.waiting + self.plan.newly_gone.len(),
        ));
        if let Some((err, remaining)) = &self.failure {
            s.push_str(&format!(
                "deploy not finished: {err}\n  {} file(s) remain, the next deploy uploads them (first: {})\n",
                remaining.len(),
                remaining.first().map_or("-", String::as_str)
            ));
        }
        match &self.hook {
            Some(HookOutcome::Failed(why)) => s.push_str(&format!("after hook failed: {why}\n")),
            Some(HookOutcome::NotStarted(why)) => {
                s.push_str(&format!("after hook not started: {why}\n"))
            }
            Some(HookOutcome::TimedOut(d)) => {
                s.push_str(&format!("after hook killed after {}s\n", d.as_secs()))
            }
            _ => {}
        }
        s
    }
}

/// `feedbraid deploy`: the whole deploy under the run lock (and, with bucket state, the lease).
pub fn deploy(
    opts: &DeployOptions,
    rt: &tokio::runtime::Handle,
) -> Result<DeployReport, DeployError> {
    let cfg = load_config(&opts.run)?;
    let d = settings(&cfg)?;
    let store = Store::open(&d)?;
    let _lock = lock(&cfg.state_path)?;
    let state_store = match (&d.state, opts.dry_run) {
        (Some(_), false) => Some(state_store(&d)?),
        _ => None,
    };
    rt.block_on(async {
        let Some(ss) = &state_store else {
            return exec::deploy_locked(&cfg, &d, &store, opts, now()).await;
        };
        let lease = lease::acquire(ss, d.lease).await?;
        let result = bucket_state_deploy(&cfg, &d, &store, ss, opts).await;
        let released = lease.release(ss).await;
        let report = result?;
        released?;
        Ok(report)
    })
}

async fn bucket_state_deploy(
    cfg: &Config,
    d: &DeploySettings,
    store: &Store,
    state_store: &Store,
    opts: &DeployOptions,
) -> Result<DeployReport, DeployError> {
    lease::download(state_store, &cfg.state_path).await?;
    let report = exec::deploy_locked(cfg, d, store, opts, now()).await?;
    upload_state(cfg, state_store).await?;
    Ok(report)
}

/// The store the state database and its lease live in: the target itself, or another bucket
/// (with the target's endpoint, region and addressing) that the web does not serve.
fn state_store(d: &DeploySettings) -> Result<Store, StoreError> {
    match &d.state {
        Some(url) if *url != d.target => Store::open(&DeploySettings {
            target: url.clone(),
            ..d.clone()
        }),
        _ => Store::open(d),
    }
}

/// Uploads a consistent copy of the state database as the bucket's state.
async fn upload_state(cfg: &Config, store: &Store) -> Result<(), DeployError> {
    let dir = tempfile::tempdir().map_err(|source| LeaseError::File {
        what: "create a folder for a copy of",
        path: cfg.state_path.clone(),
        source,
    })?;
    let copy = dir.path().join("state.db");
    State::open(&cfg.state_path)?.snapshot(&copy)?;
    lease::upload(store, &copy).await?;
    Ok(())
}

/// The run then the deploy, for `run --deploy`: with bucket state, the lease is held across
/// both and the state comes from the store before the run.
pub fn run_then_deploy<T>(
    opts: &DeployOptions,
    rt: &tokio::runtime::Handle,
    run: impl FnOnce() -> Result<T, Fatal>,
) -> Result<(T, Result<DeployReport, DeployError>), DeployError> {
    let Ok(cfg) = load_config(&opts.run) else {
        // The run itself says what is wrong with the config.
        return Ok((run()?, Err(DeployError::NoTarget(opts.run.config.clone()))));
    };
    let Some(d) = cfg.deploy.clone().filter(|d| d.state.is_some()) else {
        let t = run()?;
        return Ok((t, deploy(opts, rt)));
    };
    let (store, ss) = match Store::open(&d).and_then(|s| Ok((s, state_store(&d)?))) {
        Ok(s) => s,
        Err(e) => return Ok((run()?, Err(e.into()))),
    };
    let lease = rt.block_on(lease::acquire(&ss, d.lease))?;
    let result = (|| {
        rt.block_on(lease::download(&ss, &cfg.state_path))?;
        let t = run()?;
        let report = rt.block_on(async {
            let _lock = lock(&cfg.state_path)?;
            let r = exec::deploy_locked(&cfg, &d, &store, opts, now()).await?;
            upload_state(&cfg, &ss).await?;
            Ok::<_, DeployError>(r)
        });
        Ok((t, report))
    })();
    let _ = rt.block_on(lease.release(&ss));
    result
}

fn settings(cfg: &Config) -> Result<DeploySettings, DeployError> {
    cfg.deploy
        .clone()
        .ok_or_else(|| DeployError::NoTarget(cfg.path.clone()))
}

fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(0)
}
