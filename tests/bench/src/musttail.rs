//! The `pvm-mt` column: polkavm 0.37's interpreter built with its
//! `interpreter-musttail-dispatch` feature (tail-call dispatch, nightly only). Cargo
//! unifies features across a workspace build and this workspace builds on stable, so
//! that build cannot live in this process: it is the runner `pvm-bench-musttail`
//! (`tests/bench-musttail`, its own workspace, whose doc comment describes the
//! protocol), which vm-bench runs as a child process once per measuring round, on the
//! blob written to a file under `target/vm-bench/`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{Seconds, Task};

/// Where `scripts/vm-bench.sh` builds the runner, relative to the repository.
const RUNNER_PATH: &str = "target/musttail/release/pvm-bench-musttail";

/// The environment variable naming the runner, instead of [`RUNNER_PATH`].
const RUNNER_ENV: &str = "PVM_BENCH_MUSTTAIL";

/// The folder the blobs are written to for the runner, relative to the repository.
const BLOB_DIR: &str = "target/vm-bench";

fn repository() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// The runner binary.
pub struct Runner {
    path: PathBuf,
}

/// What one row's runs of the runner left: the result export's value (from the last
/// run) and the first error.
#[derive(Default)]
pub struct Outcome {
    pub result: Option<u64>,
    pub error: Option<String>,
}

impl Runner {
    /// The runner at `$PVM_BENCH_MUSTTAIL`, or else where `scripts/vm-bench.sh` builds
    /// it; if there is none, a note saying how to build it.
    pub fn find() -> Result<Runner, String> {
        let path = std::env::var_os(RUNNER_ENV).map_or_else(|| repository().join(RUNNER_PATH), PathBuf::from);
        if path.is_file() {
            Ok(Runner { path: path.canonicalize().unwrap_or(path) })
        } else {
            Err(format!(
                "pvm-mt: no runner at {}; `scripts/vm-bench.sh [ARGS]` builds it (with nightly) and runs vm-bench",
                path.display()
            ))
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A task for [`crate::interleaved`]: runs the runner, once per round, on `blob`
    /// (written to a file, `name` in its name) with the arguments `args` makes of the
    /// file's path. The result and the first error go to `outcome`.
    pub fn task<'a>(
        &'a self,
        name: &str,
        blob: &[u8],
        args: impl FnOnce(&Path) -> Vec<String>,
        outcome: &'a mut Outcome,
    ) -> Task<'a> {
        let args = match Self::blob_file(name, blob) {
            Ok(path) => args(&path),
            Err(error) => {
                outcome.error = Some(error);
                Vec::new()
            }
        };
        Task::Remote(self.measure(args, outcome))
    }

    /// Writes `blob` to `target/vm-bench/NAME.polkavm` for the runner.
    fn blob_file(name: &str, blob: &[u8]) -> Result<PathBuf, String> {
        let dir = repository().join(BLOB_DIR);
        let path = dir.join(format!("{name}.polkavm"));
        std::fs::create_dir_all(&dir)
            .and_then(|()| std::fs::write(&path, blob))
            .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
        Ok(path)
    }

    /// The runner's arguments for timing `export` (after the `setup` exports), with
    /// `calls` calls per sample, and reading the `result` export.
    pub fn call_args(
        blob: &Path,
        export: &str,
        setup: &[&str],
        calls: u32,
        gas: i64,
        result: Option<&str>,
    ) -> Vec<String> {
        let mut args = vec!["call".into(), blob.display().to_string(), export.into()];
        args.extend(["--calls".into(), calls.to_string(), "--gas".into(), gas.to_string()]);
        for export in setup {
            args.extend(["--setup".into(), export.to_string()]);
        }
        if let Some(export) = result {
            args.extend(["--result".into(), export.into()]);
        }
        args
    }

    /// The runner's arguments for timing a corpus workload: `export(n)`, which returns
    /// its checksum (`u64`), one call per sample.
    pub fn workload_args(blob: &Path, export: &str, n: u32, gas: i64) -> Vec<String> {
        let mut args = vec!["call".into(), blob.display().to_string(), export.into()];
        args.extend(["--calls".into(), "1".into(), "--gas".into(), gas.to_string(), "--arg".into(), n.to_string()]);
        args
    }

    /// The runner's arguments for timing `Module::new`.
    pub fn compile_args(blob: &Path) -> Vec<String> {
        vec!["compile".into(), blob.display().to_string()]
    }

    /// Given a number of samples, runs the runner with `args` and returns its times per
    /// call, keeping the result and the first error in `outcome` (after an error, it
    /// returns no times).
    fn measure<'a>(
        &'a self,
        args: Vec<String>,
        outcome: &'a mut Outcome,
    ) -> Box<dyn FnMut(usize) -> Vec<Seconds> + 'a> {
        Box::new(move |samples| {
            if outcome.error.is_some() {
                return Vec::new();
            }
            match self.run(&args, samples) {
                Ok((times, result)) => {
                    outcome.result = result;
                    times
                }
                Err(error) => {
                    outcome.error = Some(error);
                    Vec::new()
                }
            }
        })
    }

    /// Runs the runner once: its times per call and its result.
    fn run(&self, args: &[String], samples: usize) -> Result<(Vec<Seconds>, Option<u64>), String> {
        let output = Command::new(&self.path)
            .args(args)
            .args(["--samples", &samples.to_string()])
            .output()
            .map_err(|error| format!("cannot run {}: {error}", self.path.display()))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            return Err(format!("the runner failed ({}) {}", output.status, stderr.trim()).trim_end().into());
        }
        parse_output(&stdout).ok_or_else(|| format!("cannot read the runner's output: {:?}", stdout.trim()))
    }
}

/// Reads `median=S result=R samples=S,S,...`: the samples, and the result (`-` for none).
fn parse_output(line: &str) -> Option<(Vec<Seconds>, Option<u64>)> {
    let (mut times, mut result) = (None, None);
    for field in line.split_whitespace() {
        match field.split_once('=')? {
            ("samples", list) => times = Some(list.split(',').map(str::parse).collect::<Result<_, _>>().ok()?),
            ("result", "-") => result = Some(None),
            ("result", value) => result = Some(Some(value.parse().ok()?)),
            _ => {}
        }
    }
    Some((times?, result?))
}

#[cfg(test)]
mod tests {
    use super::parse_output;

    #[test]
    fn reads_the_runner_output() {
        assert_eq!(parse_output("median=0.5 result=42 samples=0.25,0.5,1\n"), Some((vec![0.25, 0.5, 1.0], Some(42))));
        assert_eq!(parse_output("median=2e-9 result=- samples=2e-9"), Some((vec![2e-9], None)));
        assert_eq!(parse_output("median=1 result=- samples=x"), None);
        assert_eq!(parse_output("median=1 samples=1"), None);
    }
}
