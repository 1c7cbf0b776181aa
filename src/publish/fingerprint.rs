//! A view's fingerprint: everything its files are rendered from, hashed.
//! A view whose fingerprint equals the one recorded when its files were published is not
//! rendered again (see `outputs`). The hash starts from what every view shares ([`base_print`]:
//! the version, the sanitiser's allowlist, the config's text, the templates), then takes the
//! view's name, its tombstones and each selected entry's stored version, credits and
//! attribution.

use sha2::{Digest, Sha256};

use crate::model::Tombstone;
use crate::pool::Gathered;
use crate::pool::merge::Winner;
use crate::pool::views::FeedView;
use crate::publish::PublishError;
use crate::publish::render::RenderError;
use crate::publish::render::html::Templates;

/// Everything a view's files are rendered from, hashed.
pub(crate) fn fingerprint(
    base: &Sha256,
    view: &FeedView,
    sel: &[&Winner],
    g: &Gathered,
    tombstones: &[Tombstone],
) -> Result<String, PublishError> {
    let mut h = base.clone();
    h.update(view.name.as_deref().unwrap_or("").as_bytes());
    for t in tombstones {
        h.update(format!("\0t{}\0{}\0{:?}", t.id, t.when, t.comment).as_bytes());
    }
    for w in sel {
        let c = w;
        h.update(b"\0");
        h.update(c.origin.as_deref().unwrap_or("").as_bytes());
        h.update(b"\0");
        h.update(c.handle().as_bytes());
        for v in &w.via {
            h.update(v.as_bytes());
        }
        match &c.origin {
            // Local entries are found by position: their content goes in.
            None => {
                if let Some(e) = c.local_index().and_then(|i| g.locals.get(i)) {
                    h.update(json(e)?);
                }
            }
            // A stored item's hash covers its content; its attribution is per source.
            Some(s) => {
                if let Some(info) = g.infos.get(&**s) {
                    h.update(json(info)?);
                }
            }
        }
    }
    Ok(format!("{:x}", h.finalize()))
}

/// What every view's fingerprint starts from: the version, the sanitiser's allowlist, the
/// config's text as the run read it (an edit of it renders every view again) and the templates.
pub(crate) fn base_print(config_text: &str, templates: &Templates) -> Sha256 {
    let mut base = Sha256::new();
    base.update(env!("CARGO_PKG_VERSION").as_bytes());
    // A new allowlist cleans every entry again: every view is rendered again.
    base.update(crate::ingest::normalise::html::allowlist_print().as_bytes());
    base.update(config_text.as_bytes());
    for (name, text) in &templates.sources {
        base.update(name.as_bytes());
        base.update(text.as_bytes());
    }
    base
}

fn json<T: serde::Serialize>(v: &T) -> Result<Vec<u8>, PublishError> {
    Ok(serde_json::to_vec(v).map_err(RenderError::from)?)
}
