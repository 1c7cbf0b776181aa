//! Operating feedbraid: the top layer. [`run`] sequences one run (lock, gather, render, publish,
//! ping, report) as a list of steps; [`gather`] is its async part; [`report`] and [`status`] tell
//! the operator; [`repair`], [`withdraw`] and [`import`] are the other commands, and [`edit`] is
//! how the last two change a file beside the config (one editor at a time, atomically, keeping
//! the file's mode and owner); [`serve`] serves the output and runs on a schedule; [`check`]
//! reads everything a run reads before it fetches; [`error`] holds the run's [`Fatal`] errors
//! and their exit codes; [`memory`] gives freed memory back between a run's stages; [`say`]
//! prints what the commands tell, a failure to write ignored.
//!
//! What belongs here: sequencing, commands and what the operator sees. Nothing below imports
//! from here.

pub mod check;
pub mod deploy;
pub mod digest;
pub mod doctor;
pub mod edit;
pub mod error;
pub mod gather;
pub mod import;
pub mod memory;
pub mod open;
pub mod progress;
pub mod repair;
pub mod report;
pub mod review;
pub mod reviewed;
pub mod run;
pub mod say;
pub mod serve;
pub mod status;
pub mod withdraw;

pub use error::Fatal;
