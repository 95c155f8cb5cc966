//! The library behind the `polkatool` command: subcommands as functions so that
//! tests can call them directly.

pub mod build;
pub mod commands;
pub mod metadata;
pub mod scaffold;
pub mod vectors;
