#!/usr/bin/env bash
# Benchmark peers (tests/peers, `pvm-peers`): the benchmark programs on our VM, polkavm
# 0.37, wasmtime, wasmi, native x86-64 and i686, CKB-VM and Solana eBPF; one table per
# program, every result checked against native x86-64.
#
#   scripts/bench.sh [--quick]
#
# Installs the Rust targets it needs, builds the guest shells (tests/peers/guests: wasm32
# modules and CKB-VM programs) and the i686 runner into target/peers-guests, then builds
# and runs the harness, which writes target/bench-report/ (report.md and one SVG chart
# per program). Not part of scripts/test.sh: its first build (wasmtime, the guest
# programs) takes many minutes, and a full run a few more. The i686 link needs the
# multilib C runtime (Debian's gcc-multilib), which this installs where apt-get is.
set -euo pipefail
cd "$(dirname "$0")/.."

guests_dir="$PWD/target/peers-guests"

for target in wasm32-unknown-unknown i686-unknown-linux-gnu riscv64imac-unknown-none-elf; do
    if ! rustup target list --installed | grep -q "^${target}$"; then
        echo "==> installing the ${target} target"
        rustup target add "${target}"
    fi
done

# The kernels also run natively for i686; linking for
# i686-unknown-linux-gnu needs the 32-bit C runtime. Only where apt-get is available.
if command -v apt-get >/dev/null 2>&1 && ! dpkg -s gcc-multilib >/dev/null 2>&1; then
    echo "==> installing gcc-multilib (for the native i686 row)"
    if [ "$(id -u)" -eq 0 ]; then sudo_cmd=""; else sudo_cmd="sudo"; fi
    ${sudo_cmd} apt-get update -q || true
    ${sudo_cmd} apt-get install -y -q gcc-multilib || echo "warning: gcc-multilib not installed; bench.sh's i686 row will say so" >&2
fi

echo "==> building the guest shells (wasm32, riscv64imac) and the i686 runner"
(
    cd tests/peers/guests
    cargo build --release --target wasm32-unknown-unknown --examples --target-dir "${guests_dir}"
    cargo build --release --target riscv64imac-unknown-none-elf --bins --target-dir "${guests_dir}"
)
if ! cargo build --release --manifest-path tests/peers/Cargo.toml -p peers-native \
    --target i686-unknown-linux-gnu --target-dir "${guests_dir}"; then
    echo "warning: the i686 runner does not build (is gcc-multilib installed?); its row says so" >&2
fi

echo "==> building and running pvm-peers"
PVM_PEERS_GUESTS="${guests_dir}" cargo run --release --manifest-path tests/peers/Cargo.toml --bin pvm-peers -- "$@"
