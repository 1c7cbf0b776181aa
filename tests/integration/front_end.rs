//! The XML front end on its own: the tree a broken document becomes, and what it records.

use feedbraid::ingest::parse::xml::{Node, parse};
use feedbraid::ingest::parse::{Ns, Recovery};

fn kinds(doc: &feedbraid::ingest::parse::xml::Document) -> Vec<Recovery> {
    doc.notes.iter().map(|n| n.what.clone()).collect()
}

#[test]
fn a_well_formed_document_records_nothing() {
    let doc = parse("<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>A &amp; B</title></channel></rss>")
        .expect("parses");
    assert!(doc.notes.is_empty(), "{:?}", doc.notes);
    let ch = doc.root.child(&[Ns::None], "channel").expect("channel");
    assert_eq!(
        ch.child_text(&[Ns::None], "title").as_deref(),
        Some("A & B")
    );
}

#[test]
fn an_ancestors_end_tag_closes_what_was_left_open() {
    let doc = parse("<feed><title>A <i>b</title><id>x</id></feed>").expect("parses");
    let title = doc.root.child(&[Ns::None], "title").expect("title");
    assert_eq!(title.text(), "A b");
    assert_eq!(title.inner_html(), "A <i>b</i>");
    assert_eq!(
        doc.root.child_text(&[Ns::None], "id").as_deref(),
        Some("x"),
        "the sibling is not swallowed"
    );
    assert_eq!(
        kinds(&doc),
        vec![Recovery::MismatchedEnd {
            open: "i".into(),
            close: "title".into()
        }]
    );
}

#[test]
fn a_misspelt_end_tag_closes_a_leaf_and_a_stray_one_is_ignored() {
    let doc =
        parse("<feed><subtitle>S</tagline><entry><p>x</p></div></entry></feed>").expect("parses");
    assert_eq!(
        doc.root.child_text(&[Ns::None], "subtitle").as_deref(),
        Some("S")
    );
    let entry = doc
        .root
        .child(&[Ns::None], "entry")
        .expect("entry is a child of feed");
    assert_eq!(entry.child_text(&[Ns::None], "p").as_deref(), Some("x"));
    let k = kinds(&doc);
    assert!(
        k.contains(&Recovery::MismatchedEnd {
            open: "subtitle".into(),
            close: "tagline".into()
        }),
        "{k:?}"
    );
    assert!(k.contains(&Recovery::StrayEnd("div".into())), "{k:?}");
}

#[test]
fn entities_are_decoded_from_one_table_and_unknown_ones_kept() {
    let doc = parse("<t a=\"x&nbsp;y\">caf&eacute; &bogus; AT&T &#0;</t>").expect("parses");
    assert_eq!(doc.root.text(), "café &bogus; AT&T \u{FFFD}");
    assert_eq!(doc.root.attr("a"), Some("x\u{a0}y"));
    let k = kinds(&doc);
    for want in [
        Recovery::UndeclaredEntity("eacute".into()),
        Recovery::UnknownEntity("bogus".into()),
        Recovery::BareAmpersand,
        Recovery::InvalidCharRef("#0".into()),
    ] {
        assert!(k.contains(&want), "{want:?} not in {k:?}");
    }
}

#[test]
fn repeats_are_counted_on_the_first_line() {
    let doc = parse("<t>\n&nbsp;\n&nbsp;\n&nbsp;</t>").expect("parses");
    assert_eq!(doc.notes.len(), 1);
    assert_eq!((doc.notes[0].line, doc.notes[0].count), (2, 3));
    assert_eq!(
        doc.notes[0].to_string(),
        "undeclared entity &nbsp; at line 2 (3 times)"
    );
}

#[test]
fn a_cut_off_document_keeps_what_it_has() {
    let doc =
        parse("<rss><channel><item><title>One</title></item><item><title>Tw").expect("parses");
    let ch = doc.root.child(&[Ns::None], "channel").expect("channel");
    let titles: Vec<String> = ch.all(&[Ns::None], "item").map(|i| i.text()).collect();
    assert_eq!(titles, ["One", "Tw"]);
    assert!(matches!(kinds(&doc)[..], [Recovery::CutOff(ref n)] if n == "title"));
}

