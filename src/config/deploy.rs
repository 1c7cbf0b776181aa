//! `[deploy]`: where `feedbraid deploy` copies the output folder (an S3-compatible bucket, Google
//! Cloud Storage, Azure Blob Storage or another folder), how each file is labelled there, and
//! where the state lives for runners without a disk. Credentials are never read from here: only
//! from the environment (see `ops::deploy::store`).

use std::time::Duration;

use toml::Spanned;
use url::Url;

use super::check::{Ctx, R};
use super::raw::{RawDeploy, S};

/// `[deploy]`, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeploySettings {
    /// `target`: `s3://bucket/prefix`, `gs://`, `az://` or `file:///path`.
    pub target: Url,
    /// `endpoint`: an S3-compatible store's API URL (R2, Garage, MinIO, Ceph RGW).
    pub endpoint: Option<Url>,
    /// `region` (S3; Garage's default is `garage`).
    pub region: Option<String>,
    /// `path_style`: `endpoint/bucket/key` requests instead of `bucket.endpoint/key`.
    pub path_style: bool,
    /// `delete_after`: how long a file gone from the output stays in the store (default 1 day),
    /// so that cached pages that still link it keep working.
    pub delete_after: Duration,
    /// `cache_control`: `glob = "header"` pairs, the longest glob first: the first that matches
    /// a file wins over the built-in rule for its kind.
    pub cache_control: Vec<(String, String)>,
    /// `gzip`: upload text files gzipped under their own name with `Content-Encoding: gzip`.
    pub gzip: bool,
    /// `after`: a command (and its arguments) run once after a deploy that changed something,
    /// with the changed paths on stdin.
    pub after: Vec<String>,
    /// `after_timeout`: how long `after` may take (default 2 minutes).
    pub after_timeout: Duration,
    /// `state = "bucket"` (the target) or `state = "s3://private-bucket/prefix"`: the state
    /// database lives in that store, guarded by a lease. `None`: on the local disk.
    pub state: Option<Url>,
    /// `lease`: how old a lease must be before another runner may take it over (default 1 h).
    pub lease: Duration,
}

/// The target schemes a store exists for.
const SCHEMES: &[&str] = &["s3", "gs", "az", "file"];

/// `[deploy]`, or `None` when the table is absent.
pub(super) fn deploy(cx: &Ctx<'_>, raw: Option<&RawDeploy>) -> R<Option<DeploySettings>> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    Ok(Some(DeploySettings {
        target: target(cx, &raw.target, "deploy.target")?,
        endpoint: raw
            .endpoint
            .as_ref()
            .map(|e| cx.http_url(e, "deploy.endpoint"))
            .transpose()?,
        region: raw
            .region
            .as_ref()
            .map(|r| cx.text(r, "deploy.region"))
            .transpose()?,
        path_style: raw.path_style.unwrap_or(false),
        delete_after: cx
            .opt_duration(raw.delete_after.as_ref(), "deploy.delete_after")?
            .unwrap_or(Duration::from_secs(86_400)),
        cache_control: cache_control(cx, raw)?,
        gzip: raw.gzip.unwrap_or(false),
        after: after(cx, raw.after.as_ref())?,
        after_timeout: cx
            .opt_duration(raw.after_timeout.as_ref(), "deploy.after_timeout")?
            .unwrap_or(Duration::from_secs(120)),
        state: state_mode(cx, raw.state.as_ref(), &raw.target)?,
        lease: cx
            .opt_duration(raw.lease.as_ref(), "deploy.lease")?
            .unwrap_or(Duration::from_secs(3600)),
    }))
}

fn target(cx: &Ctx<'_>, s: &S, key: &str) -> R<Url> {
    let url = Url::parse(s.get_ref().trim()).or_else(|e| {
        cx.err(
            s.span(),
            key,
            format!("not a URL ({e}): write s3://bucket/prefix, gs://, az:// or file:///path"),
        )
    })?;
    if !SCHEMES.contains(&url.scheme()) {
        return cx.err(
            s.span(),
            key,
            format!("`{}:` is not one of s3:, gs:, az:, file:", url.scheme()),
        );
    }
    if url.scheme() != "file" && url.host_str().is_none_or(str::is_empty) {
        return cx.err(s.span(), key, "names no bucket");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return cx.err(
            s.span(),
            key,
            "holds credentials: they are read from the environment only (AWS_ACCESS_KEY_ID, ...)",
        );
    }
    Ok(url)
}

fn cache_control(cx: &Ctx<'_>, raw: &RawDeploy) -> R<Vec<(String, String)>> {
    let mut out = Vec::new();
    for (glob, value) in &raw.cache_control {
        let key = format!("deploy.cache_control.{glob}");
        let v = cx.text(value, &key)?;
        if v.contains(['\r', '\n']) {
            return cx.err(value.span(), &key, "must be one line");
        }
        out.push((glob.clone(), v));
    }
    // The most specific (longest) pattern first, whatever order the file wrote them in.
    out.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
    Ok(out)
}

fn after(cx: &Ctx<'_>, list: Option<&Spanned<Vec<S>>>) -> R<Vec<String>> {
    let Some(list) = list else {
        return Ok(Vec::new());
    };
    if list.get_ref().is_empty() {
        return cx.err(list.span(), "deploy.after", "names no command");
    }
    list.get_ref()
        .iter()
        .enumerate()
        .map(|(i, a)| cx.text(a, &format!("deploy.after[{i}]")))
        .collect()
}

fn state_mode(cx: &Ctx<'_>, s: Option<&S>, t: &S) -> R<Option<Url>> {
    match s.map(|s| (s, s.get_ref().trim())) {
        None | Some((_, "local")) => Ok(None),
        Some((_, "bucket")) => target(cx, t, "deploy.target").map(Some),
        Some((s, other)) if other.contains("://") => {
            let url = target(cx, s, "deploy.state")?;
            if url.scheme() == "file" {
                return cx.err(
                    s.span(),
                    "deploy.state",
                    "a folder is a local disk: write \"local\"",
                );
            }
            Ok(Some(url))
        }
        Some((s, other)) => cx.err(
            s.span(),
            "deploy.state",
            format!(
                "`{other}` is not one of local, bucket, or a store URL (s3://private-bucket/prefix)"
            ),
        ),
    }
}
