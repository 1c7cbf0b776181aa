//! The dependency rule of `docs/design.md`, enforced: `src/` is layered, and a module imports only
//! its own layer and the layers below it. A back edge (say `state` importing `publish`) fails this
//! test with the file, the line and the path, before it can grow into a tangle; so does a circle
//! between two files of one layer.
//!
//! Read from the source text, as `use crate::` and `crate::`/`super::` paths (comments and string
//! literals are blanked first). A test rather than workspace crates: the layers are one crate's
//! modules, so the rule costs no build time and no `pub` that only a sibling crate would need.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, lowest first. A file may import its own layer and any earlier one.
const LAYERS: &[&[&str]] = &[
    &["text", "par"],
    &["model"],
    &["config"],
    &["state"],
    &["ingest"],
    &["pool"],
    &["publish"],
    &["ops"],
];

fn layer_of(top: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&top))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read src") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `src/a/b/c.rs` → `["a", "b", "c"]`; `mod.rs` names its folder.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file
        .strip_prefix(src)
        .expect("under src")
        .with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    // The binary (main.rs, its argument definitions in cli.rs and its allocator in alloc.rs)
    // sits above every layer.
    if parts == ["lib"] || parts == ["main"] || parts == ["cli"] || parts == ["alloc"] {
        parts.clear();
    }
    parts
}

/// The text with comments, strings and char literals blanked (line breaks kept, so that line
/// numbers stay right).
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let blank = |s: &[u8], out: &mut String| {
        for &c in s {
            out.push(if c == b'\n' { '\n' } else { ' ' });
        }
    };
    while i < b.len() {
        if b[i..].starts_with(b"//") {
            let end = text[i..].find('\n').map_or(b.len(), |n| i + n);
            blank(&b[i..end], &mut out);
            i = end;
        } else if b[i] == b'"' {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(b.len());
            blank(&b[i..end], &mut out);
            i = end;
        } else if b[i] == b'r' && (b[i..].starts_with(b"r#\"") || b[i..].starts_with(b"r\"")) {
            let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
            let close = format!("\"{}", "#".repeat(hashes));
            let start = i + 2 + hashes;
            let end = text[start..]
                .find(&close)
                .map_or(b.len(), |n| start + n + close.len());
            blank(&b[i..end], &mut out);
            i = end;
        } else {
            let ch = text[i..].chars().next().expect("char");
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// Every `crate::a::b` path in the code (a `use crate::{x, y::z}` group gives one per member),
/// with its line; `super::` paths resolved against `module`.
fn paths(code: &str, module: &[String], is_mod_rs: bool) -> Vec<(usize, Vec<String>)> {
    let mut out = Vec::new();
    for (n, line) in code.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find("crate::").or_else(|| rest.find("super::")) {
            let after = &rest[at..];
            let (base, tail) = if let Some(t) = after.strip_prefix("crate::") {
                (Vec::new(), t)
            } else {
                let mut t = after;
                let mut base: Vec<String> = if is_mod_rs {
                    module.to_vec()
                } else {
                    module[..module.len().saturating_sub(1)].to_vec()
                };
                let mut first = true;
                while let Some(r) = t.strip_prefix("super::") {
                    if !first {
                        base.pop();
                    }
                    first = false;
                    t = r;
                }
                (base, t)
            };
            let word_end = |s: &str| {
                s.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                    .unwrap_or(s.len())
            };
            let next;
            if let Some(group) = tail.strip_prefix('{') {
                let close = group.find('}').unwrap_or(group.len());
                next = &group[close..];
                for member in group[..close].split(',') {
                    let m = member.trim();
                    let m = &m[..word_end(m)];
                    let mut p = base.clone();
                    p.extend(
                        m.split("::")
                            .filter(|s| !s.is_empty() && *s != "self")
                            .map(String::from),
                    );
                    out.push((n + 1, p));
                }
            } else {
                let w = &tail[..word_end(tail)];
                next = &tail[w.len()..];
                let mut p = base.clone();
                p.extend(w.split("::").filter(|s| !s.is_empty()).map(String::from));
                out.push((n + 1, p));
            }
            rest = next;
        }
    }
    out
}

#[test]
fn no_layer_imports_a_layer_above_it_and_no_files_form_a_circle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let modules: BTreeMap<Vec<String>, PathBuf> = files
        .iter()
        .map(|f| (module_of(&src, f), f.clone()))
        .collect();
    let mut back_edges = Vec::new();
    let mut edges: BTreeMap<PathBuf, BTreeSet<PathBuf>> = BTreeMap::new();
    for f in &files {
        let me = module_of(&src, f);
        let Some(my_top) = me.first() else {
            continue; // lib.rs and main.rs sit above every layer
        };
        let mine = layer_of(my_top).unwrap_or_else(|| {
            panic!("src/{my_top} is in no layer: add it to LAYERS and docs/design.md")
        });
        let text = std::fs::read_to_string(f).expect("read");
        let is_mod_rs = f.file_name().is_some_and(|n| n == "mod.rs");
        for (line, path) in paths(&code_only(&text), &me, is_mod_rs) {
            let Some(top) = path.first() else { continue };
            let Some(theirs) = layer_of(top) else {
                continue;
            };
            if theirs > mine {
                back_edges.push(format!(
                    "{}:{line}: layer `{my_top}` imports `{}` from the higher layer `{top}`",
                    f.strip_prefix(&src).expect("under src").display(),
                    path.join("::")
                ));
            }
            // The longest module prefix of the path is the file it points at.
            let target = (1..=path.len()).rev().find_map(|n| modules.get(&path[..n]));
            if let Some(t) = target.filter(|t| *t != f) {
                edges.entry(f.clone()).or_default().insert(t.clone());
            }
        }
    }
    assert!(
        back_edges.is_empty(),
        "the dependency rule is broken (docs/design.md):\n{}",
        back_edges.join("\n")
    );
    let circle = find_circle(&edges);
    assert!(
        circle.is_none(),
        "files import each other in a circle: {:?}",
        circle
    );
}

