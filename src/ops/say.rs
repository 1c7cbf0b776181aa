//! What the commands tell their operator: `out!`/`outln!` to stdout, `say!`/`sayln!` to
//! stderr, each written with a failure to write ignored. With stderr on a full disk, `eprint!`
//! panicked once a run had published everything (exit 101, and no message); a command's exit
//! code must still say how the command went. Used by the binary and by `serve`'s messages.

/// `print!`, with a failure to write ignored.
#[macro_export]
macro_rules! out {
    ($($t:tt)*) => {{ use std::io::Write as _; let _ = write!(std::io::stdout(), $($t)*); }};
}

/// `println!`, with a failure to write ignored.
#[macro_export]
macro_rules! outln {
    ($($t:tt)*) => {{ use std::io::Write as _; let _ = writeln!(std::io::stdout(), $($t)*); }};
}

/// `eprint!`, with a failure to write ignored.
#[macro_export]
macro_rules! say {
    ($($t:tt)*) => {{ use std::io::Write as _; let _ = write!(std::io::stderr(), $($t)*); }};
}

/// `eprintln!`, with a failure to write ignored.
#[macro_export]
macro_rules! sayln {
    ($($t:tt)*) => {{ use std::io::Write as _; let _ = writeln!(std::io::stderr(), $($t)*); }};
}
