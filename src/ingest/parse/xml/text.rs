//! The builder's character data: text and references between two tags, held as one borrowed
//! piece of the document while it is one, else gathered into one string, and moved into the
//! open element when the next tag comes. Split from `xml.rs`, which keeps the tags (elements,
//! attributes, namespaces) and the recovery of broken structure.

use std::borrow::Cow;

use super::super::chardata::{self, Piece};
use super::super::recovery::Recovery;
use super::{Builder, Node, reader};
use crate::text::entities::{self, Resolved};

impl<'t> Builder<'t> {
    pub(super) fn resolve_ref(&mut self, name: &str, out: &mut String, at: usize) {
        let r = entities::resolve(name);
        match r {
            Resolved::Xml(_) => {}
            Resolved::BadChar => self.note(Recovery::InvalidCharRef(name.to_string()), at),
            Resolved::Html(..) => self.note(Recovery::UndeclaredEntity(name.to_string()), at),
            Resolved::Unknown => self.note(Recovery::UnknownEntity(name.to_string()), at),
        }
        match r {
            Resolved::Unknown => {
                out.push('&');
                out.push_str(name);
                out.push(';');
            }
            r => entities::push(out, r, ""),
        }
    }

    /// The character data from `at` to the next tag, piece by piece as quick-xml would give it
    /// (see `chardata`); then a reader of the rest of the text from there, and where it starts.
    pub(super) fn chardata(&mut self, at: usize) -> (quick_xml::Reader<&'t [u8]>, usize) {
        let text = self.text;
        let end = chardata::run_end(text, at);
        if !self.stack.is_empty() {
            self.unescape(&text[at..end], at);
            return (reader(&text[end..]), end);
        }
        // Outside the root element (rare): piece by piece, as `text` notes what stands there
        // and keeps none of it.
        for (off, piece) in chardata::pieces(&text[at..end]) {
            let at = at + off;
            match piece {
                Piece::Text(t) => self.text(Cow::Borrowed(t), at),
                Piece::Ref(name) => self.reference(name, at),
                Piece::Dangling(t) => {
                    self.note(Recovery::BareAmpersand, at);
                    self.text(Cow::Borrowed(t), at);
                }
            }
        }
        (reader(&text[end..]), end)
    }

    /// A run inside an element (`at` where it starts), unescaped straight into `pending`: what
    /// its pieces would add one by one, in one loop, XML's five references without a lookup.
    /// Entity-escaped HTML has a reference every few characters: piece by piece, this was a
    /// sixth of a cold run's instructions (issue 25, round twenty).
    fn unescape(&mut self, run: &'t str, at: usize) {
        self.gather();
        let mut out = std::mem::take(&mut self.pending);
        out.reserve(run.len());
        let bytes = run.as_bytes();
        let mut i = 0;
        while i < run.len() {
            let Some(amp) = memchr::memchr(b'&', &bytes[i..]).map(|k| i + k) else {
                out.push_str(&run[i..]);
                break;
            };
            out.push_str(&run[i..amp]);
            // Every byte split at is ASCII, so every slice is on a character boundary.
            let rest = &bytes[amp + 1..];
            let (unescaped, len) = match rest {
                [b'l', b't', b';', ..] => ('<', 3),
                [b'g', b't', b';', ..] => ('>', 3),
                [b'a', b'm', b'p', b';', ..] => ('&', 4),
                [b'q', b'u', b'o', b't', b';', ..] => ('"', 5),
                [b'a', b'p', b'o', b's', b';', ..] => ('\'', 5),
                _ => ('\0', 0),
            };
            if len > 0 {
                out.push(unescaped);
                i = amp + 1 + len;
                continue;
            }
            // As `chardata::Pieces` splits: a name up to `;`, or a dangling `&` up to the next.
            i = match rest.iter().position(|&b| b == b';' || b == b'&') {
                Some(k) if rest[k] == b';' => {
                    self.resolve_ref(&run[amp + 1..amp + 1 + k], &mut out, at + amp);
                    amp + k + 2
                }
                found => {
                    let stop = found.map_or(run.len(), |k| amp + 1 + k);
                    self.note(Recovery::BareAmpersand, at + amp);
                    out.push_str(&run[amp..stop]);
                    stop
                }
            };
        }
        self.pending = out;
    }

