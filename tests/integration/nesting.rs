//! Defect 3 of issue 14: deeply nested HTML cost quadratic CPU in html5ever's tree builder (100,000
//! `<div>`s: 27.7 s, every run). The sanitiser now flattens past `depth::MAX_DEPTH` first. These
//! tests bound the work, not the clock: what html5ever is handed is never deeper than the limit
//! (its per-tag scope walks are bounded by the depth, so the cost is linear in the size), and no
//! text is lost on the way.

use feedbraid::ingest::normalise::html::Sanitizer;
use feedbraid::text::depth::{MAX_DEPTH, flatten, max_depth};
use proptest::prelude::*;

const TAGS: &[&str] = &[
    "div",
    "span",
    "p",
    "b",
    "i",
    "em",
    "ul",
    "li",
    "blockquote",
    "section",
    "a",
    "table",
    "td",
];

#[derive(Debug, Clone)]
enum Op {
    Open(usize),
    Close(usize),
    Text(u16),
    Br,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..TAGS.len()).prop_map(Op::Open),
        1 => (0..TAGS.len()).prop_map(Op::Close),
        2 => any::<u16>().prop_map(Op::Text),
        1 => Just(Op::Br),
    ]
}

fn html(ops: &[Op]) -> String {
    ops.iter()
        .map(|o| match o {
            Op::Open(t) => format!("<{}>", TAGS[*t]),
            Op::Close(t) => format!("</{}>", TAGS[*t]),
            Op::Text(n) => format!(" w{n} "),
            Op::Br => "<br>".into(),
        })
        .collect()
}

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.starts_with('w') && w.len() > 1)
        .map(str::to_string)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn generated_nesting_is_bounded_before_html5ever_and_keeps_its_text(
        ops in proptest::collection::vec(op(), 0..1500),
    ) {
        let input = html(&ops);
        let flat = flatten(&input, MAX_DEPTH);
        prop_assert!(max_depth(&flat) <= MAX_DEPTH);
        prop_assert_eq!(words(&flat), words(&input));
        let out = Sanitizer::new(None, &[]).clean(&input);
        let mut got = words(&out);
        let mut want = words(&input);
        got.sort();
        want.sort();
        prop_assert_eq!(got, want, "text is flattened, never lost");
        // html5ever adds implied elements (a table's tbody and tr) but no unbounded depth.
        prop_assert!(max_depth(&out) <= 3 * MAX_DEPTH + 3, "depth {}", max_depth(&out));
    }
}

#[test]
fn a_hundred_thousand_nested_divs_are_flattened_at_the_limit() {
    // 3,000 first: without the bound it fails in a second, not in minutes.
    for n in [3_000, 100_000] {
        let input = format!("{}deep text{}", "<div>".repeat(n), "</div>".repeat(n));
        let out = Sanitizer::new(None, &[]).clean(&input);
        assert_eq!(max_depth(&out), MAX_DEPTH, "{n} divs");
        assert!(out.contains("deep text"));
        assert_eq!(out.matches("<div>").count(), MAX_DEPTH);
    }
}
