//! The one XML front end: a single pass over the decoded text that builds a small element tree,
//! resolving namespaces and entities as it goes, and recovering where a strict XML parser stops.
//!
//! Why our own tree and not a DOM crate: the recovery rules are feed-specific (feedparser's and
//! Miniflux's), the tree must carry what the format adapters need (namespace, `xml:lang`,
//! `xml:base`, inline XHTML) and nothing else, and it must never fetch a DTD or expand a declared
//! entity. quick-xml does the tokenising; this module decides what a broken document meant.
//!
//! A well-formed document takes exactly the path a strict parser would: the recovery rules only
//! run where a strict parser would fail, and each use is recorded as a [`Recovery`] so the
//! operator can tell the partner. What is recovered:
//! - HTML named entities XML does not declare (`&nbsp;`), bare `&`, invalid character references;
//! - mismatched, stray and unclosed end tags; a document cut off anywhere;
//! - a `<!DOCTYPE>` (skipped, never read), text or stray bytes before the root;
//! - bogus `<!...>` declarations, read as a browser does (`bogus`);
//! - prefixes used without a declaration (`dc:`, `content:`, `media:` ... are well known).
//!
//! The tree borrows from the document: names, attribute values without references and every
//! text that came in one piece (plain text, a CDATA section) are slices of it, and only text
//! pieced together around references is copied (issue 25, round sixteen: a `String` or `Box<str>`
//! per name and per text; without them the sample feeds parse in 12–24 % less time). How the
//! character data between two tags is gathered is in `xml/text.rs`.

use std::borrow::Cow;

use quick_xml::events::{BytesStart, Event};

use super::ns::Ns;
use super::recovery::{Recovery, summarise};
pub use super::tree::{Attr, Document, Element, Node};

mod text;

/// Deeper elements are folded into their parent (hostile nesting never reaches the recursion in
/// adapters, serialisers or `Drop`).
const MAX_DEPTH: usize = 128;

struct Open<'t> {
    qname: Cow<'t, str>,
    el: Element<'t>,
    ns_mark: usize,
}

struct Builder<'t> {
    text: &'t str,
    stack: Vec<Open<'t>>,
    bindings: Vec<(Cow<'t, str>, Ns)>,
    root: Option<Element<'t>>,
    notes: Vec<(Recovery, usize)>,
    /// The text since the last tag, when it is one piece of the document so far (borrowed as it
    /// is); else it is gathered in `pending`.
    piece: Option<&'t str>,
    pending: String,
    too_deep: usize,
}

/// Parses `text`; `None` when it holds no element at all. The tree borrows from `text`, unless a
/// bogus declaration had to be blanked out of a copy of it (rare): then it owns its strings.
pub fn parse(text: &str) -> Option<Document<'_>> {
    match super::bogus::blank(text) {
        (Cow::Borrowed(text), bogus) => build(text, &bogus),
        (Cow::Owned(copy), bogus) => build(&copy, &bogus).map(|d| Document {
            root: d.root.into_owned(),
            notes: d.notes,
        }),
    }
}

