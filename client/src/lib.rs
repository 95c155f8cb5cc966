//! The library under `pvm-client`: a chain to deploy contracts on and call them, embedded
//! (the real runtime in this process) or a node over RPC ([`chain`]); contract input and
//! output typed by a contract's metadata ([`typed`]); and [`sandbox`], an in-process
//! chain for a contract crate's own tests.

/// `println!` that does not panic when stdout is closed (`pvm-client events | head`):
/// what cannot be written is dropped, and the command still finishes (and saves the
/// embedded chain's state).
#[macro_export]
#[doc(hidden)]
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if !$crate::report::json::enabled() {
            let _ = writeln!(std::io::stdout().lock(), $($arg)*);
        }
    }};
}

pub mod chain;
pub mod embedded;
pub mod input;
pub mod node;
pub mod report;
pub mod sandbox;
pub mod typed;
