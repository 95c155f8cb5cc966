#!/usr/bin/env bash
# Contract execution on a chain, both ways in one run: contracts run on the node's
# `pvm` compiler through the `pvm-host` runtime interface (`--contracts-execution
# node`, the default), or in the runtime (`--contracts-execution runtime`: on a node,
# the interpreter inside the runtime's Wasm).
#
#   scripts/bench-chain.sh [--embedded-only] [REPEAT]     (default REPEAT: 10)
#
# The `compute` contract (contracts/compute: the benchmark programs' prime sieve and
# NES-like emulator) is deployed and dry-run REPEAT times per case with
# `pvm-client query --repeat`, which prints the first run's wall time (it includes the
# code's translation on the node), the median of the others and gas per second. The
# same contract, input and gas everywhere, so the gas/s figures compare directly:
#
# - the embedded chain (the native runtime in pvm-client's process): in the runtime on
#   the interpreter, in the runtime on the compiler, through pvm-host on the compiler;
# - pvm-node --dev (the runtime's Wasm): in the Wasm on the interpreter, and through
#   pvm-host on the node's compiler.
#
# A dry run is a runtime API call. The node's rows are measured again as plain HTTP
# `state_call`s of `ContractsApi_call` (python3's urllib; under a millisecond of
# overhead): a check on pvm-client's own figures, and what the README's table uses.
# Not part of the test command (building the node takes tens of minutes at first).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

embedded_only=false
if [ "${1:-}" = "--embedded-only" ]; then
    embedded_only=true
    shift
fi
repeat=${1:-10}
out="$root/target/bench-chain"
mkdir -p "$out"

scripts/setup.sh
unset SKIP_WASM_BUILD
if ! $embedded_only && ! command -v protoc >/dev/null 2>&1; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get install -y protobuf-compiler || { $sudo apt-get update && $sudo apt-get install -y protobuf-compiler; }
fi
SKIP_WASM_BUILD=1 cargo build --release -q -p pvm-client
cargo build --release -q -p polkatool
target/release/polkatool build contracts/compute --isa latest64 -o "$out" >/dev/null
client="$root/target/release/pvm-client"
blob="$out/compute.polkavm"

# The cases: a name and the call's arguments (message index, then its input).
# The emulator for 200 frames is 0.7 G gas; the empty sieve is a call's fixed cost
# (frame, code load, runtime call).
cases=(
    "emulator 200 frames|--arg u8:1 --arg u32:200"
    "sieve 1,048,448|--arg u8:0 --arg u32:1048448"
    "sieve 0 (the frame only)|--arg u8:0 --arg u32:0"
)

results="$out/results.md"
{
    echo "| chain | where contracts run | case | gas | first run | median (min-max) | Mgas/s |"
    echo "| --- | --- | --- | ---: | ---: | ---: | ---: |"
} >"$results"

