//! `[deploy] state = "bucket"`: the state database kept in the store, for runners without a disk
//! (a scheduled CI job, a CronJob), and the lease that keeps two runners from overlapping.
//!
//! Why a lease of our own design, and not a conditional PUT: Garage (2.5) ignores `If-None-Match`
//! on PUT, as do older MinIO and Ceph releases, so an `If-None-Match: *` lease would let two
//! runners in on them without either noticing. This lease needs only what every one of these
//! stores gives: a listing that shows every completed write (read-after-write consistency, which
//! S3 has had since 2020, and GCS, Azure, R2, Garage and MinIO have). A runner writes a lease
//! object of its own under `.feedbraid/lease/`, then lists them all. If any other lease younger
//! than `[deploy] lease` is there, it deletes its own and refuses; otherwise it holds the lease.
//! Two runners cannot both hold it: whichever wrote second sees the first in its listing. Both
//! may refuse, when they race exactly; then both try again on their next schedule. Ages are
//! compared on the store's clock (each object's `Last-Modified`), so runners' clocks do not
//! matter. A lease a killed runner left expires after `[deploy] lease` and is removed.

use std::hash::{BuildHasher, Hasher};
use std::path::Path;

use bytes::Bytes;

use super::store::{Store, StoreError};

/// Where the state database is kept in the store.
pub const STATE_KEY: &str = ".feedbraid/state.db";
const LEASES: &str = ".feedbraid/lease";

/// Why the lease was not taken.
#[derive(Debug, thiserror::Error)]
pub enum LeaseError {
    #[error(
        "another runner holds the deploy lease {key} (taken {since}); try again when it has finished"
    )]
    Held {
        key: String,
        since: chrono::DateTime<chrono::Utc>,
    },
    #[error(
        "the lease {0} just written is not in the store's listing: the store's listing is not consistent, so two runners could overlap; refusing"
    )]
    Inconsistent(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot {what} the state database {}: {source}", path.display())]
    File {
        what: &'static str,
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// A lease held in the store: release it with [`Lease::release`].
#[derive(Debug)]
pub struct Lease {
    key: String,
}

/// Takes the lease, or says who holds it.
pub async fn acquire(store: &Store, max_age: std::time::Duration) -> Result<Lease, LeaseError> {
    let token = format!(
        "{}-{:016x}",
        chrono::Utc::now().timestamp_millis(),
        std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish()
    );
    let key = format!("{LEASES}/{token}");
    let body = format!(
        "feedbraid {} pid {}\n",
        env!("CARGO_PKG_VERSION"),
        std::process::id()
    );
    store.put_plain(&key, Bytes::from(body)).await?;
    let all = store.list(LEASES).await?;
    let Some(mine) = all.iter().find(|r| r.name == key) else {
        store.delete(&key).await?;
        return Err(LeaseError::Inconsistent(key));
    };
    let max_age = chrono::Duration::from_std(max_age).unwrap_or(chrono::Duration::MAX);
    for other in all.iter().filter(|r| r.name != key) {
        if mine
            .last_modified
            .signed_duration_since(other.last_modified)
            >= max_age
        {
            // A killed runner's lease, expired: removed, and no obstacle.
            store.delete(&other.name).await?;
            continue;
        }
        store.delete(&key).await?;
        return Err(LeaseError::Held {
            key: other.name.clone(),
            since: other.last_modified,
        });
    }
    Ok(Lease { key })
}

impl Lease {
    /// Gives the lease back.
    pub async fn release(self, store: &Store) -> Result<(), StoreError> {
        store.delete(&self.key).await
    }
}

/// Brings the store's state database to `path` (atomically); with none in the store, the local
/// one (if any) is kept: the first run in the bucket starts from it.
pub async fn download(store: &Store, path: &Path) -> Result<bool, LeaseError> {
    let Some(bytes) = store.get(STATE_KEY).await? else {
        return Ok(false);
    };
    let file = |what| {
        move |source| LeaseError::File {
            what,
            path: path.to_path_buf(),
            source,
        }
    };
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(file("create the folder of"))?;
    // A stale write-ahead log beside the downloaded database would be replayed into it.
    for ext in ["db-wal", "db-shm"] {
        let _ = std::fs::remove_file(path.with_extension(ext));
    }
    let staged = crate::publish::staging::stage(path, &bytes).map_err(file("stage"))?;
    staged.persist(path).map_err(|e| file("replace")(e.error))?;
    Ok(true)
}

/// Uploads `snapshot` (a consistent copy of the state database) as the store's state.
pub async fn upload(store: &Store, snapshot: &Path) -> Result<(), LeaseError> {
    let bytes = std::fs::read(snapshot).map_err(|source| LeaseError::File {
        what: "read",
        path: snapshot.to_path_buf(),
        source,
    })?;
    store.put_plain(STATE_KEY, Bytes::from(bytes)).await?;
    Ok(())
}
