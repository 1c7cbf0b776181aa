//! The HTTP side of `feedbraid serve`: an axum router whose one handler guards the path
//! ([`files::Policy`]), answers `If-None-Match` itself (tower-http's `ServeDir` does
//! `Last-Modified`/`If-Modified-Since`, HEAD and ranges, but no ETags), and then lets `ServeDir`
//! serve the file, adding the media type, `Cache-Control`, CORS and the strong ETag. Gzip is
//! tower-http's `CompressionLayer`; a gzipped body gets its own tag (`"…-gzip"`), as a strong
//! validator must differ between encodings.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_ORIGIN, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, ETAG,
    IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, VARY,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;

use super::files::{self, Policy};

const MAX_AGE: &str = "max-age=300";

#[derive(Debug)]
struct App {
    policy: Policy,
    dir: ServeDir,
}

/// The router serving `policy.root`.
pub fn router(policy: Policy) -> Router {
    let dir = ServeDir::new(&policy.root);
    Router::new()
        .fallback(handle)
        .with_state(Arc::new(App { policy, dir }))
        .layer(CompressionLayer::new())
        .layer(axum::middleware::map_response(gzip_tag))
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found\n").into_response()
}

/// The facts about the file a request resolved to.
struct Target {
    name: String,
    tag: String,
    modified: Option<String>,
}

async fn handle(State(app): State<Arc<App>>, mut req: Request) -> Response {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return (StatusCode::METHOD_NOT_ALLOWED, "GET or HEAD only\n").into_response();
    }
    let (policy, path) = (app.policy.clone(), req.uri().path().to_string());
    let found = tokio::task::spawn_blocking(move || {
        let real = policy.resolve(&path)?;
        let meta = std::fs::metadata(&real).ok()?;
        Some(Target {
            name: real.file_name()?.to_string_lossy().into_owned(),
            tag: files::etag(&meta),
            modified: meta.modified().ok().map(httpdate::fmt_http_date),
        })
    })
    .await;
    let Ok(Some(target)) = found else {
        return not_found();
    };
    if let Some(inm) = req.headers().get(IF_NONE_MATCH) {
        let inm = inm.to_str().unwrap_or_default();
        if files::none_match(inm, &target.tag) {
            let mut res = StatusCode::NOT_MODIFIED.into_response();
            // The tag the client holds (the gzip variant or not) stays its validator.
            let held = inm
                .split(',')
                .map(str::trim)
                .find(|t| *t != "*" && files::none_match(t, &target.tag))
                .unwrap_or(&target.tag)
                .to_string();
            decorate(res.headers_mut(), &target, Some(&held));
            return res;
        }
        // RFC 9110 §13.2.2: If-None-Match decides; If-Modified-Since is then ignored.
        req.headers_mut().remove(IF_MODIFIED_SINCE);
    }
    let mut dir = app.dir.clone();
    let res = match dir.try_call(req).await {
        Ok(res) => res.map(Body::new),
        Err(_) => return not_found(),
    };
    let mut res = res.into_response();
    if res.status().is_success() || res.status() == StatusCode::NOT_MODIFIED {
        decorate(res.headers_mut(), &target, None);
    }
    res
}

/// The headers every answer about a file carries.
fn decorate(h: &mut HeaderMap, target: &Target, tag: Option<&str>) {
    if let Some(ct) = files::content_type(&target.name) {
        h.insert(CONTENT_TYPE, HeaderValue::from_static(ct));
    }
    if let Ok(v) = HeaderValue::from_str(tag.unwrap_or(&target.tag)) {
        h.insert(ETAG, v);
    }
    if let Some(m) = target.modified.as_deref().and_then(|m| m.parse().ok()) {
        h.insert(LAST_MODIFIED, m);
    }
    h.insert(CACHE_CONTROL, HeaderValue::from_static(MAX_AGE));
    if !h.contains_key(VARY) {
        h.insert(VARY, HeaderValue::from_static("accept-encoding"));
    }
    if files::is_feed(&target.name) {
        h.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    }
}

/// A gzipped body is another representation: its strong tag is `"…-gzip"`.
async fn gzip_tag(mut res: Response) -> Response {
    let gzipped = res
        .headers()
        .get(CONTENT_ENCODING)
        .is_some_and(|e| e.as_bytes().eq_ignore_ascii_case(b"gzip"));
    if gzipped
        && let Some(tag) = res.headers().get(ETAG).and_then(|t| t.to_str().ok())
        && !tag.ends_with("-gzip\"")
        && let Ok(v) = HeaderValue::from_str(&format!("{}-gzip\"", tag.trim_end_matches('"')))
    {
        res.headers_mut().insert(ETAG, v);
    }
    res
}
