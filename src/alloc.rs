//! The binary's allocator: jemalloc (`tikv-jemallocator`), with its options set here.
//!
//! A run allocates and frees per document, per element and per entry on every core at once:
//! glibc's allocator was about a tenth of a cold run's CPU (`_int_malloc`, `_int_free` and
//! `malloc_consolidate` among the run's top leaves). Measured on cold runs at 5,000 partners ×
//! 20 (`docs/performance.md`, issue 25, round seventeen; MB of 1,024 KB):
//! - glibc: 3.17–3.18 s, peak RSS 92–96 MB;
//! - jemalloc with its defaults: 2.72–2.93 s, but 111–114 MB (four arenas a core, each keeping
//!   the pages freed in it, and freed pages kept for ten seconds);
//! - with the options below: 2.63–2.76 s, 91–93 MB.
//!
//! The options: two arenas (each thread allocates mostly from its own cache, and every arena
//! more holds freed pages of its own); freed pages handed back after 200 ms by jemalloc's own
//! background thread (handed back at once, by the threads that free them, the run took two
//! fifths longer); no second, "muzzy" stage. mimalloc was measured too and left out: 10 % less
//! CPU, but 105–196 MB.
//!
//! `_RJEM_MALLOC_CONF` in the environment still overrides these, for an operator's diagnosis.

#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc reads its options from this symbol at start-up (the crate's `_rjem_` prefix). The
/// one `unsafe` of the crate: exporting a symbol by name, which nothing else defines.
#[allow(non_upper_case_globals, unsafe_code)]
#[unsafe(export_name = "_rjem_malloc_conf")]
pub static malloc_conf: &[u8] =
    b"narenas:2,background_thread:true,dirty_decay_ms:200,muzzy_decay_ms:0\0";
