//! Memory a run's stage freed, given back to the system before the next stage grows.
//!
//! glibc's allocator gives each thread that allocates an arena of its own, and keeps what is
//! freed in an arena for reuse there. A run's stages allocate on different threads (documents
//! are parsed on the blocking pool, the library's rows made on scoped threads, pages on the
//! main one), so the pages one stage freed stayed resident, unused, while the next one grew: at
//! 5,000 × 20 (issue 25) 14 MB of a cold run's peak RSS of 182 MB, and 6–10 MB of a 10 %
//! changed run's 107 MB. `malloc_trim(0)` hands the free pages of every arena back (milliseconds).
//!
//! This is the crate's one `unsafe`, allowed here alone (`unsafe_code` is denied everywhere
//! else): a C call that takes no pointer and has no precondition. Nothing safe says it: Rust's
//! allocator interface has no trim, and glibc's tunables (`glibc.malloc.arena_max`, which cut
//! the same runs' RSS too, for 3–8 % more time) are read only when a process starts. Other C
//! libraries (musl) and systems keep their own policy, and this does nothing there.

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