    fn reference(&mut self, name: &str, at: usize) {
        self.gather();
        let mut s = std::mem::take(&mut self.pending);
        self.resolve_ref(name, &mut s, at);
        self.pending = s;
    }

    pub(super) fn text(&mut self, t: Cow<'t, str>, at: usize) {
        if self.stack.is_empty() {
            if !t.trim().is_empty() && self.root.is_none() {
                self.note(Recovery::BeforeRoot, at);
            }
            return;
        }
        // An empty CDATA section is an event with no bytes: nothing to add (held as a piece,
        // it became an empty text node).
        if t.is_empty() {
            return;
        }
        match t {
            Cow::Borrowed(t) if self.piece.is_none() && self.pending.is_empty() => {
                self.piece = Some(t);
            }
            t => {
                self.gather();
                self.pending.push_str(&t);
            }
        }
    }

    /// The one piece of text held so far, moved to `pending` (more is joining it).
    fn gather(&mut self) {
        if let Some(piece) = self.piece.take() {
            self.pending.push_str(piece);
        }
    }

    /// Moves the text gathered so far into the open element: one piece as it is borrowed, pieces
    /// joined as a copy of exactly their length (`pending` keeps its capacity for the next text:
    /// a text of 4 KB gathered from hundreds of pieces, entity-escaped HTML, grew by a dozen
    /// reallocations, and was then held with up to twice its length).
    pub(super) fn flush_text(&mut self) {
        let text = match self.piece.take() {
            Some(piece) => Cow::Borrowed(piece),
            None if self.pending.is_empty() => return,
            None => Cow::Owned(self.pending.as_str().to_owned()),
        };
        self.pending.clear();
        if let Some(top) = self.stack.last_mut() {
            match top.el.children.last_mut() {
                Some(Node::Text(prev)) => prev.to_mut().push_str(&text),
                _ => top.el.children.push(Node::Text(text)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::super::chardata::{self, Piece};
    use super::super::super::recovery::{Recovery, summarise};
    use crate::text::entities::{self, Resolved};

    /// What a run's pieces give one at a time (the builder's way before `unescape`): its text,
    /// and its notes as the parser reports them. `at`: where the run starts in `doc`.
    fn by_piece(doc: &str, at: usize, run: &str) -> (String, Vec<super::super::super::Note>) {
        let (mut text, mut notes) = (String::new(), Vec::new());
        for (off, piece) in chardata::pieces(run) {
            match piece {
                Piece::Text(t) => text.push_str(t),
                Piece::Dangling(t) => {
                    notes.push((Recovery::BareAmpersand, at + off));
                    text.push_str(t);
                }
                Piece::Ref(name) => {
                    let r = entities::resolve(name);
                    let note = match r {
                        Resolved::Xml(_) => None,
                        Resolved::BadChar => Some(Recovery::InvalidCharRef(name.into())),
                        Resolved::Html(..) => Some(Recovery::UndeclaredEntity(name.into())),
                        Resolved::Unknown => Some(Recovery::UnknownEntity(name.into())),
                    };
                    notes.extend(note.map(|n| (n, at + off)));
                    match r {
                        Resolved::Unknown => text.push_str(&format!("&{name};")),
                        r => entities::push(&mut text, r, ""),
                    }
                }
            }
        }
        (text, summarise(doc, notes))
    }

    const FRAGMENTS: &[&str] = &[
        "a", "é", "中", " ", "\n", ";", "#", "x", "&lt;", "&gt;", "&amp;", "&quot;", "&apos;",
        "&#233;", "&#xE9;", "&#0;", "&#xD800;", "&nbsp;", "&eacute;", "&bogus;", "&", "&lt",
        "&amp", "&#;", "&;", "&a&b;", "&quo;", "&ltx;",
    ];

    proptest! {
        #[test]
        fn a_run_unescaped_at_once_gives_what_its_pieces_give(
            parts in prop::collection::vec(prop::sample::select(FRAGMENTS), 1..40)
        ) {
            // Text first: the run is the builder's from its first byte on.
            let run = format!("t{}", parts.concat());
            let doc = format!("<r>{run}</r>");
            let parsed = super::super::parse(&doc).expect("parses");
            let (text, notes) = by_piece(&doc, 3, &run);
            prop_assert_eq!(parsed.root.text(), text);
            prop_assert_eq!(parsed.notes, notes);
        }
    }
}
