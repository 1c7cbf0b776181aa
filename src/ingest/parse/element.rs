//! Reading the front end's tree: children by namespace and name, attributes, text, the `xml:`
//! scope (language and base) an element sits in, and inline markup turned back into HTML.
//! Shared by every format adapter, so each adapter is only the format's field mapping.

use crate::text::escape::{Quotes, escape_into};
use url::Url;

use super::ns::Ns;
use super::xml::{Element, Node};

impl<'t> Element<'t> {
    /// True when this element is `name` in namespace `ns`.
    pub fn is(&self, ns: Ns, name: &str) -> bool {
        self.ns == ns && self.name.eq_ignore_ascii_case(name)
    }

    /// Child elements, in order.
    pub fn elements(&self) -> impl Iterator<Item = &Self> {
        self.children.iter().filter_map(|c| match c {
            Node::El(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// The first child `name` in one of `ns`.
    pub fn child(&self, ns: &[Ns], name: &str) -> Option<&Self> {
        self.elements()
            .find(|e| ns.contains(&e.ns) && e.name.eq_ignore_ascii_case(name))
    }

    /// Every child `name` in one of `ns`.
    pub fn all<'a>(&'a self, ns: &'a [Ns], name: &'a str) -> impl Iterator<Item = &'a Self> {
        self.elements()
            .filter(move |e| ns.contains(&e.ns) && e.name.eq_ignore_ascii_case(name))
    }

    /// Every `name` in one of `ns` at any depth, in document order, not looking inside a match
    /// (items inside items are not items): where the damage nested them, an element left open
    /// before them (issue 21), or a container (RSS 1.1's `<items>`).
    pub fn nested<'a>(&'a self, ns: &[Ns], name: &str) -> Vec<&'a Self> {
        let mut out = Vec::new();
        let mut todo: Vec<&Element> = self.elements().collect();
        todo.reverse();
        while let Some(e) = todo.pop() {
            if ns.contains(&e.ns) && e.name.eq_ignore_ascii_case(name) {
                out.push(e);
            } else {
                let at = todo.len();
                todo.extend(e.elements());
                todo[at..].reverse();
            }
        }
        out
    }

    /// The first element at any depth, this one included, whose name is one of `names` (in
    /// any namespace): a feed inside an HTML page.
    pub fn find_named<'a>(&'a self, names: &[&str]) -> Option<&'a Self> {
        if names.iter().any(|n| self.name.eq_ignore_ascii_case(n)) {
            return Some(self);
        }
        self.elements().find_map(|e| e.find_named(names))
    }

    /// An unprefixed attribute's value.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.ns == Ns::None && a.name.eq_ignore_ascii_case(name))
            .map(|a| &*a.value)
    }

    /// An attribute in a namespace (`xml:lang`, `rdf:about`).
    pub fn attr_ns(&self, ns: Ns, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.ns == ns && &*a.name == name)
            .map(|a| &*a.value)
    }

    /// All the text inside, tags dropped (what a strict reader gives for a text-only element).
    pub fn text(&self) -> String {
        let mut out = String::new();
        self.collect_text(&mut out);
        out
    }

    fn collect_text(&self, out: &mut String) {
        for c in &self.children {
            match c {
                Node::Text(t) => out.push_str(t.as_ref()),
                Node::El(e) => e.collect_text(out),
            }
        }
    }

    /// The trimmed text of the first child `name`, when it is not empty.
    pub fn child_text(&self, ns: &[Ns], name: &str) -> Option<String> {
        self.child(ns, name)
            .map(|e| trimmed(e.text()))
            .filter(|t| !t.is_empty())
    }

    /// True when an element sits among the text (unescaped HTML in an RSS field, Atom XHTML).
    pub fn has_markup(&self) -> bool {
        self.children.iter().any(|c| matches!(c, Node::El(_)))
    }

    /// The children as HTML: element names without prefixes, text and attributes escaped.
    pub fn inner_html(&self) -> String {
        let mut out = String::new();
        for c in &self.children {
            write_node(c, &mut out);
        }
        out
    }

    /// The scope inside this element: its `xml:lang`, and its `xml:base` resolved against the
    /// enclosing one.
    pub fn scope(&self, outer: &Scope) -> Scope {
        let lang = self
            .attr_ns(Ns::Xml, "lang")
            .map(|l| l.trim().to_string())
            .or_else(|| outer.lang.clone());
        let base = match self.attr_ns(Ns::Xml, "base").map(str::trim) {
            Some(b) => match outer.base.as_ref().or(outer.doc.as_ref()) {
                Some(o) => o.join(b).ok(),
                None => Url::parse(b).ok(),
            }
            .or_else(|| outer.base.clone()),
            None => outer.base.clone(),
        };
        Scope {
            lang,
            base,
            doc: outer.doc.clone(),
        }
    }
}

/// The `xml:` context in force on an element.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// The nearest `xml:lang` (an empty value means "unknown").
    pub lang: Option<String>,
    /// Every `xml:base` from the root down, resolved in turn (the first against `doc`); `None`
    /// when no element sets one.
    pub base: Option<Url>,
    /// The URL the document came from: what a relative `xml:base` resolves against.
    pub doc: Option<Url>,
}

impl Scope {
    /// The scope outside the root element of a document fetched from `doc`.
    pub fn document(doc: Option<&Url>) -> Scope {
        Scope {
            lang: None,
            base: None,
            doc: doc.cloned(),
        }
    }
}

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// `s` without its leading and trailing white space, in place (not a second copy of every
/// field's text).
pub(super) fn trimmed(mut s: String) -> String {
    s.truncate(s.trim_end().len());
    let lead = s.len() - s.trim_start().len();
    s.drain(..lead);
    s
}

fn write_node(n: &Node, out: &mut String) {
    match n {
        Node::Text(t) => escape_into(t, Quotes::None, out),
        Node::El(e) => {
            let name = e.name.to_ascii_lowercase();
            out.push('<');
            out.push_str(&name);
            for a in &e.attrs {
                if a.ns == Ns::None {
                    out.push(' ');
                    out.push_str(&a.name);
                    out.push_str("=\"");
                    escape_into(&a.value, Quotes::Double, out);
                    out.push('"');
                }
            }
            out.push('>');
            if VOID.contains(&name.as_str()) && e.children.is_empty() {
                return;
            }
            for c in &e.children {
                write_node(c, out);
            }
            out.push_str("</");
            out.push_str(&name);
            out.push('>');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::trimmed;

    #[test]
    fn a_text_is_trimmed_in_place_as_str_trim_would() {
        for s in [
            "",
            "  ",
            "a",
            " \n\tข่าว 新闻\u{3000}",
            "\u{a0}x y\r\n",
            "x  ",
        ] {
            let t = trimmed(s.to_string());
            assert_eq!(t, s.trim(), "{s:?}");
        }
    }
}
