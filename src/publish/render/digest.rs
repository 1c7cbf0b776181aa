//! The monthly digest as people read it in their mail: e-mail-safe HTML (inline styles, one
//! layout table, no script, no images, every link absolute, its own colours for light and dark)
//! and plain text wrapped at 72 columns with numbered links after each entry. Pure: entries in,
//! text out; `ops::digest` writes and sends them.

use chrono::{DateTime, Utc};

use crate::model::Entry;
use crate::text::escape::escape;
use crate::text::plain::{excerpt, plain};

/// What a digest says besides its entries.
#[derive(Debug, Clone)]
pub struct DigestMeta<'a> {
    /// "Sex Work Rights Network: monthly digest, 2026-11".
    pub title: String,
    /// The network's site and name, for the header and the footer.
    pub site: &'a str,
    pub network: &'a str,
    /// The interface language (`lang` on the page).
    pub lang: &'a str,
    /// Where to read the digest online (`digest/YYYY-MM.html`), and the feed.
    pub web_url: Option<String>,
    pub feed_url: &'a str,
    pub unsubscribe: Option<&'a str>,
}

/// The excerpt an entry shows: its summary, else its content, as plain text.
fn blurb(e: &Entry) -> String {
    let html = e.summary.as_deref().or(e.content.as_deref()).unwrap_or("");
    excerpt(&plain(html), 280)
}

fn date(e: &Entry) -> DateTime<Utc> {
    e.published.unwrap_or(e.updated)
}

fn partner(e: &Entry, network: &str) -> String {
    e.source
        .as_ref()
        .map_or_else(|| network.to_string(), |s| s.title.clone())
}

const STYLE: &str = "body{margin:0;padding:0;background:#ffffff;color:#1a1a1a}\
a{color:#0b57a4}\
@media (prefers-color-scheme: dark){body,.fb-bg{background:#121212 !important;color:#ececec !important}\
a{color:#8cc4ff !important}.fb-muted{color:#bdbdbd !important}}";

/// The HTML part (and the page under `digest/`).
pub fn html(meta: &DigestMeta<'_>, groups: &[(String, Vec<Entry>)]) -> String {
    let mut s = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n\
         <meta name=\"supported-color-schemes\" content=\"light dark\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n\
         <body class=\"fb-bg\" style=\"margin:0;padding:0;background:#ffffff;color:#1a1a1a\">\n\
         <table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" class=\"fb-bg\" style=\"background:#ffffff\"><tr><td align=\"center\" style=\"padding:16px\">\n\
         <main style=\"max-width:600px;margin:0 auto;text-align:left;font-family:'Noto Sans','Noto Sans Thai','Noto Sans CJK SC',Arial,sans-serif;font-size:16px;line-height:1.5\">\n\
         <h1 style=\"font-size:22px;line-height:1.3;margin:0 0 8px\">{title}</h1>\n",
        lang = escape(meta.lang),
        title = escape(&meta.title),
    );
    if let Some(web) = &meta.web_url {
        s.push_str(&format!(
            "<p class=\"fb-muted\" style=\"margin:0 0 16px;color:#555555;font-size:14px\"><a href=\"{}\" style=\"color:#0b57a4\">Read this digest online</a></p>\n",
            escape(web)
        ));
    }
    if groups.iter().all(|g| g.1.is_empty()) {
        s.push_str("<p>Nothing new was published this month.</p>\n");
    }
    for (heading, entries) in groups {
        if !heading.is_empty() {
            s.push_str(&format!(
                "<h2 style=\"font-size:18px;margin:24px 0 8px;border-bottom:1px solid #cccccc;padding-bottom:4px\">{}</h2>\n",
                escape(heading)
            ));
        }
        for e in entries {
            s.push_str(&entry_html(e, meta.network));
        }
    }
    s.push_str(&format!(
        "<hr style=\"border:0;border-top:1px solid #cccccc;margin:24px 0 8px\">\n\
         <p class=\"fb-muted\" style=\"font-size:13px;color:#555555\">From <a href=\"{site}\" style=\"color:#0b57a4\">{network}</a>. \
         Follow the <a href=\"{feed}\" style=\"color:#0b57a4\">feed</a> in a reader.",
        site = escape(meta.site),
        network = escape(meta.network),
        feed = escape(meta.feed_url),
    ));
    if let Some(u) = meta.unsubscribe {
        s.push_str(&format!(
            " <a href=\"{}\" style=\"color:#0b57a4\">Unsubscribe</a>.",
            escape(u)
        ));
    }
    s.push_str("</p>\n</main>\n</td></tr></table>\n</body>\n</html>\n");
    s
}

