//! Reading an OPML subscription list, as readers export them: attribute names in any case
//! (`xmlUrl`, `xmlurl`), HTML entities in values (`&eacute;`), any charset, folders as nested
//! outlines named by `text` or (Thunderbird) only `title`, and extension attributes ignored.
//! Folders deeper than [`MAX_FOLDER_DEPTH`] are flattened into the deepest kept one, and the
//! outlines of one folder share its path: memory and time stay linear in the file's size.
//!
//! Pure: bytes in, the feed outlines and their folder paths out.

use std::sync::Arc;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// Why an OPML file could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpmlError {
    /// The bytes are not well-formed enough to read.
    #[error("not well-formed XML at byte {position}: {message}")]
    Xml { position: u64, message: String },
    /// The document's root element is not `<opml>` (an HTML page, an RSS feed...).
    #[error("not an OPML file: the root element is <{root}>, not <opml>")]
    NotOpml { root: String },
    /// There is no element at all.
    #[error("not an OPML file: the document is empty")]
    Empty,
    /// `<opml>` has no `<body>`, so it lists nothing.
    #[error("not an OPML file: <opml> has no <body>")]
    NoBody,
    /// The file ends before `</opml>`: part of the list may be missing.
    #[error("the file is cut off: it ends before </opml>")]
    Truncated,
}

/// One outline that is a feed (it has an `xmlUrl`) or a lone leaf that is not one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outline {
    /// `title`, else `text`, trimmed; `None` when both are missing or blank.
    pub name: Option<String>,
    /// `xmlUrl` as written (trimmed); `None` when missing or empty.
    pub xml_url: Option<String>,
    /// `htmlUrl` as written.
    pub html_url: Option<String>,
    /// `language` as written.
    pub language: Option<String>,
    /// `type` as written (`rss`, `atom`, `link`...).
    pub kind: Option<String>,
    /// `category` as written (OPML 2.0: comma-separated, slash-delimited paths).
    pub category: Option<String>,
    /// The titles of the folders this outline sits in, outermost first: at most
    /// [`MAX_FOLDER_DEPTH`] (shared between the outlines of one folder).
    pub folders: Arc<[Arc<str>]>,
    /// How many folders deeper than [`MAX_FOLDER_DEPTH`] it sat in (flattened: left out of
    /// `folders`).
    pub flattened: usize,
}

/// The folder levels an outline keeps (issue 27, defect 9): deeper folders are flattened into
/// the 64th, so no file costs more than linear memory and time however deep it nests.
pub const MAX_FOLDER_DEPTH: usize = 64;

/// One open `<outline>`: a folder (its name is on the folder stack unless flattened) or a feed.
struct Frame {
    folder: bool,
    children: bool,
    leaf: Outline,
}

/// The open folders: the outer [`MAX_FOLDER_DEPTH`] names, how many deeper ones are open, and
/// the names as the outlines share them (made again only when a folder opens or closes).
#[derive(Default)]
struct Folders {
    names: Vec<Arc<str>>,
    deeper: usize,
    shared: Option<Arc<[Arc<str>]>>,
}

impl Folders {
    fn open(&mut self, name: String) {
        if self.names.len() < MAX_FOLDER_DEPTH {
            self.names.push(name.into());
            self.shared = None;
        } else {
            self.deeper += 1;
        }
    }

    fn close(&mut self) {
        if self.deeper > 0 {
            self.deeper -= 1;
        } else if self.names.pop().is_some() {
            self.shared = None;
        }
    }

    /// `o` placed in the open folders.
    fn place(&mut self, mut o: Outline) -> Outline {
        o.folders = Arc::clone(
            self.shared
                .get_or_insert_with(|| self.names.iter().cloned().collect()),
        );
        o.flattened = self.deeper;
        o
    }
}

