//! The fuzz targets' entry points (`fuzz/fuzz_targets/`), run briefly in every `cargo test`:
//! mangled `feeds.toml` texts through config parsing, and generated markup through the sanitiser
//! and the media rewrite. Neither may panic; a config error must name a line. (Partner documents
//! get the same treatment in `mangled`.)

use proptest::prelude::*;

fn shipped_config() -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("feeds.toml"))
        .expect("feeds.toml")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]
    #[test]
    fn mangled_configs_parse_or_fail_with_a_line(at in any::<usize>(), cut in any::<bool>(), byte in 0u8..128) {
        static TEXT: std::sync::LazyLock<String> = std::sync::LazyLock::new(shipped_config);
        let mut bytes = TEXT.as_bytes().to_vec();
        let i = at % bytes.len();
        if cut { bytes.truncate(i) } else { bytes[i] = byte }
        let text = String::from_utf8_lossy(&bytes);
        if let Err(e) = feedbraid::config::Config::parse(&text, std::path::Path::new("feeds.toml")) {
            prop_assert!(e.line > 0, "{e}");
        }
    }

    #[test]
    fn generated_markup_never_panics_the_sanitiser_or_the_rewrite(html in "(<(img|iframe|a|div|p|svg|script)( (src|href|alt|onload|style)=\"[a-z:/.%&;#\" ]{0,20}\")*>|</[a-z]{1,6}>|&[a-z#0-9]{0,6};?|[a-z <>&\"'=/]{0,10}){0,40}") {
        static S: std::sync::LazyLock<feedbraid::ingest::normalise::html::Sanitizer> = std::sync::LazyLock::new(|| {
            feedbraid::ingest::normalise::html::Sanitizer::new(
                Some(url::Url::parse("https://p.example.org/news/").expect("url")),
                &["www.youtube-nocookie.com".to_string()],
            )
        });
        let clean = S.clean(&html);
        let out = feedbraid::publish::media::rewrite(&clean, &|_| None);
        prop_assert!(!out.to_lowercase().contains("<script"), "{out}");
        prop_assert!(!out.contains("<img") && !out.contains("<iframe"), "every image and frame is a link when nothing is mirrored: {out}");
    }
}
