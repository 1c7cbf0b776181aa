//! Fuzz target: one partner document through decode, the XML front end, the format adapters and
//! normalising, then the publish-time sanitising of every entry (`clean`). Must never panic,
//! whatever the bytes.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;

static CFG: LazyLock<feedbraid::config::Config> = LazyLock::new(|| {
    feedbraid::config::Config::parse(
        "[feed]\ntitle = \"F\"\nid = \"tag:f.example.org,2026:f\"\nlink = \"https://f.example.org/\"\n\
         self_url = \"https://f.example.org/feed.atom\"\nauthor = { name = \"F\" }\n\n\
         [[source]]\nname = \"P\"\nurl = \"https://p.example.org/feed\"\niframe_hosts = [\"www.youtube-nocookie.com\"]\n",
        std::path::Path::new("feeds.toml"),
    )
    .expect("config")
});

fuzz_target!(|data: &[u8]| {
    let url = url::Url::parse("https://p.example.org/feed").expect("url");
    if let Ok(parsed) = feedbraid::ingest::parse::parse_feed(data, None, Some(&url)) {
        let ctx = feedbraid::ingest::normalise::FeedContext::new(
            &CFG.sources[0],
            &parsed.feed,
            Some(&url),
            chrono::Utc::now(),
        );
        let settings = feedbraid::publish::clean::Settings::of_source(&CFG.sources[0]);
        for item in &parsed.feed.items {
            let _ = feedbraid::ingest::normalise::item_hash(&ctx, item);
            if let Ok(e) = ctx.entry(item, &|_| None) {
                let sanitizer = settings.sanitizer(ctx.base_of(item));
                let _ = feedbraid::publish::clean::clean(
                    &settings,
                    &sanitizer,
                    e.summary.as_deref(),
                    e.content.as_deref(),
                );
            }
        }
    }
});
