#!/usr/bin/env bash
# The multi-node test: a solo chain of three pvm-node validators (Aura + GRANDPA) on
# loopback, spawned and checked by zombienet (npm `@zombienet/cli`, native provider):
# peers, block production, finality, the token contract deployed and called with
# pvm-client over RPC, hostile contracts attacking a node, and a validator paused and
# restarted. See zombienet/.
#
#   scripts/network-test.sh [ZNDSL]      (default: zombienet/0001-network.zndsl)
#
# Installs what it needs (protoc from Debian's protobuf-compiler if missing, the npm
# packages of zombienet/), builds pvm-node (with the runtime's Wasm blob), pvm-client
# and the token contract's blob in release mode, then runs the test. Exits non-zero if
# anything fails. The node's first build takes a long time (tens of minutes on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

zndsl=$(realpath "${1:-zombienet/0001-network.zndsl}")
out="$root/target/network-test"

step() { echo; echo "==> $*"; }

timings=()
phase_start=0
begin() { step "$*"; phase_name=$*; phase_start=$(date +%s); }
end() { timings+=("$(printf '%5ds  %s' $(($(date +%s) - phase_start)) "$phase_name")"); }
report() {
    local status=$?
    if [ "${#timings[@]}" -gt 0 ]; then
        echo
        echo "==> timings"
        printf '%s\n' "${timings[@]}"
    fi
    if [ "$status" -ne 0 ]; then
        echo "network test FAILED (exit $status) during: ${phase_name:-setup}" >&2
    fi
}
trap report EXIT

begin "toolchain (scripts/setup.sh)"
scripts/setup.sh
end

# The node's networking (sc-network, litep2p) compiles protobuf definitions at build time.
if ! command -v protoc >/dev/null 2>&1; then
    begin "installing protoc (Debian protobuf-compiler)"
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get install -y protobuf-compiler || { $sudo apt-get update && $sudo apt-get install -y protobuf-compiler; }
    end
fi

begin "npm ci (zombienet/)"
(cd zombienet && npm ci --no-audit --no-fund)
end

# Each in its own cargo invocation: one with all three would unify their dependencies'
# features and rebuild crates that the separate builds (and the other scripts) share.
# The node needs the runtime's Wasm blob, so SKIP_WASM_BUILD must not be set.
unset SKIP_WASM_BUILD
begin "cargo build --release -p pvm-node"
cargo build --release -p pvm-node
end

begin "cargo build --release -p pvm-client"
cargo build --release -p pvm-client
end

# Built from source and linked by our own linker (Latest64), as a contract author does.
begin "the token contract's blob (polkatool build contracts/token)"
cargo build --release -q -p polkatool
mkdir -p "$out/blobs"
target/release/polkatool build contracts/token --isa latest64 -o "$out/blobs"
end

# The hostile-contract test against a node (client/tests/node_hostile.rs), built here and
# run by zombienet/hostile.sh.
begin "the hostile-contract test (cargo test --no-run -p pvm-client --test node_hostile)"
hostile_test=$(cargo test --release -q -p pvm-client --test node_hostile --no-run --message-format=json |
    sed -n 's/.*"executable":"\([^"]*node_hostile[^"]*\)".*/\1/p' | tail -n 1)
test -x "$hostile_test"
end

# zombienet/network.toml runs `pvm-node` from PATH; the run scripts of the .zndsl find
# pvm-client, the blob and the hostile test through these variables.
export PATH="$root/target/release:$PATH"
export PVM_CLIENT="$root/target/release/pvm-client"
export PVM_TOKEN_BLOB="$out/blobs/token.polkavm"
export PVM_HOSTILE_TEST="$hostile_test"
export PVM_HOSTILE_LOG="$out/hostile.log"
test -f "$PVM_TOKEN_BLOB"

# zombienet's own files (chain spec, keystores, each node's log: <dir>/<node>.log).
rm -rf "$out/zombienet"
begin "zombienet -p native test $(realpath --relative-to="$root" "$zndsl")  (logs: target/network-test/zombienet)"
# zombienet/node_modules/.bin/zombienet is what `npx zombienet` runs in zombienet/; called
# by path, because the test runs from the .zndsl's folder (its relative paths) and npx
# would look for a `zombienet` package on the registry from anywhere else.
zombienet="$root/zombienet/node_modules/.bin/zombienet"
(cd "$(dirname "$zndsl")" && "$zombienet" -p native -l text -d "$out/zombienet" -f test "$(basename "$zndsl")")
end

echo
echo "network test passed"
