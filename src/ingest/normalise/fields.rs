//! The field rules that turn one raw item's parts into the model's: which link is the alternate,
//! authors ("email (Name)" already split by the adapters), text or HTML titles, enclosures with
//! their language, and ids that only pretend to be IRIs.
//! Split from `normalise` so that module reads as the sequence of steps.

use url::Url;

use crate::ingest::parse::{RawLink, RawPerson, RawText, TextKind};
use crate::model::{Enclosure, Person};
use crate::text::{links, plain as text};

/// The alternate link: HTML first, then any.
pub(super) fn alternate(links: &[RawLink]) -> Option<&RawLink> {
    let alt = |l: &&RawLink| matches!(l.rel.as_deref(), None | Some("alternate"));
    links
        .iter()
        .filter(alt)
        .find(|l| l.mime_type.as_deref().is_none_or(|t| t.contains("html")))
        .or_else(|| links.iter().find(alt))
}

pub(super) fn person(p: &RawPerson) -> Option<Person> {
    let name = text::plain(p.name.as_deref().unwrap_or_default());
    let email = p
        .email
        .as_deref()
        .map(text::plain)
        .filter(|e| crate::text::email::is_addr_spec(e));
    let name = if name.is_empty() {
        email.clone().unwrap_or_default()
    } else {
        name
    };
    (!name.is_empty()).then(|| Person {
        name,
        email,
        uri: p
            .uri
            .as_deref()
            .and_then(|u| links::resolve(u, None))
            .map(String::from),
    })
}

/// A plain-text field: HTML is reduced to its text, text is only tidied.
pub(super) fn plain_text(t: &RawText) -> String {
    match t.kind {
        TextKind::Html => text::plain(&t.value),
        TextKind::Text => text::collapse_ws(&crate::text::xml::xml_safe_cow(&t.value)),
    }
}

/// True when an id presents itself as an absolute IRI of a scheme we keep (`urn:`, `tag:`,
/// `http(s):`).
pub(super) fn looks_like_iri(id: &str) -> bool {
    let l = id.get(..8).unwrap_or(id).to_ascii_lowercase();
    l.starts_with("urn:") || l.starts_with("tag:") || l.starts_with("http")
}

pub(super) fn enclosures(links: &[RawLink], base: Option<&Url>) -> Vec<Enclosure> {
    let mut out: Vec<Enclosure> = Vec::new();
    for l in links
        .iter()
        .filter(|l| l.rel.as_deref() == Some("enclosure"))
    {
        let Some(url) = links::resolve(&l.href, base).filter(|u| u.scheme() != "mailto") else {
            continue;
        };
        let url = String::from(url);
        if out.iter().any(|e| e.url == url) {
            continue;
        }
        out.push(Enclosure {
            url,
            mime_type: l
                .mime_type
                .clone()
                .filter(|m| m.contains('/'))
                .unwrap_or_else(|| "application/octet-stream".into()),
            length: l.length.filter(|n| *n > 0),
            title: l
                .title
                .as_deref()
                .map(text::plain)
                .filter(|t| !t.is_empty()),
            language: l.hreflang.as_deref().and_then(crate::text::lang::normalise),
            ..Enclosure::default()
        });
    }
    out.sort_by_key(|e| e.mime_type != "application/pdf");
    out
}
