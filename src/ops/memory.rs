//! Memory a run's stage freed, given back to the system before the next stage grows.
//!
//! glibc's allocator gives each thread that allocates an arena of its own, and keeps what is
//! freed in an arena for reuse there. A run's stages allocate on different threads (documents
//! are parsed on the blocking pool, the library's rows made on scoped threads, pages on the
//! main one), so the pages one stage freed stayed resident, unused, while the next one grew: at
//! 5,000 × 20 (issue 25) 10–15 MB of a cold run's peak RSS of 180–183 MB, and 6–10 MB of a 10 %
//! changed run's 107 MB. `malloc_trim(0)` hands the free pages of every arena back (milliseconds).
//!
//! This is the crate's one `unsafe`, allowed here alone (`unsafe_code` is denied everywhere
//! else): a C call that takes no pointer and has no precondition. Nothing safe says it: Rust's
//! allocator interface has no trim, and glibc's tunables (`glibc.malloc.arena_max`, which cut
//! the same runs' RSS too, for 3–8 % more time) are read only when a process starts. Other C
//! libraries (musl) and systems keep their own policy, and this does nothing there. The
//! `feedbraid` binary allocates with jemalloc (`src/alloc.rs`, which hands freed pages back by
//! itself); what still comes from glibc there, SQLite's page cache among it, is trimmed here.

/// Returns the allocator's free pages to the system (see the module header).
#[allow(unsafe_code)]
pub fn give_back_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` takes a byte count, no pointer, and may be called at any time from
    // any thread (glibc locks each arena while it trims it).
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    use super::give_back_freed;

    /// The process's resident anonymous memory, in KB.
    fn anon_kb() -> u64 {
        let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("RssAnon:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("RssAnon")
    }

    #[test]
    fn pages_freed_on_another_thread_are_given_back() {
        // Description: a thread allocates 64 MB in blocks of 4,000 bytes, keeps the last one (so
        // that its arena cannot shrink from the top), frees the others and ends, as the
        // blocking pool's threads do with the documents they parsed.
        // Expect: most of the 64 MB leaves the resident set once the freed pages are given back
        // (without the trim: 65,244 → 65,244 KB).
        let pin = std::thread::spawn(|| {
            let mut blocks: Vec<Vec<u8>> =
                (0..16_384u32).map(|i| vec![(i as u8) | 1; 4000]).collect();
            let pin = blocks.pop();
            drop(blocks);
            pin
        })
        .join()
        .expect("the allocating thread");
        let before = anon_kb();
        give_back_freed();
        let after = anon_kb();
        assert!(
            before.saturating_sub(after) > 32 * 1024,
            "resident anonymous memory {before} → {after} KB"
        );
        drop(pin);
    }
}
