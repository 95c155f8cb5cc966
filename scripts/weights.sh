#!/usr/bin/env bash
# Measures the contracts pallet's weights with frame-benchmarking's own runner and
# writes them to pallet/src/weights.rs: the weights of the dispatchables, of one unit
# of gas (`WeightPerGas`) and of everything the gas schedule charges for
# (`Schedule::measured` derives the gas costs from them).
#
# The runner is `frame-omni-bencher` (the polkadot-sdk tool for benchmarking any
# runtime's Wasm), at the version that matches our polkadot-sdk release (stable2609.2);
# it runs the benchmarks of `pallet/src/benchmarking.rs` in the runtime's Wasm, built
# with the `runtime-benchmarks` feature, on the `development` genesis preset.
#
# Slow: installing the runner compiles ~900 crates (once, into target/tools), the
# runtime's Wasm build takes a few minutes, the benchmarks themselves about 10.
# STEPS and REPEAT (environment) trade precision for time. Proof sizes are not
# estimated (`--default-pov-mode ignored`): a solo chain has no proof-of-validity
# limit, and the estimator runs out of memory (24 GiB) on the benchmarks that touch a
# thousand distinct child-trie keys.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

# The runner links RocksDB (through sc-client-db), whose bindings need libclang, and
# the networking crates it pulls in compile protobuf definitions.
if ! command -v protoc >/dev/null 2>&1 || ! ls /usr/lib/llvm-*/lib/libclang.so >/dev/null 2>&1; then
    echo "==> installing libclang-dev and protobuf-compiler (Debian)"
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get install -y libclang-dev protobuf-compiler ||
        { $sudo apt-get update && $sudo apt-get install -y libclang-dev protobuf-compiler; }
fi

tools="$PWD/target/tools"
bencher="$tools/bin/frame-omni-bencher"
if ! [ -x "$bencher" ]; then
    echo "==> installing frame-omni-bencher 0.28.0 into $tools"
    cargo install --locked --version 0.28.0 frame-omni-bencher --root "$tools"
fi

echo "==> building the runtime's Wasm with runtime-benchmarks"
# `check` suffices: the build script makes the Wasm (feature `wasm-binary`); the native
# library is not needed.
# Without `host-execution`: the runner has no pvm-host host functions, so contracts run
# on the interpreter inside the Wasm. These are the weights of that slower path, which
# the chain also uses where contracts run on the node (an overestimate there).
cargo check --release -p pvm-chain-runtime --no-default-features --features wasm-binary,runtime-benchmarks
wasm=target/release/wbuild/pvm-chain-runtime/pvm_chain_runtime.compact.compressed.wasm

echo "==> running the benchmarks"
"$bencher" v1 benchmark pallet \
    --runtime "$wasm" \
    --pallet pallet_pvm_contracts \
    --extrinsic '*' \
    --steps "${STEPS:-20}" \
    --repeat "${REPEAT:-5}" \
    --default-pov-mode ignored \
    --no-storage-info \
    --template pallet/weights-template.hbs \
    --output pallet/src/weights.rs

echo "==> wrote pallet/src/weights.rs"
