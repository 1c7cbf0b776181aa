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
