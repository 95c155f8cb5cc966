//! Native i686: the `peers-native` binary built for `i686-unknown-linux-gnu` (by
//! scripts/bench.sh), run as a child process once per program; it runs the same
//! measuring loop and prints its [`Measurement`] line.

use std::process::Command;

use peers_native::{Measurement, Plan, Program};

use super::{guest_dir, Peer};

/// The child process's binary, under [`guest_dir`].
const RUNNER: &str = "i686-unknown-linux-gnu/release/peers-native";

pub struct NativeI686;

impl Peer for NativeI686 {
    fn name(&self) -> String {
        "native i686 (child process)".into()
    }

    fn measure(&mut self, program: Program, plan: Plan) -> Result<Measurement, String> {
        let runner = guest_dir().join(RUNNER);
        if !runner.exists() {
            return Err(format!("{} is not built (scripts/bench.sh builds it)", runner.display()));
        }
        let output = Command::new(&runner)
            .args([program.name(), &plan.samples.to_string(), &plan.calls.to_string()])
            .output()
            .map_err(|error| format!("cannot run {}: {error}", runner.display()))?;
        if !output.status.success() {
            return Err(format!("{} fails: {}", runner.display(), String::from_utf8_lossy(&output.stderr).trim()));
        }
        Measurement::from_line(String::from_utf8_lossy(&output.stdout).trim())
    }
}