/// One circle of the graph, if it has any (depth-first search with colours).
fn find_circle(edges: &BTreeMap<PathBuf, BTreeSet<PathBuf>>) -> Option<Vec<PathBuf>> {
    fn visit<'a>(
        n: &'a PathBuf,
        edges: &'a BTreeMap<PathBuf, BTreeSet<PathBuf>>,
        state: &mut BTreeMap<&'a PathBuf, u8>,
        stack: &mut Vec<&'a PathBuf>,
    ) -> Option<Vec<PathBuf>> {
        state.insert(n, 1);
        stack.push(n);
        for m in edges.get(n).into_iter().flatten() {
            match state.get(m) {
                Some(1) => {
                    let from = stack.iter().position(|s| *s == m).unwrap_or(0);
                    return Some(stack[from..].iter().map(|p| (*p).clone()).collect());
                }
                Some(_) => {}
                None => {
                    if let Some(c) = visit(m, edges, state, stack) {
                        return Some(c);
                    }
                }
            }
        }
        stack.pop();
        state.insert(n, 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in edges.keys() {
        if !state.contains_key(n) {
            let mut stack = Vec::new();
            if let Some(c) = visit(n, edges, &mut state, &mut stack) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn the_rule_reader_sees_use_groups_super_paths_and_ignores_comments() {
    let code = code_only(
        "use crate::{model::Entry, ops::run};\n// crate::publish in a comment\nlet s = \"crate::ops\";\nuse super::super::x::Y;\n",
    );
    let got = paths(
        &code,
        &["ingest".into(), "parse".into(), "atom".into()],
        false,
    );
    assert_eq!(
        got,
        vec![
            (1, vec!["model".into(), "Entry".into()]),
            (1, vec!["ops".into(), "run".into()]),
            (4, vec!["ingest".into(), "x".into(), "Y".into()]),
        ]
    );
    let mut edges = BTreeMap::new();
    edges.insert(PathBuf::from("a"), BTreeSet::from([PathBuf::from("b")]));
    edges.insert(PathBuf::from("b"), BTreeSet::from([PathBuf::from("a")]));
    assert!(find_circle(&edges).is_some());
    edges.remove(&PathBuf::from("b"));
    assert!(find_circle(&edges).is_none());
}
