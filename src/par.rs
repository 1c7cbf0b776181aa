//! The one parallel fan-out: a slice mapped on every core with scoped threads, the results kept
//! in the slice's order. Publishing uses it to sanitise entries and to render views; nothing else
//! spawns worker threads for a map. Imports nothing from the crate (any layer may use it).

/// A worker thread panicked: its results are lost, so the whole map is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a worker thread panicked")]
pub struct Panicked;

/// Maps `f` over `items` on up to one scoped thread per core (never more threads than items),
/// each thread taking one contiguous run of the items, and returns the results in the items'
/// order. Nothing is spawned for an empty slice; a panic in any worker is [`Panicked`].
pub fn par_map<T, R, F>(items: &[T], f: F) -> Result<Vec<R>, Panicked>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, items.len());
    let per = items.len().div_ceil(threads);
    let f = &f;
    let parts: Vec<Option<Vec<R>>> = std::thread::scope(|sc| {
        let workers: Vec<_> = items
            .chunks(per)
            .map(|run| sc.spawn(move || run.iter().map(f).collect::<Vec<R>>()))
            .collect();
        workers.into_iter().map(|w| w.join().ok()).collect()
    });
    let mut out = Vec::with_capacity(items.len());
    for part in parts {
        out.extend(part.ok_or(Panicked)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::{Panicked, par_map};

    #[test]
    fn keeps_the_order_of_the_items() {
        let items: Vec<usize> = (0..1000).collect();
        let out = par_map(&items, |i| i * 2).expect("no panic");
        assert_eq!(out, items.iter().map(|i| i * 2).collect::<Vec<_>>());
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
}
