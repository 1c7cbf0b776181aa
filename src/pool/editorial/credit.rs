//! Credit that every reader shows. `atom:source` and JSON's `_source` name the partner, but
//! newsboat, rss-parser, XML::Feed and every JSON Feed reader ignore both, so a partner's item
//! would show only its authors. `[output] credit` adds the partner where readers do look: one
//! short line at the top of the content ("From <a>Empower Foundation</a>", in the entry's language
//! where `[output] credit_words` gives the word), or in the author name ("Kay Thi Win (NSWP)").
//!
//! Applied to the Atom and JSON outputs only: the HTML pages name the partner on every entry
//! already. Pure and deterministic, so an entry reads the same in every feed and view.

use std::borrow::Cow;

use crate::config::{Config, CreditStyle};
use crate::model::Entry;
use crate::text::escape::escape;

/// The entry as the feeds publish it.
pub fn apply<'a>(cfg: &Config, e: &'a Entry) -> Cow<'a, Entry> {
    let Some(s) = &e.source else {
        return Cow::Borrowed(e);
    };
    match cfg.output.credit {
        CreditStyle::None => Cow::Borrowed(e),
        CreditStyle::Author => {
            let mut e = e.clone();
            for a in &mut e.authors {
                if a.name != s.name {
                    a.name = format!("{} ({})", a.name, s.name);
                }
            }
            Cow::Owned(e)
        }
        CreditStyle::Content => {
            let word = e
                .language
                .as_deref()
                .map(crate::text::lang::primary)
                .and_then(|l| cfg.output.credit_words.get(&l))
                .map_or("From", String::as_str);
            let name = escape(&s.name);
            let line = match s.homepage.as_deref() {
                Some(h) => format!(
                    "<p class=\"feedbraid-credit\">{} <a href=\"{}\">{name}</a></p>",
                    escape(word),
                    escape(h)
                ),
                None => format!("<p class=\"feedbraid-credit\">{} {name}</p>", escape(word)),
            };
            let mut e = e.clone();
            match (&mut e.content, &mut e.summary) {
                (Some(c), _) => c.insert_str(0, &line),
                (None, Some(s)) => s.insert_str(0, &line),
                (None, None) => e.summary = Some(line),
            }
            Cow::Owned(e)
        }
    }
}
