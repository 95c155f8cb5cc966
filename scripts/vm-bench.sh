#!/usr/bin/env bash
# vm-bench with every column: builds the runner of the `pvm-mt` column (polkavm 0.37's
# interpreter with `interpreter-musttail-dispatch`, which needs nightly; its own
# workspace, tests/bench-musttail) into target/musttail, where vm-bench finds it, then
# runs vm-bench with the arguments given:
#
#   scripts/vm-bench.sh [--quick] [--ours-only] [--backend NAME] [FILTER]
set -euo pipefail
cd "$(dirname "$0")/.."

cargo +nightly build --release --manifest-path tests/bench-musttail/Cargo.toml --target-dir target/musttail
cargo run --release -p bench --bin vm-bench -- "$@"
