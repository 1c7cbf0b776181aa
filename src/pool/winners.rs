//! The run's pool: every candidate that won the merge, in an order ([`Winners::sort_by`]), kept
//! in the lists its sources gave them in. A winner is never moved out of its list: moving
//! 100,000 winners into one vector held every candidate twice while it filled (the lists are
//! freed only after the last move), 19 + 21 MB of a warm run's 69 MB heap peak at 5,000 × 20.
//! A loser, a withdrawn or a held entry leaves an empty slot.

use std::cmp::Ordering;

use super::order::sort_places;
use crate::model::Candidate;

/// A candidate that made it into the pool, with the credits (`via`) of the duplicates it
/// absorbed.
pub type Winner = Candidate;

/// The winners, each in its source's list, and their order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Winners {
    lists: Vec<Vec<Option<Winner>>>,
    /// (list, index) of every winner, in order.
    order: Vec<(u32, u32)>,
}

impl Winners {
    /// The winners in `lists` at `order`'s places (each a winner), in that order. Every slot no
    /// place names must be empty (the merge empties its losers' as it goes).
    pub(super) fn new(lists: Vec<Vec<Option<Winner>>>, order: Vec<(u32, u32)>) -> Winners {
        Winners { lists, order }
    }

    /// The winners of `all` in its order (tests, and callers that build a pool by hand).
    pub fn from_vec(all: Vec<Winner>) -> Winners {
        let order = (0..all.len() as u32).map(|i| (0, i)).collect();
        Winners {
            lists: vec![all.into_iter().map(Some).collect()],
            order,
        }
    }

    fn at(&self, (g, i): (u32, u32)) -> Option<&Winner> {
        self.lists.get(g as usize)?.get(i as usize)?.as_ref()
    }

    /// The winners, in order.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            winners: self,
            places: self.order.iter(),
        }
    }

    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Puts the winners in `order` (a total order: the places are sorted, not the winners),
    /// comparing first their `coarse` summaries, which must agree with it (see
    /// [`super::order`]).
    pub fn sort_by(
        &mut self,
        coarse: impl Fn(&Winner) -> u32,
        order: impl Fn(&Winner, &Winner) -> Ordering + Sync,
    ) {
        let (lists, places) = (&self.lists, &self.order);
        let get = |k: usize| {
            let (g, i) = places[k];
            lists[g as usize][i as usize].as_ref()
        };
        let sorted = sort_places(
            places.len(),
            |k| get(k).map_or(0, &coarse),
            |a, b| match (get(a), get(b)) {
                (Some(x), Some(y)) => order(x, y),
                (x, y) => x.is_some().cmp(&y.is_some()),
            },
        );
        self.order = sorted.into_iter().map(|k| places[k as usize]).collect();
    }

    /// Keeps the winners `keep` accepts, in order; the others are dropped.
    pub fn retain(&mut self, mut keep: impl FnMut(&Winner) -> bool) {
        let lists = &mut self.lists;
        self.order.retain(|&(g, i)| {
            let slot = &mut lists[g as usize][i as usize];
            if !slot.as_ref().is_some_and(&mut keep) {
                *slot = None;
            }
            slot.is_some()
        });
    }

    /// Takes out the winners `take` accepts, in order.
    pub fn take_where(&mut self, mut take: impl FnMut(&Winner) -> bool) -> Vec<Winner> {
        let mut out = Vec::new();
        let lists = &mut self.lists;
        self.order.retain(|&(g, i)| {
            let slot = &mut lists[g as usize][i as usize];
            if slot.as_ref().is_some_and(&mut take) {
                out.extend(slot.take());
                return false;
            }
            slot.is_some()
        });
        out
    }
}

/// The winners in order: [`Winners::iter`].
#[derive(Debug, Clone)]
pub struct Iter<'a> {
    winners: &'a Winners,
    places: std::slice::Iter<'a, (u32, u32)>,
}

impl<'a> Iterator for Iter<'a> {
    type Item = &'a Winner;

    fn next(&mut self) -> Option<&'a Winner> {
        loop {
            let &place = self.places.next()?;
            if let Some(w) = self.winners.at(place) {
                return Some(w);
            }
        }
    }
}

impl<'a> IntoIterator for &'a Winners {
    type Item = &'a Winner;
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Tags;
    use chrono::{TimeZone, Utc};

    fn w(id: &str) -> Winner {
        Candidate {
            ids: crate::model::Ids::new(id, id, None, None),
            updated: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            published: None,
            origin: None,
            text: None,
            tags: Tags::default(),
            language: None,
            via: Vec::new(),
        }
    }

    fn ids(ws: &Winners) -> Vec<&str> {
        ws.iter().map(|w| w.id()).collect()
    }

    #[test]
    fn winners_come_in_their_order_across_lists() {
        let lists = vec![vec![Some(w("a")), None], vec![Some(w("c")), Some(w("d"))]];
        let ws = Winners::new(lists, vec![(1, 1), (0, 0), (1, 0)]);
        assert_eq!(ids(&ws), vec!["d", "a", "c"]);
        assert_eq!(ws.len(), 3);
    }

    #[test]
    fn sorting_retaining_and_taking_keep_the_rest_in_order() {
        let mut ws = Winners::from_vec(["c", "a", "d", "b"].map(w).into());
        ws.sort_by(|_| 0, |x, y| x.id().cmp(y.id()));
        assert_eq!(ids(&ws), vec!["a", "b", "c", "d"]);
        ws.retain(|x| x.id() != "b");
        assert_eq!(ids(&ws), vec!["a", "c", "d"]);
        assert!(
            ws.lists[0][3].is_none(),
            "b's slot emptied, its memory freed"
        );
        let taken = ws.take_where(|x| x.id() != "c");
        assert_eq!(
            taken.iter().map(|x| x.id()).collect::<Vec<_>>(),
            vec!["a", "d"]
        );
        assert_eq!(ids(&ws), vec!["c"]);
        assert_eq!(ws.len(), 1);
        assert!(!ws.is_empty());
        ws.retain(|_| false);
        assert!(ws.is_empty() && ws.iter().next().is_none());
    }
}
