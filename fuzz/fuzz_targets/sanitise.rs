//! Fuzz target: the HTML sanitiser and its post-pass (pixel removal, lazy images, depth limit),
//! then the media rewrite that runs on its output. Never a panic.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;

static SANITIZER: LazyLock<feedbraid::ingest::normalise::html::Sanitizer> = LazyLock::new(|| {
    feedbraid::ingest::normalise::html::Sanitizer::new(
        Some(url::Url::parse("https://p.example.org/news/").expect("url")),
        &["www.youtube-nocookie.com".to_string()],
    )
});

fuzz_target!(|data: &[u8]| {
    let html = String::from_utf8_lossy(data);
    let clean = SANITIZER.clean(&html);
    let _ = feedbraid::publish::media::rewrite(&clean, &|u| Some(format!("https://us.example.org/m/{}", u.len())));
});
