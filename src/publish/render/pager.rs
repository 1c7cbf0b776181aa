//! Which pages of a long list (a month, a topic, a partner cut into pages of 100) each page links
//! to. A window, as mature sites do, not a link to every page: a topic of 50,000 entries would
//! otherwise put 500 links on each of its 500 pages (a quadratic cost in render time and bytes).

/// Which pages of a list of `count + 1` pages (see `publish::library::plan::chunks`) the page
/// `index` links to, in the order they are shown (the newest, then `count` down to 1), `None`
/// where a run of pages is left out: the newest, the oldest, and up to two either side of
/// `index` (the newest page sits just before page `count`). Every page stays reachable through
/// its neighbours, and an older page's window does not change when new pages are added far from
/// it, so that page is not rendered again (its fingerprint includes its window).
pub fn window(index: usize, count: usize) -> Vec<Option<usize>> {
    if count == 0 {
        return Vec::new();
    }
    let at = if index == 0 { count + 1 } else { index };
    let (lo, hi) = (at.saturating_sub(2).max(1), (at + 2).min(count));
    let mut out = vec![Some(0)];
    if hi < count {
        out.push(None);
    }
    out.extend((lo..=hi).rev().map(Some));
    if lo > 2 {
        out.push(None);
    }
    if lo > 1 {
        out.push(Some(1));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pager_shows_the_ends_and_the_neighbours_of_the_page() {
        assert!(window(0, 0).is_empty());
        assert_eq!(window(0, 2), [Some(0), Some(2), Some(1)]);
        let n = |v: &[usize]| -> Vec<Option<usize>> { v.iter().map(|i| Some(*i)).collect() };
        let mut newest = n(&[0, 9, 8]);
        newest.extend([None, Some(1)]);
        assert_eq!(window(0, 9), newest);
        let mut middle = n(&[0]);
        middle.push(None);
        middle.extend(n(&[7, 6, 5, 4, 3]));
        middle.push(None);
        middle.push(Some(1));
        assert_eq!(window(5, 9), middle);
        let mut oldest = n(&[0]);
        oldest.push(None);
        oldest.extend(n(&[3, 2, 1]));
        assert_eq!(window(1, 9), oldest);
        // New pages far from an older one leave its window as it was.
        assert_eq!(window(5, 9), window(5, 40));
        assert_ne!(window(5, 7), window(5, 9));
        // Every page links to its neighbours: the chain reaches every page.
        for count in 1..30 {
            for index in 0..=count {
                let links: Vec<usize> = window(index, count).into_iter().flatten().collect();
                let older = if index == 0 { count } else { index - 1 };
                if older > 0 {
                    assert!(links.contains(&older), "{index} of {count}");
                }
                assert!(
                    links.contains(&0) && links.contains(&1),
                    "{index} of {count}"
                );
                assert!(links.len() <= 8, "{index} of {count}: {links:?}");
            }
        }
    }
}
