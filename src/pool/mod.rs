//! The pool: every source's candidates in, deduplicated and ordered once ([`merge`]); then what
//! each feed selects from it ([`views`]), and the network's editorial decisions over it
//! ([`editorial`]: withdrawals, tombstones, credit).
//!
//! What belongs here: pure decisions over candidates and winners. What may not: fetching,
//! parsing, rendering or running (`ingest`, `publish`, `ops`); the pool may import `ingest`'s
//! value types, `state`, `config`, `model` and `text`.

pub mod editorial;
mod keys;
pub mod merge;
mod order;
pub mod review;
pub mod views;
pub mod winners;

use std::collections::BTreeMap;

use crate::ingest::report::SourceReport;
use crate::model::{Entry, SourceInfo};
use winners::Winners;

/// What a run gathered: everything the views select from.
#[derive(Debug)]
pub struct Gathered {
    /// One report per configured source, in config order.
    pub reports: Vec<SourceReport>,
    /// Every entry any view can show: deduplicated, newest first (each where its source gave
    /// it: see [`Winners`]).
    pub pool: Winners,
    /// The local entries (`Candidate::handle` of a local winner is an index into this).
    pub locals: Vec<Entry>,
    /// Attribution per source name.
    pub infos: BTreeMap<String, SourceInfo>,
    /// How long the sources took, and then the state commit.
    pub timings: Vec<(&'static str, std::time::Duration)>,
    /// The state writer, checkpointing after its commit: joined once the outputs are published
    /// (dropping it lets the checkpoint finish on its own).
    pub checkpoint: Option<std::thread::JoinHandle<()>>,
}
