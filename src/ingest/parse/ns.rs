//! The namespaces the format adapters know, matched liberally (case, a trailing `/` or `#`, the
//! RSS 0.90 URI's variants, and well-known prefixes used without a declaration), as feedparser
//! does: partners get namespaces wrong more often than anything else.

/// Namespaces the format adapters know. Matching is liberal (case, trailing `/` or `#`, and the
/// RSS 0.90 URI's known variants), as feedparser's is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ns {
    /// No namespace (RSS 0.9x/2.0 elements, unprefixed attributes).
    None,
    Atom,
    Atom03,
    Rss090,
    Rss10,
    Rdf,
    Dc,
    DcTerms,
    Content,
    Media,
    Xhtml,
    Xml,
    /// `creativeCommons:license` (Userland) and `cc:license` (web.resource.org, creativecommons.org).
    CreativeCommons,
    Other,
}

impl Ns {
    pub(super) fn from_uri(uri: &str) -> Ns {
        let u = uri.trim().trim_end_matches(['/', '#']).to_ascii_lowercase();
        let u = u
            .strip_prefix("http://")
            .or_else(|| u.strip_prefix("https://"))
            .unwrap_or(&u);
        match u {
            // RSS 2.0 (and 0.9x) elements are unqualified, but some feeds put them in Userland's
            // namespace: the same elements.
            "" | "backend.userland.com/rss2" | "backend.userland.com/rss" => Ns::None,
            "www.w3.org/2005/atom" => Ns::Atom,
            "purl.org/atom/ns" => Ns::Atom03,
            // RSS 1.1 has RSS 1.0's elements (in `<items>` rather than beside the channel).
            "purl.org/rss/1.0" | "purl.org/net/rss1.1" => Ns::Rss10,
            "www.w3.org/1999/02/22-rdf-syntax-ns" => Ns::Rdf,
            "purl.org/dc/elements/1.1" => Ns::Dc,
            "purl.org/dc/terms" => Ns::DcTerms,
            "purl.org/rss/1.0/modules/content" => Ns::Content,
            "search.yahoo.com/mrss" => Ns::Media,
            "www.w3.org/1999/xhtml" => Ns::Xhtml,
            "www.w3.org/xml/1998/namespace" => Ns::Xml,
            "backend.userland.com/creativecommonsrssmodule"
            | "web.resource.org/cc"
            | "creativecommons.org/ns" => Ns::CreativeCommons,
            u if u.contains("netscape.com/rdf/simple/0.9") => Ns::Rss090,
            _ => Ns::Other,
        }
    }

    /// Prefixes partners use without declaring them.
    pub(super) fn well_known(prefix: &str) -> Option<Ns> {
        Some(match prefix {
            "xml" => Ns::Xml,
            "dc" => Ns::Dc,
            "dcterms" => Ns::DcTerms,
            "content" => Ns::Content,
            "media" => Ns::Media,
            "atom" | "atom10" => Ns::Atom,
            "rdf" => Ns::Rdf,
            "xhtml" => Ns::Xhtml,
            "creativecommons" | "creativeCommons" | "cc" => Ns::CreativeCommons,
            _ => return None,
        })
    }
}
