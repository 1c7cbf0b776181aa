//! Fuzz target: `feeds.toml` parsing and validation. Any text gives a config or an error naming a
//! file and line; never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = feedbraid::config::Config::parse(text, std::path::Path::new("feeds.toml"));
    }
});
