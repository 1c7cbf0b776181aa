//! The binary a user runs is built without the dev-dependencies, and Cargo unifies a
//! dependency's features across what is built together: a feature that only a dev-dependency
//! turns on is in every test build and in no release. So the tests passed with `regex`'s Unicode
//! scripts and categories while the release refused a filter such as `\p{Han}` as a bad pattern
//! (and ran every pattern on the regex crate's slowest engine). This test compares the features
//! each dependency gets in the two builds (`cargo tree`, from `Cargo.lock`, offline); a
//! difference fails it unless it is listed below with why it cannot change what feedbraid does.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

/// Features only the tests' build has, accepted, with the dev-dependency that turns them on
/// (`cargo tree --edges features,normal,dev --invert NAME`): none changes what feedbraid does.
const ACCEPTED: &[(&str, &[&str], &str)] = &[
    (
        "chrono",
        &["default", "js-sys", "oldtime", "wasm-bindgen", "wasmbind"],
        "feed-rs: the WebAssembly clock and the 0.3 compatibility module, unused on a server",
    ),
    (
        "clap",
        &["env", "wrap_help"],
        "divan (the benchmarks): `--help` wrapped to the terminal's width; no flag reads the \
         environment, and no test reads the help's layout",
    ),
    ("clap_builder", &["env", "wrap_help"], "as clap"),
    (
        "crc32fast",
        &["default"],
        "image's PNG decoder: the same checksums",
    ),
    (
        "num-traits",
        &["default", "std"],
        "image and proptest: float functions through `std`; chrono, the one user in the \
         release build, needs none",
    ),
    (
        "rustix",
        &["termios"],
        "the terminal's width for clap's `wrap_help`, above",
    ),
    (
        "simd-adler32",
        &["const-generics", "default", "std"],
        "image's PNG decoder: the same checksums",
    ),
    (
        "url",
        &["serde"],
        "feed-rs: serialising a `Url`, which feedbraid never does",
    ),
    (
        "uuid",
        &["rng", "v4"],
        "feed-rs: random ids, which feedbraid never makes",
    ),
];

/// Each package's features (`name version` → features) in the graph of `edges`.
fn features(edges: &str) -> BTreeMap<String, BTreeSet<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["tree", "--offline", "--locked", "--edges", edges])
        .args(["--prefix", "none", "--format", "{p} {f}"])
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")))
        .output()
        .expect("cargo tree");
    assert!(
        out.status.success(),
        "cargo tree: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut all: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let [name, version, rest @ ..] = words.as_slice() else {
            continue;
        };
        let listed = rest
            .iter()
            .find(|w| !w.starts_with('('))
            .map(|f| f.split(',').map(String::from).collect::<Vec<_>>())
            .unwrap_or_default();
        all.entry(format!("{name} {version}"))
            .or_default()
            .extend(listed);
    }
    all
}

#[test]
fn a_release_build_gets_every_feature_the_tests_build_gets() {
    let release = features("normal,build");
    let tests = features("normal,build,dev");
    assert!(
        release.keys().any(|k| k.starts_with("regex ")),
        "{release:?}"
    );
    let (mut unexplained, mut differing) = (Vec::new(), BTreeSet::new());
    for (package, theirs) in &tests {
        let Some(ours) = release.get(package) else {
            continue;
        };
        let name = package.split(' ').next().unwrap_or_default();
        let accepted: BTreeSet<&str> = ACCEPTED
            .iter()
            .filter(|(n, _, _)| *n == name)
            .flat_map(|(_, f, _)| f.iter().copied())
            .collect();
        let mut only_tests = Vec::new();
        for f in theirs.difference(ours) {
            differing.insert((name, f.as_str()));
            if !accepted.contains(f.as_str()) {
                only_tests.push(f);
            }
        }
        if !only_tests.is_empty() {
            unexplained.push(format!("{package}: {only_tests:?}"));
        }
    }
    assert!(
        unexplained.is_empty(),
        "features only the tests' build has (name them in Cargo.toml, or accept them here with \
         why they change nothing):\n{}",
        unexplained.join("\n")
    );
    // An accepted difference that is gone is a stale entry: removed, so that the list says only
    // what is true, and a feature that returns is looked at again.
    let stale: Vec<String> = ACCEPTED
        .iter()
        .flat_map(|&(n, fs, _)| fs.iter().map(move |&f| (n, f)))
        .filter(|nf| !differing.contains(nf))
        .map(|(n, f)| format!("{n}: {f}"))
        .collect();
    assert!(
        stale.is_empty(),
        "accepted, but no longer only in the tests' build (remove from ACCEPTED): {stale:?}"
    );
}