#[test]
fn a_document_cut_off_inside_cdata_keeps_the_text_it_has() {
    let doc = parse("<rss><item><description><![CDATA[<p>Long body that sto").expect("parses");
    assert_eq!(doc.root.text(), "<p>Long body that sto");
}

#[test]
fn namespaces_resolve_liberally_and_undeclared_prefixes_are_known() {
    let doc = parse(
        "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://channel.netscape.com/rdf/simple/0.9/\">\
         <item><title>T</title><dc:subject>s</dc:subject><x:y xmlns:x=\"HTTP://PURL.ORG/RSS/1.0/MODULES/CONTENT\">c</x:y></item></rdf:RDF>",
    )
    .expect("parses");
    assert_eq!(doc.root.ns, Ns::Rdf);
    let item = doc
        .root
        .child(&[Ns::Rss090], "item")
        .expect("0.90 variant namespace");
    assert_eq!(item.child_text(&[Ns::Dc], "subject").as_deref(), Some("s"));
    assert_eq!(
        item.child(&[Ns::Content], "y").map(|e| e.text()).as_deref(),
        Some("c")
    );
}

#[test]
fn hostile_depth_is_flattened_not_recursed() {
    let depth = 100_000;
    let doc_text = format!("<r>{}x{}</r>", "<a>".repeat(depth), "</a>".repeat(depth));
    let doc = parse(&doc_text).expect("parses");
    assert!(kinds(&doc).contains(&Recovery::TooDeep));
    assert_eq!(doc.root.text(), "x", "the text survives");
    let mut d = 0;
    let mut el = &doc.root;
    while let Some(Node::El(c)) = el.children.first() {
        el = c;
        d += 1;
    }
    assert!(d < 200, "depth {d}");
}

#[test]
fn no_doctype_entity_is_ever_expanded() {
    let doc = parse(
        "<!DOCTYPE r [<!ENTITY e SYSTEM \"file:///etc/passwd\"><!ENTITY l \"lol\">]><r>&e;&l;</r>",
    )
    .expect("parses");
    assert_eq!(doc.root.text(), "&e;&l;");
}

#[test]
fn scope_resolves_nested_bases_and_keeps_the_nearest_language() {
    let doc = parse(
        "<feed xml:base=\"https://a.example.org/x/\" xml:lang=\"en\"><entry xml:base=\"y/\" xml:lang=\"fr\"><c/></entry></feed>",
    )
    .expect("parses");
    let outer = feedbraid::ingest::parse::Scope::document(None);
    let feed = doc.root.scope(&outer);
    let entry = doc
        .root
        .child(&[Ns::None], "entry")
        .expect("entry")
        .scope(&feed);
    assert_eq!(
        entry.base.as_ref().map(url::Url::as_str),
        Some("https://a.example.org/x/y/")
    );
    assert_eq!(entry.lang.as_deref(), Some("fr"));
}

/// Description: a syntax error quick-xml can step over (here a `<!DOCTYPE>` without a name) costs
/// only itself; after 1000 of them the parser stops, keeping what it has.
/// Expect: `b` survives 1 and 1000 such errors, and is cut off after 1001.
#[test]
fn a_syntax_error_is_stepped_over_until_a_thousand_of_them() {
    let text = |n: usize| format!("<feed><a>1</a>{}<b>2</b></feed>", "<!DOCTYPE>".repeat(n));
    for n in [1, 1000] {
        let text = text(n);
        let d = parse(&text).expect("parses");
        assert_eq!(
            d.root.child_text(&[Ns::None], "b").as_deref(),
            Some("2"),
            "{n} errors"
        );
        assert!(matches!(kinds(&d)[0], Recovery::Syntax(_)), "{:?}", d.notes);
    }
    let text = text(1001);
    let d = parse(&text).expect("parses");
    assert_eq!(d.root.child_text(&[Ns::None], "a").as_deref(), Some("1"));
    assert_eq!(
        d.root.child_text(&[Ns::None], "b"),
        None,
        "the rest is cut off"
    );
}
