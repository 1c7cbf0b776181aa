//! A deploy's work once the lock (and lease) are held: scan, adopt the store's listing when the
//! state knows nothing of the target, plan, upload rank by rank (a few files at a time within a
//! rank, never a file of the next rank before the previous rank is complete), record each upload
//! as it succeeds, delete what is due, run the hook.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use md5::{Digest, Md5};

use super::hook::run_after;
use super::lease::STATE_KEY;
use super::plan::{LocalFile, plan, rank};
use super::scan::{scan, upload_bytes};
use super::store::Store;
use super::{DeployError, DeployOptions, DeployReport};
use crate::config::{Config, DeploySettings};
use crate::state::{DeployedFile, State};

/// Uploads at once within a rank.
const PARALLEL: usize = 8;

pub(super) async fn deploy_locked(
    cfg: &Config,
    d: &DeploySettings,
    store: &Store,
    opts: &DeployOptions,
    now: DateTime<Utc>,
) -> Result<DeployReport, DeployError> {
    let target = d.target.to_string();
    let state = State::open(&cfg.state_path)?;
    let local = scan(&cfg.output_dir, d, now)?;
    if opts.full && !opts.dry_run {
        state.forget_target(&target)?;
    }
    let mut recorded = state.deployed(&target)?;
    let mut report = DeployReport {
        target: target.clone(),
        dry_run: opts.dry_run,
        ..DeployReport::default()
    };
    if recorded.is_empty() || opts.full {
        report.adopted = adopt(store, &cfg.output_dir, d, now, &local, &mut recorded).await?;
        if !opts.dry_run {
            for (name, r) in &recorded {
                state.set_deployed(&target, name, &r.digest)?;
            }
        }
    }
    report.plan = plan(&local, &recorded, now, d.delete_after);
    if opts.dry_run {
        return Ok(report);
    }
    upload_all(cfg, d, store, &state, now, &mut report).await;
    if report.failure.is_some() {
        return Ok(report);
    }
    for name in &report.plan.newly_gone {
        state.set_deploy_gone(&target, name, now)?;
    }
    for name in report.plan.deletes.clone() {
        store.delete(&name).await?;
        state.forget_deployed(&target, &name)?;
        report.deleted.push(name);
    }
    let changed: Vec<String> = report
        .uploaded
        .iter()
        .chain(&report.deleted)
        .cloned()
        .collect();
    if !d.after.is_empty() && !changed.is_empty() {
        let (argv, limit) = (d.after.clone(), d.after_timeout);
        report.hook = tokio::task::spawn_blocking(move || run_after(&argv, &changed, limit))
            .await
            .ok();
    }
    Ok(report)
}

/// Uploads the plan's files rank by rank, recording each; stops at the first failure, with what
/// remains in the report.
async fn upload_all(
    cfg: &Config,
    d: &DeploySettings,
    store: &Store,
    state: &State,
    now: DateTime<Utc>,
    report: &mut DeployReport,
) {
    let target = report.target.clone();
    let uploads = report.plan.uploads.clone();
    let mut start = 0;
    while start < uploads.len() {
        let r = rank(&uploads[start]);
        let end = uploads[start..]
            .iter()
            .position(|n| rank(n) != r)
            .map_or(uploads.len(), |i| start + i);
        let mut results = futures_util::stream::iter(&uploads[start..end])
            .map(|name| upload_one(&cfg.output_dir, d, store, now, name))
            .buffer_unordered(PARALLEL);
        let mut failed = None;
        while let Some((name, result)) = results.next().await {
            match result.and_then(|digest| Ok(state.set_deployed(&target, &name, &digest)?)) {
                Ok(()) => report.uploaded.push(name),
                Err(e) => failed = failed.or(Some(e.to_string())),
            }
        }
        if let Some(err) = failed {
            let remaining = uploads
                .iter()
                .filter(|n| !report.uploaded.contains(n))
                .cloned()
                .collect();
            report.failure = Some((err, remaining));
            return;
        }
        start = end;
    }
}

async fn upload_one(
    dir: &Path,
    d: &DeploySettings,
    store: &Store,
    now: DateTime<Utc>,
    name: &str,
) -> (String, Result<String, DeployError>) {
    let result = async {
        let (bytes, h) = upload_bytes(dir, name, d, now)?;
        let path = dir.join(name);
        let err = |source| super::ScanError {
            path: path.clone(),
            source,
        };
        let file = std::fs::File::open(&path).map_err(err)?;
        let digest =
            super::headers::digest_reader(std::io::BufReader::new(file), &h).map_err(err)?;
        store.put(name, Bytes::from(bytes), &h).await?;
        Ok(digest)
    }
    .await;
    (name.to_string(), result)
}

/// The first deploy to a target (or `--full`): the store's objects that already hold a file's
/// bytes (their ETag is the MD5 of what would be uploaded, as S3, R2, Garage and MinIO give for
/// single-part uploads) are recorded as deployed; objects the output does not have are recorded
/// so that they go through the grace time and are deleted. Returns how many were adopted.
async fn adopt(
    store: &Store,
    dir: &Path,
    d: &DeploySettings,
    now: DateTime<Utc>,
    local: &BTreeMap<String, LocalFile>,
    recorded: &mut HashMap<String, DeployedFile>,
) -> Result<usize, DeployError> {
    let mut adopted = 0;
    for remote in store.list("").await? {
        if remote.name.starts_with(".feedbraid/") || remote.name == STATE_KEY {
            continue;
        }
        let Some(file) = local.get(&remote.name) else {
            recorded.insert(
                remote.name,
                DeployedFile {
                    digest: String::new(),
                    gone_since: None,
                },
            );
            continue;
        };
        let Some(tag) = remote.e_tag.as_deref() else {
            continue;
        };
        if file.size > 0 && !d.gzip && remote.size != file.size {
            continue;
        }
        let (bytes, _) = upload_bytes(dir, &remote.name, d, now)?;
        let md5: String = Md5::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        if md5 == tag {
            recorded.insert(
                remote.name,
                DeployedFile {
                    digest: file.digest.clone(),
                    gone_since: None,
                },
            );
            adopted += 1;
        }
    }
    Ok(adopted)
}
