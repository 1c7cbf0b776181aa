//! The one parallel fan-out: a slice mapped on every core with scoped threads, the results kept
//! in the slice's order. Publishing uses it to sanitise entries and to render views; nothing else
//! spawns worker threads for a map. And a stable sort of a long list in two halves on two cores
//! (the merge's order of 100,000 candidates), and two independent passes on two cores (`join`,
//! on which the halves' work is built), and a stream of items taken in turn and worked on apart
//! ([`par_stream`]).
//! Imports nothing from the crate (any layer may use it).

use std::cmp::Ordering;
use std::sync::atomic::{self, AtomicUsize};

mod stream;
pub use stream::par_stream;

/// How many threads can run at once here (1 where that cannot be told).
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// A worker thread panicked: its results are lost, so the whole map is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a worker thread panicked")]
pub struct Panicked;

/// Maps `f` over `items` on up to one scoped thread per core (never more threads than items)
/// and returns the results in the items' order. Each thread takes the next item not yet taken,
/// so a thread whose items are slow does not leave the others idle: split into one contiguous
/// run per thread, a cold run's library pages (a month of thousands of rows beside partners'
/// pages of twenty) left one core idle for nearly half of their time (issue 25, round ten).
/// Nothing is spawned for an empty slice; a panic in any worker is [`Panicked`].
pub fn par_map<T, R, F>(items: &[T], f: F) -> Result<Vec<R>, Panicked>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let threads = cores().clamp(1, items.len());
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, atomic::Ordering::Relaxed);
            let Some(item) = items.get(i) else {
                return done;
            };
            done.push((i, f(item)));
        }
    };
    let parts: Vec<Option<Vec<(usize, R)>>> = std::thread::scope(|sc| {
        let workers: Vec<_> = (0..threads).map(|_| sc.spawn(work)).collect();
        workers.into_iter().map(|w| w.join().ok()).collect()
    });
    // Every item was taken by exactly one thread: put back in the items' order.
    let mut slots: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    for part in parts {
        for (i, r) in part.ok_or(Panicked)? {
            slots[i] = Some(r);
        }
    }
    slots.into_iter().map(|r| r.ok_or(Panicked)).collect()
}

/// Sets each `out[i]` to `f(i)`, the first half on this thread, the second on another (where
/// there are two cores and enough items): for uniform work over many small results, written in
/// place, where [`par_map`]'s lists of results would hold each one three times over (4 MB each
/// at the merge's 100,000 candidates, a changed run's peak memory). A panic in either half is
/// [`Panicked`], `out` then partly filled.
pub fn par_fill<R, F>(out: &mut [R], f: F) -> Result<(), Panicked>
where
    R: Send,
    F: Fn(usize) -> R + Sync,
{
    par_each_mut(out, 4096, |i, slot| *slot = f(i))
}

/// Calls `f(i, &mut items[i])` for every item, the first half on this thread and the second on
/// another where there are two cores and at least `min` items (below that, all on this thread:
/// a thread costs more than short work). For uniform work on items owned by the caller, changed
/// in place. A panic in either half is [`Panicked`], the items then partly worked on.
pub fn par_each_mut<T, F>(items: &mut [T], min: usize, f: F) -> Result<(), Panicked>
where
    T: Send,
    F: Fn(usize, &mut T) + Sync,
{
    let work = |from: usize, part: &mut [T]| {
        for (i, item) in part.iter_mut().enumerate() {
            f(from + i, item);
        }
    };
    // Below the bound `join` runs the halves one after the other here: the items in order.
    let apart = items.len() >= min.max(2);
    let mid = items.len() / 2;
    let (front, back) = items.split_at_mut(mid);
    let work = &work;
    join(apart, || work(0, front), move || work(mid, back)).map(|_| ())
}

/// Sorts `items` as `sort_by` does (stably), its two halves on two scoped threads, then merged
/// (on a tie the left half's comes first, so the order is `sort_by`'s). Short lists, and a
/// machine with one core, are sorted on this thread. A panic in the other half's sort is
/// [`Panicked`], the items then in no particular order.
pub fn par_sort_by<T, F>(items: &mut Vec<T>, cmp: F) -> Result<(), Panicked>
where
    T: Send + Sync + Copy,
    F: Fn(&T, &T) -> Ordering + Sync,
{
    if cores() < 2 || items.len() < 4096 {
        items.sort_by(&cmp);
        return Ok(());
    }
    let mid = items.len() / 2;
    let (left, right) = items.split_at_mut(mid);
    let cmp = &cmp;
    join(true, || left.sort_by(cmp), move || right.sort_by(cmp))?;
    // The merge on both cores too: one thread takes the merged order's first half from the
    // halves' fronts, the other its second half from their backs (serial, the merge was a
    // third of a changed run's sort at 5,000 × 20, the other core idle).
    let (left, right) = items.split_at(mid);
    let mut out = items.clone();
    let (front, back) = out.split_at_mut(items.len() / 2);
    join(
        true,
        || merge_front(left, right, front, cmp),
        move || merge_back(left, right, back, cmp),
    )?;
    *items = out;
    Ok(())
}