/// Builds the tree of `text`, in which a pass before found bogus declarations at `bogus`.
fn build<'t>(text: &'t str, bogus: &[usize]) -> Option<Document<'t>> {
    // The reader reads `text` from `base` on (it is restarted after a run of character data).
    let (mut r, mut base) = (reader(text), 0);
    let mut b = Builder {
        text,
        stack: Vec::new(),
        bindings: Vec::new(),
        root: None,
        notes: Vec::new(),
        piece: None,
        pending: String::new(),
        too_deep: 0,
    };
    for &at in bogus {
        b.note(Recovery::BogusDeclaration, at);
    }
    let mut errors = 0;
    loop {
        let at = base + r.buffer_position() as usize;
        match r.read_event() {
            Ok(Event::Start(e)) => b.start(&e, at, false),
            Ok(Event::Empty(e)) => b.start(&e, at, true),
            Ok(Event::End(e)) => b.end(&within(text, e.name().as_ref()), at),
            // Character data with references: the whole run up to the next tag in one pass, and
            // the reader restarted there (see `chardata`).
            Ok(Event::Text(t)) if text.as_bytes().get(at + t.len()) == Some(&b'&') => {
                (r, base) = b.chardata(at);
            }
            Ok(Event::GeneralRef(_)) => (r, base) = b.chardata(at),
            Ok(Event::Text(t)) => {
                let raw = within(text, &t);
                if raw.starts_with('&') {
                    b.note(Recovery::BareAmpersand, at);
                }
                b.text(raw, at);
            }
            Ok(Event::CData(t)) => b.text(within(text, &t), at),
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                errors += 1;
                // A document cut off inside CDATA keeps the text it has.
                if let Some(rest) = text[at..].strip_prefix("<![CDATA[")
                    && !rest.contains("]]>")
                {
                    b.text(Cow::Borrowed(rest), at);
                    break;
                }
                b.note(Recovery::Syntax(short(&e.to_string())), at);
                if base + r.buffer_position() as usize <= at || errors > 1000 {
                    break;
                }
            }
        }
        if b.root.is_some() {
            break;
        }
    }
    b.finish()
}

/// A reader of `text` as the front end reads (see the module header).
fn reader(text: &str) -> quick_xml::Reader<&[u8]> {
    let mut r = quick_xml::Reader::from_str(text);
    let c = r.config_mut();
    c.check_end_names = false;
    c.allow_unmatched_ends = true;
    c.allow_dangling_amp = true;
    c.check_comments = false;
    c.trim_markup_names_in_closing_tags = true;
    r
}

/// An event's text, borrowed from the document without a second UTF-8 check. Bytes quick-xml made
/// itself lie outside `text`: their offset is past its end (or wraps), so `get` fails; copied.
fn within<'t>(text: &'t str, bytes: &[u8]) -> Cow<'t, str> {
    let start = (bytes.as_ptr() as usize).wrapping_sub(text.as_ptr() as usize);
    match text.get(start..start.wrapping_add(bytes.len())) {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(String::from_utf8_lossy(bytes).into_owned()),
    }
}

/// `s` from byte `from` on, borrowed where `s` is.
fn tail<'t>(s: &Cow<'t, str>, from: usize) -> Cow<'t, str> {
    match s {
        Cow::Borrowed(b) => Cow::Borrowed(&b[from..]),
        Cow::Owned(o) => Cow::Owned(o[from..].to_owned()),
    }
}

fn short(s: &str) -> String {
    s.chars().take(80).collect()
}

impl<'t> Builder<'t> {
    fn note(&mut self, what: Recovery, at: usize) {
        if self.notes.len() < 10_000 {
            self.notes.push((what, at));
        }
    }

    fn resolve(&self, qname: &Cow<'t, str>, is_attr: bool) -> (Ns, Cow<'t, str>) {
        let (prefix, local) = match qname.split_once(':') {
            Some((p, _)) => (p, tail(qname, p.len() + 1)),
            None if is_attr => return (Ns::None, qname.clone()),
            None => ("", qname.clone()),
        };
        let bound = self
            .bindings
            .iter()
            .rev()
            // Most names have no prefix: told apart by length alone (comparing the bytes of two
            // empty strings called `memcmp`, 1 % of a cold run at 5,000 × 20).
            .find(|(p, _)| p.len() == prefix.len() && (prefix.is_empty() || &**p == prefix))
            .map(|(_, n)| *n);
        let ns = bound
            .or_else(|| Ns::well_known(prefix))
            .unwrap_or(if prefix.is_empty() {
                Ns::None
            } else {
                Ns::Other
            });
        (ns, local)
    }

