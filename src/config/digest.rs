//! `[digest]`: the monthly e-mail for the mailing list (`feedbraid digest`): which view it is
//! made from, how it is grouped, who it is from and to, the SMTP server, the unsubscribe link,
//! and whether `run` sends it on its own. The SMTP password is never read from here: only from
//! `FEEDBRAID_SMTP_PASSWORD`.

use std::path::PathBuf;

use url::Url;

use super::check::{Ctx, R};
use super::raw::{RawDigest, S};
use crate::text::email::is_addr_spec;

/// `[digest] group_by`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GroupBy {
    /// One section per partner, the network's own first (the default).
    #[default]
    Source,
    /// One section per tag.
    Tag,
    /// One list, newest first.
    None,
}

/// `[digest]`, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestSettings {
    /// `view`: the view the digest is made from (`None`: the main feed).
    pub view: Option<String>,
    pub group_by: GroupBy,
    /// `from`, an RFC 5322 addr-spec.
    pub from: Option<String>,
    /// `to`: the list's address (one message; the list server fans it out).
    pub to: Option<String>,
    /// `smtp`: `smtp://[user@]host[:port]` (STARTTLS required) or `smtps://` (implicit TLS).
    pub smtp: Option<Url>,
    /// `smtp_ca`: a PEM file of the certificate authority to trust besides the public ones (a
    /// private mail server).
    pub smtp_ca: Option<PathBuf>,
    /// `unsubscribe`: a `mailto:` or `https:` URL for `List-Unsubscribe`.
    pub unsubscribe: Option<Url>,
    /// `send = "monthly"`: the first run of each month sends the previous month's digest.
    pub monthly: bool,
}

/// `[digest]`, or `None` when the table is absent.
pub(super) fn digest(
    cx: &Ctx<'_>,
    raw: Option<&RawDigest>,
    views: &[super::View],
) -> R<Option<DigestSettings>> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    let view = match &raw.view {
        Some(v) if !views.iter().any(|x| x.name == *v.get_ref()) => {
            return cx.err(
                v.span(),
                "digest.view",
                format!("no [[view]] is named `{}`", v.get_ref()),
            );
        }
        v => v.as_ref().map(|v| v.get_ref().clone()),
    };
    let group_by = match raw.group_by.as_ref().map(|g| (g, g.get_ref().as_str())) {
        None | Some((_, "source")) => GroupBy::Source,
        Some((_, "tag")) => GroupBy::Tag,
        Some((_, "none")) => GroupBy::None,
        Some((g, other)) => {
            return cx.err(
                g.span(),
                "digest.group_by",
                format!("`{other}` is not one of source, tag, none"),
            );
        }
    };
    let monthly = match raw.send.as_ref().map(|g| (g, g.get_ref().as_str())) {
        None | Some((_, "off")) => false,
        Some((_, "monthly")) => true,
        Some((g, other)) => {
            return cx.err(
                g.span(),
                "digest.send",
                format!("`{other}` is not one of off, monthly"),
            );
        }
    };
    let out = DigestSettings {
        view,
        group_by,
        from: address(cx, raw.from.as_ref(), "digest.from")?,
        to: address(cx, raw.to.as_ref(), "digest.to")?,
        smtp: smtp(cx, raw.smtp.as_ref())?,
        smtp_ca: raw
            .smtp_ca
            .as_ref()
            .map(|p| cx.path(p, "digest.smtp_ca"))
            .transpose()?,
        unsubscribe: unsubscribe(cx, raw.unsubscribe.as_ref())?,
        monthly,
    };
    if monthly && (out.smtp.is_none() || out.from.is_none() || out.to.is_none()) {
        let s = raw.send.as_ref().map(S::span).unwrap_or_default();
        return cx.err(s, "digest.send", "sending needs `smtp`, `from` and `to`");
    }
    Ok(Some(out))
}

fn address(cx: &Ctx<'_>, s: Option<&S>, key: &str) -> R<Option<String>> {
    let Some(s) = s else { return Ok(None) };
    let a = s.get_ref().trim();
    if !is_addr_spec(a) {
        return cx.err(
            s.span(),
            key,
            format!("`{a}` is not an e-mail address (user@host)"),
        );
    }
    Ok(Some(a.to_string()))
}

fn smtp(cx: &Ctx<'_>, s: Option<&S>) -> R<Option<Url>> {
    let Some(s) = s else { return Ok(None) };
    let url = Url::parse(s.get_ref().trim()).or_else(|e| {
        cx.err(
            s.span(),
            "digest.smtp",
            format!("not a URL ({e}): write smtp://host:587"),
        )
    })?;
    if !matches!(url.scheme(), "smtp" | "smtps") || url.host_str().is_none() {
        return cx.err(
            s.span(),
            "digest.smtp",
            "write smtp://host:587 or smtps://host:465",
        );
    }
    if url.password().is_some() {
        return cx.err(
            s.span(),
            "digest.smtp",
            "holds a password: it is read from FEEDBRAID_SMTP_PASSWORD only",
        );
    }
    Ok(Some(url))
}

fn unsubscribe(cx: &Ctx<'_>, s: Option<&S>) -> R<Option<Url>> {
    let Some(s) = s else { return Ok(None) };
    match Url::parse(s.get_ref().trim()) {
        Ok(u) if u.scheme() == "mailto" || u.scheme() == "https" => Ok(Some(u)),
        _ => cx.err(
            s.span(),
            "digest.unsubscribe",
            "must be a mailto: or https: URL",
        ),
    }
}
