//! Fuzz target: `feedbraid import`'s pure part. Any bytes go through the OPML reader; what reads
//! is planned against a config with sources (intranet feeds allowed or not, by the first byte),
//! and the planned `[[source]]` tables are appended to that config's text, which must then pass
//! `feedbraid check`: an import never plans a source the config would reject. Never a panic;
//! time and memory linear in the input (folders flattened past 64 levels, naming by hash).
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use feedbraid::config::Config;
use feedbraid::ops::import::{PlanRules, append_sources, parse, plan_import};
use libfuzzer_sys::fuzz_target;

const CONFIG: &str = "# The network's feed.\n[feed]\ntitle = \"T\"\nid = \"tag:x.example.org,2026:f\"\n\
    link = \"https://x.example.org/\"\nself_url = \"https://x.example.org/feed.atom\"\n\
    author = { name = \"X\" }\n\n[[source]]\nname = \"Empower\"\nurl = \"https://www.empower.example.org/feed/\"\n\
    \n[[source]]\nname = \"Zi Teng\"\npath = \"zi.xml\"\n\n[[source]]\nname = \"News (a.example.org)\"\n\
    url = \"https://n.example.org/feed\"\n";

fn config() -> &'static Config {
    static CFG: OnceLock<Config> = OnceLock::new();
    CFG.get_or_init(|| Config::parse(CONFIG, Path::new("feeds.toml")).expect("the seed config is valid"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(outlines) = parse(data) else {
        return;
    };
    let rules = PlanRules {
        allow_intranet: data.first().is_some_and(|b| b & 1 == 1),
    };
    let plan = plan_import(&config().sources, &outlines, rules);
    let _ = plan.added.iter().map(|a| a.dropped.iter().map(ToString::to_string).count()).sum::<usize>();
    let _ = plan.skipped.iter().map(|s| s.reason.to_string()).count();
    if plan.added.is_empty() {
        return;
    }
    let text = append_sources(CONFIG, &plan.added).expect("the seed config takes [[source]] tables");
    if let Err(e) = Config::parse(&text, Path::new("feeds.toml")) {
        panic!("the plan breaks the config: {e}\n{text}");
    }
});