/// Reads the outlines in document order.
pub fn parse(bytes: &[u8]) -> Result<Vec<Outline>, OpmlError> {
    let text = crate::ingest::decode::decode(bytes, None).text;
    let mut reader = Reader::from_str(&text);
    reader.config_mut().check_end_names = false;
    let xml_err = |r: &Reader<&[u8]>, e: &dyn std::fmt::Display| OpmlError::Xml {
        position: r.error_position(),
        message: e.to_string(),
    };
    let (mut root_seen, mut in_opml, mut in_body, mut body_seen) = (false, false, false, false);
    let mut stack: Vec<Frame> = Vec::new();
    let mut folders = Folders::default();
    let mut out = Vec::new();
    loop {
        let ev = reader.read_event().map_err(|e| xml_err(&reader, &e))?;
        let (start, empty) = match ev {
            Event::Eof => break,
            Event::Start(s) => (s, false),
            Event::Empty(s) => (s, true),
            Event::End(e) => {
                let name = local_lower(e.name().as_ref());
                if name == "outline" && in_body {
                    if let Some(f) = stack.pop() {
                        if f.folder {
                            folders.close();
                        }
                        if f.folder && !f.children {
                            out.push(folders.place(f.leaf));
                        }
                    }
                } else if name == "body" {
                    in_body = false;
                    stack.clear();
                    folders = Folders::default();
                } else if name == "opml" {
                    in_opml = false;
                }
                continue;
            }
            _ => continue,
        };
        let name = local_lower(start.name().as_ref());
        if !root_seen {
            root_seen = true;
            if name != "opml" {
                return Err(OpmlError::NotOpml { root: name });
            }
            in_opml = !empty;
            continue;
        }
        if name == "body" && in_opml && !in_body {
            body_seen = true;
            in_body = !empty;
            continue;
        }
        if name != "outline" || !in_body {
            continue;
        }
        if let Some(parent) = stack.last_mut() {
            parent.children = true;
        }
        let o = outline(&start);
        match (o.xml_url.is_some(), empty) {
            (true, true) | (false, true) => out.push(folders.place(o)),
            (true, false) => {
                out.push(folders.place(o));
                stack.push(Frame {
                    folder: false,
                    children: false,
                    leaf: Outline::default(),
                });
            }
            (false, false) => {
                folders.open(folder_name(&start).unwrap_or_default());
                // Placed when it closes, if it turns out to be an empty folder.
                stack.push(Frame {
                    folder: true,
                    children: false,
                    leaf: o,
                });
            }
        }
    }
    match (root_seen, body_seen, in_opml) {
        (false, _, _) => Err(OpmlError::Empty),
        (true, _, true) => Err(OpmlError::Truncated),
        (true, false, false) => Err(OpmlError::NoBody),
        (true, true, false) => Ok(out),
    }
}

