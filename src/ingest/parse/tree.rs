//! The tree the XML front end (`xml`) builds and the format adapters read (`element`): elements
//! with their namespace, attributes and children, borrowing their strings from the document
//! where they can (see `xml`'s header), or owning them all (`into_owned`) when the tree was
//! built from a copy of it.

use std::borrow::Cow;

use super::ns::Ns;
use super::recovery::Note;

/// An attribute: namespace, local name and decoded value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attr<'t> {
    pub ns: Ns,
    pub name: Cow<'t, str>,
    pub value: Cow<'t, str>,
}

/// A child of an element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node<'t> {
    El(Element<'t>),
    Text(Cow<'t, str>),
}

/// An element: namespace, local name, attributes and children.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element<'t> {
    pub ns: Ns,
    pub name: Cow<'t, str>,
    pub attrs: Vec<Attr<'t>>,
    pub children: Vec<Node<'t>>,
}

/// A parsed document: its root element and what had to be recovered.
#[derive(Debug, Clone)]
pub struct Document<'t> {
    pub root: Element<'t>,
    pub notes: Vec<Note>,
}

/// `c` owned: what a tree borrowed from a copy of the document keeps (see [`parse`]).
fn owned(c: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Owned(c.into_owned())
}

impl Element<'_> {
    /// The element with everything it borrowed copied.
    pub(super) fn into_owned(self) -> Element<'static> {
        Element {
            ns: self.ns,
            name: owned(self.name),
            attrs: (self.attrs.into_iter())
                .map(|a| Attr {
                    ns: a.ns,
                    name: owned(a.name),
                    value: owned(a.value),
                })
                .collect(),
            children: (self.children.into_iter())
                .map(|c| match c {
                    Node::El(e) => Node::El(e.into_owned()),
                    Node::Text(t) => Node::Text(owned(t)),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::super::xml::parse;
    use super::{Element, Node};

    /// Every string of the tree (names, attributes, texts) in document order, each with whether
    /// it is a slice of `doc`.
    fn strings(e: &Element<'_>, doc: &str, out: &mut Vec<(String, bool)>) {
        see(&e.name, doc, out);
        for a in &e.attrs {
            see(&a.name, doc, out);
            see(&a.value, doc, out);
        }
        for c in &e.children {
            match c {
                Node::El(child) => strings(child, doc, out),
                Node::Text(t) => see(t, doc, out),
            }
        }
    }

    // The `Cow` itself, not the text: whether it borrows is what is seen.
    #[allow(clippy::ptr_arg)]
    fn see(c: &Cow<'_, str>, doc: &str, out: &mut Vec<(String, bool)>) {
        let range = doc.as_bytes().as_ptr_range();
        let within = matches!(c, Cow::Borrowed(b) if range.contains(&b.as_ptr()));
        out.push((c.to_string(), within));
    }

    fn all(doc: &str) -> Vec<(String, bool)> {
        let mut out = Vec::new();
        strings(&parse(doc).expect("parses").root, doc, &mut out);
        out
    }

    #[test]
    fn names_plain_values_and_texts_in_one_piece_are_slices_of_the_document() {
        // Description: an RSS item with a prefixed element, an attribute, plain text and a CDATA
        // section, none with a reference.
        // Expect: every string of the tree is borrowed from the document, the prefix gone from
        // the name (built with a `String` each, none of them was).
        let doc = "<rss xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><item id=\"a1\">\
                   <title>ข่าว 新闻</title><dc:creator>Ann</dc:creator>\
                   <description><![CDATA[<p>Hi</p>]]></description></item></rss>";
        let got = all(doc);
        let names: Vec<&str> = got.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(
            names,
            [
                "rss",
                "item",
                "id",
                "a1",
                "title",
                "ข่าว 新闻",
                "creator",
                "Ann",
                "description",
                "<p>Hi</p>"
            ]
        );
        assert!(got.iter().all(|(_, within)| *within), "{got:?}");
    }

    #[test]
    fn text_in_pieces_is_joined_into_one_copy() {
        // Description: texts split by references, comments and CDATA sections, and an attribute
        // with a reference.
        // Expect: each element holds one text, the pieces joined in order, and a copy (it is in
        // no one place of the document); a lone piece stays a slice.
        for (doc, text) in [
            ("<a>x &amp; y</a>", "x & y"),
            ("<a>&lt;b&gt;</a>", "<b>"),
            ("<a><![CDATA[x]]>y</a>", "xy"),
            ("<a>x<![CDATA[y]]></a>", "xy"),
            ("<a>x<!-- c -->y</a>", "xy"),
            ("<a>x&#233;<![CDATA[&]]></a>", "xé&"),
        ] {
            let got = all(doc);
            assert_eq!(got, [("a".into(), true), (text.into(), false)], "{doc}");
        }
        assert_eq!(
            all("<a t=\"1 &amp; 2\" u=\"3\"/>"),
            [
                ("a".into(), true),
                ("t".into(), true),
                ("1 & 2".into(), false),
                ("u".into(), true),
                ("3".into(), true)
            ]
        );
    }

    #[test]
    fn an_empty_cdata_section_adds_no_text() {
        // Description: empty CDATA sections alone, and after a text (quick-xml gives an event
        // for each, with no bytes).
        // Expect: no empty text node; the text beside it stays one borrowed piece.
        assert!(
            parse("<a><![CDATA[]]></a>")
                .expect("parses")
                .root
                .children
                .is_empty()
        );
        assert_eq!(all("<a><![CDATA[]]></a>"), [("a".into(), true)]);
        assert_eq!(
            all("<a>x<![CDATA[]]></a>"),
            [("a".into(), true), ("x".into(), true)]
        );
    }

    #[test]
    fn a_tree_from_a_blanked_copy_owns_its_strings_and_reads_the_same() {
        // Description: the same feed with and without a bogus declaration, which is blanked out
        // of a copy of the document before tokenising.
        // Expect: the same tree (the declaration read as the spaces it was blanked to); the one
        // from the copy owns every string (it outlives the copy).
        let clean = "<rss>        <channel><title a=\"v\">T</title></channel></rss>";
        let bogus = "<rss><!bogus><channel><title a=\"v\">T</title></channel></rss>";
        let (c, b) = (parse(clean).expect("clean"), parse(bogus).expect("bogus"));
        assert_eq!(c.root, b.root);
        assert!(all(bogus).iter().all(|(_, within)| !within));
        assert!(all(clean).iter().all(|(_, within)| *within));
        assert_eq!(b.notes.len(), 1);
    }
}
