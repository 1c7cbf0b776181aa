//! What the XML front end recovered from: typed kinds (for tests and reports), each with the line
//! it first happened on and how often, so that a report line stays short on a badly broken feed.

/// Where a strict parser would have stopped, and what was done instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recovery {
    UndeclaredEntity(String),
    UnknownEntity(String),
    BareAmpersand,
    InvalidCharRef(String),
    MismatchedEnd { open: String, close: String },
    StrayEnd(String),
    CutOff(String),
    BeforeRoot,
    Syntax(String),
    TooDeep,
    BogusDeclaration,
}

impl std::fmt::Display for Recovery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Recovery::UndeclaredEntity(n) => write!(f, "undeclared entity &{n};"),
            Recovery::UnknownEntity(n) => write!(f, "unknown entity &{n}; kept as text"),
            Recovery::BareAmpersand => f.write_str("bare &"),
            Recovery::InvalidCharRef(n) => write!(f, "invalid character reference &{n};"),
            Recovery::MismatchedEnd { open, close } => write!(f, "</{close}> closes <{open}>"),
            Recovery::StrayEnd(n) => write!(f, "stray </{n}> ignored"),
            Recovery::CutOff(n) => write!(f, "document cut off inside <{n}>"),
            Recovery::BeforeRoot => f.write_str("text before the root element"),
            Recovery::Syntax(e) => write!(f, "malformed markup ({e})"),
            Recovery::TooDeep => f.write_str("elements nested too deep flattened"),
            Recovery::BogusDeclaration => f.write_str("bogus <!...> declaration skipped"),
        }
    }
}

/// One recovery and where it first happened (1-based line); repeats are counted, not listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub what: Recovery,
    pub line: usize,
    pub count: usize,
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at line {}", self.what, self.line)?;
        if self.count > 1 {
            write!(f, " ({} times)", self.count)?;
        }
        Ok(())
    }
}

/// Groups notes by kind, keeping the first line of each.
pub(super) fn summarise(text: &str, notes: Vec<(Recovery, usize)>) -> Vec<Note> {
    let mut out: Vec<Note> = Vec::new();
    for (what, at) in notes {
        match out.iter_mut().find(|n| n.what == what) {
            Some(n) => n.count += 1,
            None => out.push(Note {
                line: 1 + text.as_bytes()[..at.min(text.len())]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count(),
                what,
                count: 1,
            }),
        }
    }
    out
}
