//! Whether a string is an RFC 5322 `addr-spec` (`local@domain`), the only thing Atom's `<email>`
//! and JSON Feed may carry. Partners fill the field with anything ("editor at example dot org",
//! "Name <a@b>", "a@b, c@d"); an address that is not one is dropped and the name kept.
//!
//! Hand-written: the grammar is a dozen lines, and the crates that implement it pull in far more
//! (full RFC 5321 mailbox parsing, IDNA) than a yes/no on what we publish needs.

/// `atext` of RFC 5322 §3.2.3: the characters of an unquoted local part or domain label.
fn atext(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c) || !c.is_ascii()
}

/// `dot-atom-text`: atoms separated by single dots, no dot at either end.
fn dot_atom(s: &str) -> bool {
    !s.is_empty() && s.split('.').all(|a| !a.is_empty() && a.chars().all(atext))
}

/// `quoted-string` without folding white space: printable ASCII (and UTF-8), `\` escapes.
fn quoted(s: &str) -> bool {
    let Some(inner) = s.strip_prefix('"').and_then(|s| s.strip_suffix('"')) else {
        return false;
    };
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.next().is_none_or(|e| e.is_control()) => return false,
            '\\' => {}
            '"' => return false,
            c if c.is_control() => return false,
            _ => {}
        }
    }
    true
}

/// `domain-literal`: `[...]` of printable ASCII other than brackets and backslash.
fn domain_literal(s: &str) -> bool {
    s.strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .is_some_and(|d| {
            !d.is_empty()
                && d.chars()
                    .all(|c| c.is_ascii_graphic() && !"[]\\".contains(c))
        })
}

/// Whether `s` is an RFC 5322 `addr-spec`, at most 254 bytes long (RFC 5321's path limit).
pub fn is_addr_spec(s: &str) -> bool {
    if s.len() > 254 {
        return false;
    }
    let Some(at) = s.rfind('@') else {
        return false;
    };
    let (local, domain) = (&s[..at], &s[at + 1..]);
    (dot_atom(local) || quoted(local)) && (dot_atom(domain) || domain_literal(domain))
}

#[cfg(test)]
mod tests {
    use super::is_addr_spec;

    #[test]
    fn addresses_are_told_from_what_partners_write_instead() {
        for ok in [
            "editor@example.org",
            "first.last+tag@sub.example.co.th",
            "\"odd name\"@example.org",
            "user@[192.0.2.1]",
            "ผู้ใช้@ตัวอย่าง.ไทย",
            "a@localhost",
        ] {
            assert!(is_addr_spec(ok), "{ok}");
        }
        for bad in [
            "",
            "editor at example dot org",
            "Name <a@example.org>",
            "a@example.org, b@example.org",
            "a@@example.org",
            ".a@example.org",
            "a.@example.org",
            "a..b@example.org",
            "a@example..org",
            "a@",
            "@example.org",
            "a b@example.org",
            "a@exa mple.org",
            "\"unclosed@example.org",
            "a@[bad]x",
            "(comment)a@example.org",
        ] {
            assert!(!is_addr_spec(bad), "{bad}");
        }
        assert!(!is_addr_spec(&format!("{}@example.org", "a".repeat(250))));
    }
}