/// Runs `a` on this thread and `b` on another, where there are two cores and `apart` (a thread
/// costs more than short work; else both here, `a` first): two independent passes over the same
/// data. A panic in `b`'s thread is [`Panicked`] (a panic in `a` unwinds as usual).
pub fn join<A, B, FA, FB>(apart: bool, a: FA, b: FB) -> Result<(A, B), Panicked>
where
    B: Send,
    FA: FnOnce() -> A,
    FB: FnOnce() -> B + Send,
{
    if cores() < 2 || !apart {
        return Ok((a(), b()));
    }
    std::thread::scope(|sc| {
        let other = sc.spawn(b);
        let a = a();
        other.join().map(|b| (a, b)).map_err(|_| Panicked)
    })
}

/// Fills `out` with the first `out.len()` items of the stable merge of `left` and `right`
/// (sorted): on a tie, `left`'s first.
fn merge_front<T: Copy>(left: &[T], right: &[T], out: &mut [T], cmp: impl Fn(&T, &T) -> Ordering) {
    merge_run(left.iter(), right.iter(), out.iter_mut(), true, cmp);
}

/// Fills `out` with the last `out.len()` items of the same merge as [`merge_front`], from the
/// back: on a tie, `right`'s is the later.
fn merge_back<T: Copy>(left: &[T], right: &[T], out: &mut [T], cmp: impl Fn(&T, &T) -> Ordering) {
    merge_run(
        left.iter().rev(),
        right.iter().rev(),
        out.iter_mut().rev(),
        false,
        cmp,
    );
}