/// The element name without any prefix, lower case.
fn local_lower(name: &[u8]) -> String {
    let n = String::from_utf8_lossy(name);
    n.rsplit(':')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// The value of the un-prefixed attribute `key` (any case), entities decoded, trimmed; `None` when
/// missing or blank. Malformed attributes are passed over.
fn attr(start: &BytesStart<'_>, key: &str) -> Option<String> {
    start
        .attributes()
        .with_checks(false)
        .filter_map(Result::ok)
        .find(|a| a.key.as_ref().eq_ignore_ascii_case(key.as_bytes()))
        .map(|a| {
            let raw = String::from_utf8_lossy(&a.value);
            crate::text::entities::decode(&raw).trim().to_string()
        })
        .filter(|v| !v.is_empty())
}

fn outline(start: &BytesStart<'_>) -> Outline {
    Outline {
        name: attr(start, "title").or_else(|| attr(start, "text")),
        xml_url: attr(start, "xmlUrl"),
        html_url: attr(start, "htmlUrl"),
        language: attr(start, "language"),
        kind: attr(start, "type"),
        category: attr(start, "category"),
        ..Outline::default()
    }
}

/// A folder's name: `text` (the OPML 2.0 rule), else `title` (Thunderbird writes only that).
fn folder_name(start: &BytesStart<'_>) -> Option<String> {
    attr(start, "text").or_else(|| attr(start, "title"))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::{MAX_FOLDER_DEPTH, OpmlError, parse};

    #[test]
    fn folders_case_and_entities() {
        let doc = br#"<?xml version="1.0"?>
<OPML version="1.0"><head><title>x</title></head><body>
  <outline title="Caf&eacute; &amp; co">
    <outline title="Inner">
      <outline TYPE="rss" XMLURL="https://a.example.org/feed" text="A&nbsp;feed" htmlurl="https://a.example.org/"/>
    </outline>
  </outline>
  <outline type="rss" xmlUrl="https://b.example.org/rss" text="B" category="/x,/y"></outline>
  <outline type="link" text="Just a link" url="https://c.example.org/"/>
</body></OPML>"#;
        let o = parse(doc).expect("parses");
        assert_eq!(o.len(), 3, "{o:?}");
        assert_eq!(o[0].name.as_deref(), Some("A\u{a0}feed"));
        assert_eq!(o[0].xml_url.as_deref(), Some("https://a.example.org/feed"));
        assert_eq!(o[0].html_url.as_deref(), Some("https://a.example.org/"));
        assert_eq!(o[0].kind.as_deref(), Some("rss"));
        let want: Vec<Arc<str>> = vec!["Café & co".into(), "Inner".into()];
        assert_eq!(o[0].folders.to_vec(), want);
        assert!(o[1].folders.is_empty());
        assert_eq!(o[1].category.as_deref(), Some("/x,/y"));
        assert_eq!(o[2].xml_url, None);
        assert_eq!(o[2].name.as_deref(), Some("Just a link"));
    }

    #[test]
    fn clear_errors_for_what_is_not_opml() {
        assert_eq!(
            parse(b"<html><body>hi</body></html>"),
            Err(OpmlError::NotOpml {
                root: "html".into()
            })
        );
        assert_eq!(parse(b"   "), Err(OpmlError::Empty));
        assert_eq!(
            parse(b"<opml version=\"2.0\"><head/></opml>"),
            Err(OpmlError::NoBody)
        );
        assert_eq!(
            parse(b"<opml><body><outline text=\"a\" xmlUrl=\"https://a.org/\"/>"),
            Err(OpmlError::Truncated)
        );
        assert!(matches!(
            parse(b"<opml><body><outline text=\"a></body></opml>"),
            Err(OpmlError::Xml { .. })
        ));
    }

    #[test]
    fn folders_past_the_limit_are_flattened_and_counted() {
        let depth = MAX_FOLDER_DEPTH + 10;
        let mut doc = String::from("<opml><body>");
        for i in 0..depth {
            doc.push_str(&format!("<outline text=\"f{i}\">"));
        }
        doc.push_str("<outline text=\"deep\" xmlUrl=\"https://d.example.org/\"/>");
        doc.push_str("<outline text=\"empty\"></outline>");
        for _ in 0..depth {
            doc.push_str("</outline><outline text=\"s\" xmlUrl=\"https://s.example.org/\"/>");
        }
        doc.push_str("</body></opml>");
        let o = parse(doc.as_bytes()).expect("parses");
        assert_eq!(o[0].folders.len(), MAX_FOLDER_DEPTH);
        assert_eq!((&*o[0].folders[63], o[0].flattened), ("f63", 10));
        assert_eq!((o[1].name.as_deref(), o[1].flattened), (Some("empty"), 10));
        // Closing the flattened folders first, then the kept ones.
        let levels: Vec<(usize, usize)> = o[2..]
            .iter()
            .map(|x| (x.folders.len(), x.flattened))
            .collect();
        assert_eq!(levels[0], (MAX_FOLDER_DEPTH, 9));
        assert_eq!(levels[9], (MAX_FOLDER_DEPTH, 0));
        assert_eq!(levels[10], (MAX_FOLDER_DEPTH - 1, 0));
        assert_eq!(*levels.last().expect("some"), (0, 0));
        // The outlines of one folder share its path.
        let o = parse(
            b"<opml><body><outline text=\"F\"><outline xmlUrl=\"https://a.example.org/\"/>\
              <outline xmlUrl=\"https://b.example.org/\"/></outline></body></opml>",
        )
        .expect("parses");
        assert!(Arc::ptr_eq(&o[0].folders, &o[1].folders));
    }
}