# measure CHAIN-LABEL WHERE-LABEL CLIENT-ARGS...: runs every case with the client.
measure() {
    local chain=$1 where=$2
    shift 2
    local address
    address=$("$@" deploy "$blob" | sed -n 's/^contract: //p')
    [ -n "$address" ] || { echo "deploying the compute contract failed" >&2; exit 1; }
    for case in "${cases[@]}"; do
        local name=${case%%|*} args=${case#*|} output
        # shellcheck disable=SC2086
        output=$("$@" query "$address" $args --repeat "$repeat")
        echo "$chain / $where / $name:"
        grep -E "^(result|gas consumed|wall time)" <<<"$output" | sed 's/^/  /'
        local gas first median spread rate
        gas=$(sed -n 's/^gas consumed: \([0-9]*\),.*/\1/p' <<<"$output")
        first=$(sed -n 's/^wall time: first run \([0-9.]*\) ms.*/\1/p' <<<"$output")
        median=$(sed -n 's/.*then median \([0-9.]*\) ms.*/\1/p' <<<"$output")
        spread=$(sed -n 's/.*(min \([0-9.]*\), max \([0-9.]*\)).*/\1-\2/p' <<<"$output")
        rate=$(sed -n 's/.*; \([0-9.]*\) Mgas\/s$/\1/p' <<<"$output")
        echo "| $chain | $where | $name | $gas | $first ms | $median ms ($spread) | $rate |" >>"$results"
    done
}

# http_dry_runs CHAIN-LABEL WHERE-LABEL: times the cases as HTTP `state_call`s on the
# node at port 9977, against the contract `measure` deployed (Alice, empty salt).
http_dry_runs() {
    local case_args=()
    for case in "${cases[@]}"; do
        # "--arg u8:I --arg u32:N" -> "name|I|N"
        case_args+=("$(sed -E 's/^(.*)\|--arg u8:([0-9]+) --arg u32:([0-9]+)$/\1|\2|\3/' <<<"$case")")
    done
    python3 - "$1" "$2" "$blob" "$repeat" "${case_args[@]}" >>"$results" <<'PYTHON'
import hashlib, json, statistics, sys, time, urllib.request
chain, where, blob, repeat, cases = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5:]
blake2_256 = lambda data: hashlib.blake2b(data, digest_size=32).digest()
alice = bytes.fromhex("d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d")
code_hash = blake2_256(open(blob, "rb").read())
contract = blake2_256(b"pvm-contracts:address" + alice + code_hash)
for case in cases:
    name, index, argument = case.split("|")
    data = bytes([int(index)]) + int(argument).to_bytes(4, "little")
    # (origin, dest, value: u128, gas_limit: None, deposit_limit: None, data: Vec<u8>)
    args = alice + contract + bytes(16) + b"\0\0" + bytes([len(data) << 2]) + data
    body = json.dumps({"id": 1, "jsonrpc": "2.0", "method": "state_call",
                       "params": ["ContractsApi_call", "0x" + args.hex()]}).encode()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        request = urllib.request.Request("http://127.0.0.1:9977", body, {"Content-Type": "application/json"})
        reply = json.loads(urllib.request.urlopen(request).read())
        times.append((time.perf_counter() - started) * 1e3)
        if "result" not in reply:
            sys.exit(f"state_call failed: {reply}")
    first, rest = times[0], sorted(times[1:])
    print(f"| {chain} | {where} | {name} | | {first:.3f} ms | {statistics.median(rest):.3f} ms ({rest[0]:.3f}-{rest[-1]:.3f}) | |")
PYTHON
}

echo "==> embedded chain"
for setup in "in the runtime, interpreter|runtime|interpreter" "in the runtime, compiler|runtime|compiler" \
    "on the node (pvm-host), compiler|node|compiler"; do
    IFS='|' read -r label execution backend <<<"$setup"
    state="$out/embedded-$execution-$backend"
    rm -rf "$state"
    PVM_BACKEND=$backend measure "embedded" "$label" "$client" --state "$state" --contracts-execution "$execution"
done

if ! $embedded_only; then
    cargo build --release -q -p pvm-node
    node="$root/target/release/pvm-node"
    for execution in runtime node; do
        case $execution in
            runtime) label="in the runtime's Wasm, interpreter" ;;
            node) label="on the node (pvm-host), compiler" ;;
        esac
        echo "==> pvm-node --dev --contracts-execution $execution"
        "$node" --dev --tmp --rpc-port 9977 --port 30377 --no-prometheus --no-telemetry \
            --contracts-execution "$execution" >"$out/node-$execution.log" 2>&1 &
        pid=$!
        trap 'kill $pid 2>/dev/null || true' EXIT
        for _ in $(seq 1 60); do
            "$client" --url ws://127.0.0.1:9977 info >/dev/null 2>&1 && break
            sleep 1
        done
        "$client" --url ws://127.0.0.1:9977 info | grep "contracts run"
        measure "pvm-node --dev" "$label" "$client" --url ws://127.0.0.1:9977
        http_dry_runs "pvm-node --dev, HTTP" "$label"
        kill $pid
        wait $pid 2>/dev/null || true
        trap - EXIT
    done
fi

echo
echo "==> results (also in $results)"
cat "$results"