/// Fills each of `out` with the next of `left` or `right`: the right one where it compares less
/// and `less_takes_right` (merging from the fronts), or where it does not compare less and not
/// `less_takes_right` (from the backs); whichever is left once one runs out.
fn merge_run<'a, T: Copy + 'a>(
    left: impl Iterator<Item = &'a T>,
    right: impl Iterator<Item = &'a T>,
    out: impl Iterator<Item = &'a mut T>,
    less_takes_right: bool,
    cmp: impl Fn(&T, &T) -> Ordering,
) {
    let (mut l, mut r) = (left.peekable(), right.peekable());
    for slot in out {
        let take_right = match (l.peek(), r.peek()) {
            (Some(a), Some(b)) => cmp(b, a).is_lt() == less_takes_right,
            (None, _) => true,
            (_, None) => false,
        };
        let next = if take_right { r.next() } else { l.next() };
        if let Some(x) = next {
            *slot = *x;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Panicked, cores, join, par_each_mut, par_fill, par_map, par_sort_by};

    #[test]
    fn keeps_the_order_of_the_items() {
        let items: Vec<usize> = (0..1000).collect();
        let out = par_map(&items, |i| i * 2).expect("no panic");
        assert_eq!(out, items.iter().map(|i| i * 2).collect::<Vec<_>>());
    }

    #[test]
    fn a_slow_item_does_not_hold_back_the_items_after_it() {
        // Description: 100 items, the first slow (0.2 s), the others instant, on two or more
        // cores. Expect: the thread that maps the slow item maps few others; the rest are taken
        // by the threads that are free (split in contiguous halves, it mapped exactly 50).
        if cores() < 2 {
            return;
        }
        let items: Vec<usize> = (0..100).collect();
        let out = par_map(&items, |&i| {
            if i == 0 {
                std::thread::sleep(std::time::Duration::from_millis(200));
            }
            (i, std::thread::current().id())
        })
        .expect("no panic");
        assert_eq!(out.iter().map(|o| o.0).collect::<Vec<_>>(), items);
        let slow = out[0].1;
        let with_slow = out.iter().filter(|o| o.1 == slow).count();
        assert!(
            with_slow < 40,
            "{with_slow} items on the slow item's thread"
        );
    }

    #[test]
    fn an_empty_slice_maps_to_nothing() {
        let items: [u8; 0] = [];
        assert_eq!(par_map(&items, |_| 1), Ok(Vec::<i32>::new()));
    }

    #[test]
    fn a_panicking_worker_is_an_error() {
        let items: Vec<usize> = (0..8).collect();
        let out = par_map(&items, |&i| {
            assert!(i != 5, "worker five");
            i
        });
        assert_eq!(out, Err(Panicked));
    }

    /// How many threads `run` calls `record` from (with what it records), for lists short and
    /// long.
    fn threads_of<T>(run: impl FnOnce(&(dyn Fn() + Sync)) -> T) -> usize {
        let seen = std::sync::Mutex::new(std::collections::HashSet::new());
        run(&|| {
            seen.lock()
                .expect("lock")
                .insert(std::thread::current().id());
        });
        seen.into_inner().expect("lock").len()
    }

    #[test]
    fn long_lists_are_worked_on_both_cores_and_short_ones_on_this_thread() {
        // Description: a fill and a sort of 4,095 and of 4,096 items (the bound), and of 100.
        // Expect: from 4,096 items the work (each result, each comparison) is done on more
        // than one thread where there are two cores; below, on this one.
        if cores() < 2 {
            return;
        }
        let fill = |n: usize| {
            threads_of(|record| {
                let mut out = vec![0; n];
                par_fill(&mut out, |i| {
                    record();
                    i
                })
            })
        };
        let sort = |n: usize| {
            threads_of(|record| {
                let mut items: Vec<usize> = (0..n).rev().collect();
                par_sort_by(&mut items, |a, b| {
                    record();
                    a.cmp(b)
                })
            })
        };
        for n in [100, 4095] {
            assert_eq!(fill(n), 1, "fill of {n}");
            assert_eq!(sort(n), 1, "sort of {n}");
        }
        assert_eq!(fill(4096), 2, "fill of 4,096");
        // The halves sorted, then merged, each time beside a thread of its own.
        assert!(sort(4096) >= 2, "sort of 4,096");
    }

    #[test]
    fn every_slot_is_filled_with_its_own_result() {
        for n in [0, 1, 4095, 4096, 10_001] {
            let mut out = vec![usize::MAX; n];
            par_fill(&mut out, |i| i * 3).expect("no panic");
            assert_eq!(out, (0..n).map(|i| i * 3).collect::<Vec<_>>(), "{n} items");
        }
        let mut out = vec![0; 10_000];
        assert_eq!(
            par_fill(&mut out, |i| {
                assert!(i != 9_000, "slot 9,000");
                i
            }),
            Err(Panicked),
            "a panic on the other thread"
        );
    }

    #[test]
    fn each_item_is_worked_on_in_place_once_from_its_bound_on_both_cores() {
        // Description: owned items changed in place, with the item's index, below and at the
        // caller's bound (and an empty list, and a bound under 2). Expect: every item changed
        // once, by its own index; at the bound on more than one thread where there are two
        // cores, below it on this one; a panic on either thread is an error.
        let each = |n: usize, min: usize| {
            let mut items: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
            let threads = threads_of(|record| {
                par_each_mut(&mut items, min, |i, item| {
                    record();
                    item.push(i * 2);
                })
            });
            let want: Vec<Vec<usize>> = (0..n).map(|i| vec![i, i * 2]).collect();
            assert_eq!(items, want, "{n} items, bound {min}");
            threads
        };
        assert_eq!(each(0, 0), 0);
        assert_eq!(each(1, 0), 1, "one item is not split");
        assert_eq!(each(99, 100), 1, "below the bound");
        if cores() >= 2 {
            assert_eq!(each(100, 100), 2, "at the bound");
        }
        let mut items = vec![0; 300];
        assert_eq!(
            par_each_mut(&mut items, 100, |i, _| assert!(i != 250, "item 250")),
            Err(Panicked),
            "a panic on the other thread"
        );
    }

    #[test]
    fn a_long_list_sorts_as_a_stable_sort_does() {
        // Description: 10,000 pairs whose keys repeat (so most comparisons tie), sorted by key
        // alone. Expect: exactly `sort_by`'s order, ties in their input order; short lists too.
        // Descending keys too: the right half's items all come first, so it runs out first.
        let shuffled = |n: u32| (0..n).map(|i| ((i * 7919) % 97, i)).collect::<Vec<_>>();
        let descending = |n: u32| (0..n).map(|i| (n - i / 3, i)).collect::<Vec<_>>();
        // Ascending: the left half runs out first; all equal: every comparison a tie.
        let ascending = |n: u32| (0..n).map(|i| (i / 3, i)).collect::<Vec<_>>();
        let equal = |n: u32| (0..n).map(|i| (7, i)).collect::<Vec<_>>();
        for n in [0, 1, 5, 4095, 4096, 4097, 10_000, 10_001] {
            for items in [shuffled(n), descending(n), ascending(n), equal(n)] {
                let mut ours = items.clone();
                par_sort_by(&mut ours, |a, b| a.0.cmp(&b.0)).expect("no panic");
                let mut theirs = items;
                theirs.sort_by_key(|a| a.0);
                assert_eq!(ours, theirs, "{n} items");
            }
        }
    }

    #[test]
    fn join_runs_both_passes_apart_or_here_and_reports_a_panic_apart() {
        let here = std::thread::current().id();
        for apart in [false, true] {
            let (a, b) = join(
                apart,
                || (std::thread::current().id(), 1),
                || (std::thread::current().id(), 2),
            )
            .expect("no panic");
            assert_eq!((a.1, b.1), (1, 2));
            assert_eq!(a.0, here);
            assert_eq!(b.0 == here, !apart || cores() < 2, "apart: {apart}");
        }
        if cores() >= 2 {
            let panicked = join(true, || 1, || -> u8 { panic!("the other pass") });
            assert_eq!(panicked, Err(Panicked));
        }
    }
}
