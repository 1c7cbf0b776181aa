//! Character data between two tags that holds references (`&lt;p&gt;`), split into the pieces
//! quick-xml's events would give (text, reference, a dangling `&`), in one pass.
//!
//! Why: entity-escaped HTML, the usual RSS `<description>`, has a reference every few
//! characters, and quick-xml gives each one and each text between two of them its own event. At
//! 5,000 generated partners there were 3.7 ampersands per tag, so about four events in five
//! were these, each a turn of the reader's state machine and of the front end's loop (issue
//! 25).
//! `xml` hands a run here and restarts the reader at the run's end. Hand-written: it is
//! quick-xml's own rule (`read_text` and `read_ref` over a byte slice), which its API does not
//! offer apart from the reader; the tests hold it to quick-xml's events.

use memchr::memchr;

/// One piece of a run, as quick-xml's event for it would carry it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Piece<'t> {
    /// Text without an ampersand (`Event::Text`).
    Text(&'t str),
    /// A reference's name, between `&` and `;` (`Event::GeneralRef`).
    Ref(&'t str),
    /// An ampersand with no `;` before the next `&` or the run's end, and what follows it up to
    /// there (`Event::Text` starting with `&`, given where dangling ampersands are allowed).
    Dangling(&'t str),
}

/// The end of the run of character data that starts at `at` in `text`: the next `<`, or the
/// end of `text`.
pub(super) fn run_end(text: &str, at: usize) -> usize {
    memchr(b'<', &text.as_bytes()[at..]).map_or(text.len(), |i| at + i)
}

/// The pieces of `run` (character data without a `<`) with each one's offset in it. Never an
/// empty text: quick-xml gives no event for one.
pub(super) fn pieces(run: &str) -> Pieces<'_> {
    Pieces { run, at: 0 }
}

/// See [`pieces`].
#[derive(Debug)]
pub(super) struct Pieces<'t> {
    run: &'t str,
    at: usize,
}

impl<'t> Iterator for Pieces<'t> {
    type Item = (usize, Piece<'t>);

    fn next(&mut self) -> Option<Self::Item> {
        let (run, at) = (self.run, self.at);
        let rest = run.as_bytes().get(at..).filter(|r| !r.is_empty())?;
        // Every byte this splits at is ASCII, so every slice is on a character boundary.
        let (piece, end) = if rest[0] != b'&' {
            let end = memchr(b'&', rest).map_or(run.len(), |i| at + i);
            (Piece::Text(&run[at..end]), end)
        } else {
            // A reference's name is a few bytes: a byte loop finds its end sooner than a
            // vectorised search, and a dangling `&` ends its scan at the next one.
            match rest[1..].iter().position(|&b| b == b';' || b == b'&') {
                Some(i) if rest[1 + i] == b';' => {
                    (Piece::Ref(&run[at + 1..at + 1 + i]), at + i + 2)
                }
                Some(i) => (Piece::Dangling(&run[at..at + 1 + i]), at + 1 + i),
                None => (Piece::Dangling(&run[at..]), run.len()),
            }
        };
        self.at = end;
        Some((at, piece))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use quick_xml::events::Event;

    /// What quick-xml gives for `run` inside an element, configured as the front end configures
    /// it, each event with its offset in `run`.
    fn quick_xml(run: &str) -> Vec<(usize, Piece<'_>)> {
        let doc = format!("<r>{run}</r>");
        let mut r = quick_xml::Reader::from_str(&doc);
        r.config_mut().allow_dangling_amp = true;
        let mut out = Vec::new();
        loop {
            let at = r.buffer_position() as usize;
            let piece = match r.read_event().expect("character data reads") {
                Event::Text(t) => {
                    let s = std::str::from_utf8(&t).expect("utf-8").to_string();
                    if s.starts_with('&') { (s, 2) } else { (s, 0) }
                }
                Event::GeneralRef(e) => (std::str::from_utf8(&e).expect("utf-8").to_string(), 1),
                Event::Eof => break,
                _ => continue,
            };
            out.push((at - 3, piece));
        }
        out.into_iter()
            .map(|(at, (s, kind))| {
                let within = match kind {
                    1 => &run[at + 1..at + 1 + s.len()],
                    _ => &run[at..at + s.len()],
                };
                assert_eq!(within, s);
                let piece = match kind {
                    0 => Piece::Text(within),
                    1 => Piece::Ref(within),
                    _ => Piece::Dangling(within),
                };
                (at, piece)
            })
            .collect()
    }

    #[test]
    fn escaped_html_splits_as_quick_xml_splits_it() {
        // Description: escaped markup, character references, dangling ampersands (before
        // another, at the end, before a space), a reference with no name, Thai and Chinese.
        // Expect: the pieces and offsets of quick-xml's own events.
        for run in [
            "&lt;p class=&quot;x&quot;&gt;ข่าว&lt;/p&gt;",
            "a & b &amp; c",
            "&&amp;;&",
            "x &#233;&#x4E2D; 新闻 &nbsp;",
            "&; &a b; tail&",
            "plain",
        ] {
            let ours: Vec<_> = pieces(run).collect();
            assert_eq!(ours, quick_xml(run), "{run:?}");
        }
    }

    #[test]
    fn a_run_ends_at_the_next_tag_or_the_text() {
        assert_eq!(run_end("a&amp;b<c>", 0), 7);
        assert_eq!(run_end("a&amp;b<c>", 8), 10);
        assert_eq!(run_end("<x>&amp;", 3), 8);
    }

    proptest! {
        #[test]
        fn any_run_splits_as_quick_xml_splits_it(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("&"), Just(";"), Just("#"), Just("amp"), Just("lt"), Just("x"),
                    Just(" "), Just("é"), Just("新"), Just("ข"), Just("\n"), Just("&amp;"),
                    Just("&#10;"),
                ],
                0..24,
            )
        ) {
            let run = parts.concat();
            let ours: Vec<_> = pieces(&run).collect();
            prop_assert_eq!(ours, quick_xml(&run));
        }
    }
}