fn entry_html(e: &Entry, network: &str) -> String {
    let lang = e
        .language
        .as_deref()
        .map(|l| format!(" lang=\"{}\"", escape(l)))
        .unwrap_or_default();
    let mut s = format!(
        "<article style=\"margin:0 0 20px\">\n<h3 style=\"font-size:17px;margin:0 0 4px\"{lang}><a href=\"{}\" style=\"color:#0b57a4\">{}</a></h3>\n\
         <p class=\"fb-muted\" style=\"margin:0 0 4px;font-size:14px;color:#555555\">{} · {}</p>\n",
        escape(&e.link),
        escape(&e.title),
        escape(&partner(e, network)),
        date(e).format("%-d %B %Y"),
    );
    let b = blurb(e);
    if !b.is_empty() {
        s.push_str(&format!("<p style=\"margin:0\"{lang}>{}</p>\n", escape(&b)));
    }
    for enc in &e.enclosures {
        s.push_str(&format!(
            "<p style=\"margin:4px 0 0;font-size:14px\"><a href=\"{}\" style=\"color:#0b57a4\">Download {}</a></p>\n",
            escape(&enc.url),
            escape(&enc.title.clone().unwrap_or_else(|| e.title.clone()))
        ));
    }
    s.push_str("</article>\n");
    s
}

/// The plain-text part: 72 columns, each entry's links numbered after it.
pub fn text(meta: &DigestMeta<'_>, groups: &[(String, Vec<Entry>)]) -> String {
    let mut s = wrap(&meta.title, 72, "");
    s.push_str(&"=".repeat(meta.title.chars().map(columns).sum::<usize>().min(72)));
    s.push('\n');
    if let Some(web) = &meta.web_url {
        s.push_str(&format!("Read it online: {web}\n"));
    }
    s.push('\n');
    if groups.iter().all(|g| g.1.is_empty()) {
        s.push_str("Nothing new was published this month.\n\n");
    }
    let mut n = 0;
    for (heading, entries) in groups {
        if !heading.is_empty() {
            s.push_str(&format!("== {heading} ==\n\n"));
        }
        for e in entries {
            n += 1;
            s.push_str(&format!("{n}. "));
            s.push_str(wrap(&e.title, 72, "   ").trim_start());
            s.push_str(&format!(
                "   {} · {}\n",
                partner(e, meta.network),
                date(e).format("%-d %B %Y")
            ));
            let b = blurb(e);
            if !b.is_empty() {
                s.push_str(&wrap(&b, 72, "   "));
            }
            s.push_str(&format!("   [{n}] {}\n", e.link));
            for (i, enc) in e.enclosures.iter().enumerate() {
                s.push_str(&format!("   [{n}.{}] {}\n", i + 1, enc.url));
            }
            s.push('\n');
        }
    }
    s.push_str(&format!(
        "-- \n{} · {}\nFeed: {}\n",
        meta.network, meta.site, meta.feed_url
    ));
    if let Some(u) = meta.unsubscribe {
        s.push_str(&format!("Unsubscribe: {u}\n"));
    }
    s
}

/// How many columns a character takes: two for the wide East Asian ranges, none for Thai
/// combining marks, one otherwise.
fn columns(c: char) -> usize {
    match c as u32 {
        0x0E31 | 0x0E34..=0x0E3A | 0x0E47..=0x0E4E | 0x0300..=0x036F => 0,
        0x1100..=0x115F
        | 0x2E80..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD => 2,
        _ => 1,
    }
}

/// `s` wrapped at `width` columns, each of its lines (paragraphs) on its own: words kept whole
/// unless longer than a line (as unspaced Chinese or Thai is), every line starting with
/// `indent`; ends with a newline.
pub fn wrap(s: &str, width: usize, indent: &str) -> String {
    let mut out = String::new();
    for para in s.lines().map(str::trim).filter(|p| !p.is_empty()) {
        wrap_para(para, width, indent, &mut out);
    }
    if out.is_empty() {
        out.push('\n');
    }
    out
}

fn wrap_para(para: &str, width: usize, indent: &str, out: &mut String) {
    let start = indent.len();
    let mut line = String::from(indent);
    let mut used = start;
    let mut flush = |line: &mut String, used: &mut usize| {
        out.push_str(line.trim_end());
        out.push('\n');
        line.clear();
        line.push_str(indent);
        *used = start;
    };
    for word in para.split(' ').filter(|w| !w.is_empty()) {
        let w: usize = word.chars().map(columns).sum();
        if used > start && used + 1 + w > width {
            flush(&mut line, &mut used);
        } else if used > start {
            line.push(' ');
            used += 1;
        }
        for c in word.chars() {
            if used + columns(c) > width && used > start {
                flush(&mut line, &mut used);
            }
            line.push(c);
            used += columns(c);
        }
    }
    flush(&mut line, &mut used);
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn lines_stay_within_72_columns_in_every_script() {
        let text = format!(
            "{} {} {}",
            "word ".repeat(30),
            "漢字".repeat(50),
            "ภาษาไทยที่ยาวมาก".repeat(8)
        );
        let out = wrap(&text, 72, "   ");
        for l in out.lines() {
            let cols: usize = l.chars().map(super::columns).sum();
            assert!(cols <= 72, "{cols}: {l}");
        }
        let kept: String = out.split_whitespace().collect();
        let want: String = text.split_whitespace().collect();
        assert_eq!(kept, want, "no character lost");
    }
}
