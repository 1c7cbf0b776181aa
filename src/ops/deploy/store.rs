//! The deploy target as an `object_store` store: S3 and S3-compatible stores (R2, Garage, MinIO,
//! Ceph RGW), Google Cloud Storage, Azure Blob Storage, or a folder. The one module that talks to
//! the store; credentials come from the environment only (`AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`; `GOOGLE_SERVICE_ACCOUNT`; `AZURE_STORAGE_ACCOUNT_NAME`,
//! `AZURE_STORAGE_ACCOUNT_KEY`, as `object_store` reads them) and are never printed: a store's
//! errors name the operation and the object, and its own message, which never holds a secret.
//!
//! Signing, retries with back-off and the wire protocol are `object_store`'s (Apache Arrow's
//! multi-cloud crate), not ours. Its retries are bounded here so that a stopped store fails a
//! deploy in seconds, not minutes.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::TryStreamExt;
use object_store::path::Path as Key;
use object_store::prefix::PrefixStore;
use object_store::{
    Attribute, Attributes, BackoffConfig, ClientOptions, ObjectStore, ObjectStoreExt, PutOptions,
    PutPayload, RetryConfig,
};

use crate::config::DeploySettings;

/// A store operation failed (after `object_store`'s retries).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the deploy target {target}: {source}")]
    Open {
        target: String,
        #[source]
        source: object_store::Error,
    },
    #[error("cannot {what} {key} in the deploy target: {source}")]
    Op {
        what: &'static str,
        key: String,
        #[source]
        source: object_store::Error,
    },
    #[error("cannot create the deploy folder {path}: {source}")]
    Folder {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// The headers an object is stored with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Headers {
    pub content_type: String,
    pub cache_control: String,
    /// `Some("gzip")` when the bytes are the gzip copy of the file.
    pub content_encoding: Option<&'static str>,
}

/// One remote object, as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remote {
    pub name: String,
    pub size: u64,
    pub e_tag: Option<String>,
    pub last_modified: chrono::DateTime<chrono::Utc>,
}

/// The deploy target, opened.
#[derive(Debug, Clone)]
pub struct Store {
    inner: Arc<dyn ObjectStore>,
    /// A folder keeps no headers (`object_store`'s local store refuses them).
    headers: bool,
}

impl Store {
    /// Opens the target the settings name (nothing is sent until the first operation).
    pub fn open(d: &DeploySettings) -> Result<Store, StoreError> {
        // The store's HTTP client takes the process's TLS provider: ring, as for fetching (a
        // second call finds it installed, which is fine).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let open_err = |source| StoreError::Open {
            target: d.target.to_string(),
            source,
        };
        let prefix = d.target.path().trim_matches('/').to_string();
        let inner: Arc<dyn ObjectStore> = match d.target.scheme() {
            "file" => {
                let path = d.target.path();
                std::fs::create_dir_all(path).map_err(|source| StoreError::Folder {
                    path: path.to_string(),
                    source,
                })?;
                let fs = object_store::local::LocalFileSystem::new_with_prefix(path)
                    .map_err(open_err)?;
                return Ok(Store {
                    inner: Arc::new(fs),
                    headers: false,
                });
            }
            "s3" => {
                let mut b = object_store::aws::AmazonS3Builder::from_env()
                    .with_url(d.target.as_str())
                    .with_virtual_hosted_style_request(!d.path_style)
                    .with_retry(retry())
                    .with_client_options(client());
                if let Some(e) = &d.endpoint {
                    b = b
                        .with_endpoint(e.as_str().trim_end_matches('/'))
                        .with_allow_http(e.scheme() == "http");
                }
                if let Some(r) = &d.region {
                    b = b.with_region(r);
                }
                Arc::new(b.build().map_err(open_err)?)
            }
            "gs" => Arc::new(
                object_store::gcp::GoogleCloudStorageBuilder::from_env()
                    .with_url(d.target.as_str())
                    .with_retry(retry())
                    .with_client_options(client())
                    .build()
                    .map_err(open_err)?,
            ),
            _ => Arc::new(
                object_store::azure::MicrosoftAzureBuilder::from_env()
                    .with_url(d.target.as_str())
                    .with_retry(retry())
                    .with_client_options(client())
                    .build()
                    .map_err(open_err)?,
            ),
        };
        let inner: Arc<dyn ObjectStore> = if prefix.is_empty() {
            inner
        } else {
            Arc::new(PrefixStore::new(inner, prefix.as_str()))
        };
        Ok(Store {
            inner,
            headers: true,
        })
    }

    /// Uploads one object with its headers.
    pub async fn put(&self, name: &str, bytes: Bytes, h: &Headers) -> Result<(), StoreError> {
        let mut attributes = Attributes::new();
        if self.headers {
            attributes.insert(Attribute::ContentType, h.content_type.clone().into());
            attributes.insert(Attribute::CacheControl, h.cache_control.clone().into());
            if let Some(enc) = h.content_encoding {
                attributes.insert(Attribute::ContentEncoding, enc.into());
            }
        }
        let opts = PutOptions {
            attributes,
            ..PutOptions::default()
        };
        self.inner
            .put_opts(&Key::from(name), PutPayload::from_bytes(bytes), opts)
            .await
            .map(drop)
            .map_err(op("upload", name))
    }

    /// Uploads one object without headers (the state database, a lease).
    pub async fn put_plain(&self, name: &str, bytes: Bytes) -> Result<(), StoreError> {
        self.inner
            .put(&Key::from(name), PutPayload::from_bytes(bytes))
            .await
            .map(drop)
            .map_err(op("upload", name))
    }

    /// Reads one object; `None` when there is none.
    pub async fn get(&self, name: &str) -> Result<Option<Bytes>, StoreError> {
        match self.inner.get(&Key::from(name)).await {
            Ok(r) => r.bytes().await.map(Some).map_err(op("read", name)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(op("read", name)(e)),
        }
    }

    /// Deletes one object (one already gone is fine).
    pub async fn delete(&self, name: &str) -> Result<(), StoreError> {
        match self.inner.delete(&Key::from(name)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(op("delete", name)(e)),
        }
    }

    /// Every object under `prefix` (the whole target with `""`).
    pub async fn list(&self, prefix: &str) -> Result<Vec<Remote>, StoreError> {
        let key = (!prefix.is_empty()).then(|| Key::from(prefix));
        let metas: Vec<_> = self
            .inner
            .list(key.as_ref())
            .try_collect()
            .await
            .map_err(op("list", prefix))?;
        Ok(metas
            .into_iter()
            .map(|m| Remote {
                name: m.location.to_string(),
                size: m.size,
                e_tag: m.e_tag.map(|t| t.trim_matches('"').to_ascii_lowercase()),
                last_modified: m.last_modified,
            })
            .collect())
    }
}

fn op(what: &'static str, key: &str) -> impl FnOnce(object_store::Error) -> StoreError {
    let key = key.to_string();
    move |source| StoreError::Op { what, key, source }
}

/// Three retries with back-off within 30 seconds: a store that is down fails the deploy soon,
/// and the next deploy completes it.
fn retry() -> RetryConfig {
    RetryConfig {
        backoff: BackoffConfig {
            init_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            base: 2.0,
        },
        max_retries: 3,
        retry_timeout: Duration::from_secs(30),
    }
}

fn client() -> ClientOptions {
    ClientOptions::new()
        .with_connect_timeout(Duration::from_secs(10))
        .with_timeout(Duration::from_secs(120))
}
