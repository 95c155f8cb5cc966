#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit/integration/differential tests
# (release mode: guest programs such as the prime sieve run in the tests), the
# no_std Wasm build of the VM, a short run of the fuzz targets, and the JAM PVM
# conformance vectors.
set -euo pipefail
cd "$(dirname "$0")/.."

# The time of each step, printed at the end (also when a step fails): CI runs this
# from a cold clone, where the builds dominate, and its budget is 45 minutes.
step_times=()
step_name="setup"
step_start=$(date +%s)
finish_step() {
    local now
    now=$(date +%s)
    step_times+=("$(printf '%6d s  %s' $((now - step_start)) "$step_name")")
    step_start=$now
}
report_times() {
    finish_step
    echo
    echo "==> time per step"
    printf '%s\n' "${step_times[@]}"
}
trap report_times EXIT
step() {
    finish_step
    step_name="$*"
    echo
    echo "==> $*"
}

scripts/setup.sh

# The runtime's Wasm blob is for nodes (scripts/network-test.sh builds it); everything
# here runs the runtime natively.
export SKIP_WASM_BUILD=1

step "rustfmt"
cargo fmt --all -- --check

# The pallet's frame-benchmarking benchmarks (their test suite runs with the tests) and
# its mock runtime (for the benchmark harnesses), in the same build as everything else.
features="pallet-pvm-contracts/runtime-benchmarks,pallet-pvm-contracts/mock-runtime"

step "clippy"
cargo clippy --workspace --exclude pvm-node --all-targets --release --features "$features" -- -D warnings

# Every crate of the workspace, with clippy's profile and features: documenting a few
# crates alone would resolve their dependencies' features differently and check most of
# them again (12 minutes from a cold clone, against under 2).
step "docs (warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc -q --workspace --exclude pvm-node --no-deps --release --features "$features"

step "no_std build of the VM for wasm32v1-none"
cargo check -p pvm --no-default-features --target wasm32v1-none

# As the runtime's Wasm build compiles it: `substrate_runtime` selects the runtime
# side of sp-io (and keeps C code such as secp256k1 out of the build). Its own target
# directory, because the flag would otherwise invalidate the host build.
step "no_std build of the runtime interface (pvm-host) for wasm32v1-none"
RUSTFLAGS="--cfg substrate_runtime" cargo check -p pvm-host --no-default-features \
    --target wasm32v1-none --target-dir target/wasm-check

step "no_std build of the contracts pallet for wasm32v1-none"
RUSTFLAGS="--cfg substrate_runtime" cargo check -p pallet-pvm-contracts --no-default-features \
    --features host-execution --target wasm32v1-none --target-dir target/wasm-check
# Also without the runtime interface, for chains whose nodes lack it (the dependencies
# are the same, less `pvm-host`: only the pallet is checked again).
RUSTFLAGS="--cfg substrate_runtime" cargo check -p pallet-pvm-contracts --no-default-features \
    --target wasm32v1-none --target-dir target/wasm-check

step "tests"
cargo test --workspace --exclude pvm-node --release --features "$features"

# The run above has the runtime's default feature `host-execution`, so the pallet's
# tests ran through the `pvm-host` runtime interface (the mock registers the node's
# state), as on pvm-node. The same test binary runs twice more with the mock as a node
# without that interface (PVM_HOST_EXECUTION=off), so that contracts run in the
# runtime: on the interpreter, as in the runtime's Wasm, and on the default backend
# (the compiler on this machine). (The VM's own tests and the differential tests run
# every backend themselves.) The binary is the one just built: building the pallet
# alone would resolve its dependencies' features differently and rebuild them.
pallet_tests=$(cargo test --workspace --exclude pvm-node --release --features "$features" --no-run \
    --message-format=json 2>/dev/null | grep -o '"executable":"[^"]*/deps/pallet_pvm_contracts-[^"]*"' | cut -d'"' -f4)
if [ -z "$pallet_tests" ] || [ ! -x "$pallet_tests" ]; then
    echo "error: the pallet's test binary was not found" >&2
    exit 1
fi

step "pallet tests in the runtime, on the interpreter (PVM_BACKEND=interpreter)"
(cd pallet && PVM_HOST_EXECUTION=off PVM_BACKEND=interpreter "$pallet_tests")

step "pallet tests in the runtime, on the default backend"
(cd pallet && PVM_HOST_EXECUTION=off "$pallet_tests")

# The cargo-fuzz targets of fuzz/ (own workspace, nightly, built into fuzz/target),
# 20 s each from the committed seed corpora; fails on any crash.
step "fuzzing (scripts/fuzz.sh 20)"
scripts/fuzz.sh 20

vectors="${JAM_VECTORS:-../shared/conformance/jam-pvm-v0.4/programs}"
step "JAM PVM test vectors ($vectors)"
if [ -d "$vectors" ]; then
    for backend in interpreter compiler; do
        cargo run --release -q -p polkatool -- --backend "$backend" test-vectors "$vectors"
    done
else
    echo "The JAM PVM test vectors are ABSENT: $vectors does not exist."
    echo "They are read from ../shared/conformance (not copied into this repository)."
    if [ "${CI:-}" = "true" ]; then
        exit 1
    fi
fi