    fn start(&mut self, e: &BytesStart<'_>, at: usize, empty: bool) {
        if self.stack.len() >= MAX_DEPTH {
            if self.too_deep == 0 {
                self.note(Recovery::TooDeep, at);
            }
            // Their end tags then close nothing real: counted down in `end`.
            self.too_deep += usize::from(!empty);
            return;
        }
        self.flush_text();
        let ns_mark = self.bindings.len();
        let mut raw = Vec::new();
        for a in e.attributes().with_checks(false).flatten() {
            let key = within(self.text, a.key.as_ref());
            let value = self.attr_value(within(self.text, &a.value), at);
            if key == "xmlns" {
                self.bindings.push(("".into(), Ns::from_uri(&value)));
            } else if key.starts_with("xmlns:") {
                self.bindings.push((tail(&key, 6), Ns::from_uri(&value)));
            } else {
                raw.push((key, value));
            }
        }
        let qname = within(self.text, e.name().as_ref());
        let (ns, name) = self.resolve(&qname, false);
        let attrs = raw
            .into_iter()
            .map(|(k, value)| {
                let (ns, name) = self.resolve(&k, true);
                Attr { ns, name, value }
            })
            .collect();
        let el = Element {
            ns,
            name,
            attrs,
            children: Vec::new(),
        };
        if empty {
            self.bindings.truncate(ns_mark);
            self.attach(el);
        } else {
            self.stack.push(Open { qname, el, ns_mark });
        }
    }

    fn attr_value(&mut self, raw: Cow<'t, str>, at: usize) -> Cow<'t, str> {
        if !raw.contains('&') {
            return raw;
        }
        // Same rules as text, reported the same way.
        let mut out = String::with_capacity(raw.len());
        let mut rest: &str = &raw;
        while let Some(i) = rest.find('&') {
            out.push_str(&rest[..i]);
            rest = &rest[i..];
            let end = rest[1..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
                .map(|e| e + 1)
                .filter(|&e| e > 1 && rest[e..].starts_with(';'));
            match end {
                Some(e) => {
                    let name = rest[1..e].to_string();
                    let mut piece = String::new();
                    self.resolve_ref(&name, &mut piece, at);
                    out.push_str(&piece);
                    rest = &rest[e + 1..];
                }
                None => {
                    self.note(Recovery::BareAmpersand, at);
                    out.push('&');
                    rest = &rest[1..];
                }
            }
        }
        out.push_str(rest);
        Cow::Owned(out)
    }

    fn attach(&mut self, el: Element<'t>) {
        match self.stack.last_mut() {
            Some(top) => top.el.children.push(Node::El(el)),
            None => self.root = Some(el),
        }
    }

    fn pop(&mut self) {
        self.flush_text();
        if let Some(o) = self.stack.pop() {
            self.bindings.truncate(o.ns_mark);
            self.attach(o.el);
        }
    }

    fn end(&mut self, qname: &str, at: usize) {
        if self.too_deep > 0 {
            self.too_deep -= 1;
            return;
        }
        let Some(top) = self.stack.last() else {
            return;
        };
        if &*top.qname == qname {
            return self.pop();
        }
        // An ancestor's end tag closes what was left open inside it (`<title>A <i>b</title>`).
        if let Some(depth) = self.stack.iter().rposition(|o| &*o.qname == qname) {
            let open = self.stack[self.stack.len() - 1].qname.to_string();
            self.note(
                Recovery::MismatchedEnd {
                    open,
                    close: qname.to_string(),
                },
                at,
            );
            while self.stack.len() > depth {
                self.pop();
            }
            return;
        }
        // A misspelt end tag of a leaf (`<subtitle>...</tagline>`) closes that leaf; elsewhere a
        // stray end tag is ignored.
        let leaf = !top.el.children.iter().any(|c| matches!(c, Node::El(_)));
        if leaf && self.stack.len() > 1 {
            let open = top.qname.to_string();
            self.note(
                Recovery::MismatchedEnd {
                    open,
                    close: qname.to_string(),
                },
                at,
            );
            self.pop();
        } else {
            self.note(Recovery::StrayEnd(qname.to_string()), at);
        }
    }

    fn finish(mut self) -> Option<Document<'t>> {
        if let Some(open) = self.stack.last().map(|o| o.qname.to_string()) {
            let at = self.text.len();
            self.note(Recovery::CutOff(open), at);
            while !self.stack.is_empty() {
                self.pop();
            }
        }
        let root = self.root.take()?;
        Some(Document {
            root,
            notes: summarise(self.text, self.notes),
        })
    }
}
