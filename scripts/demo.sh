#!/usr/bin/env bash
# The main job, on an embedded default (no node needed): build the example token
# contract from source, deploy it on an embedded chain (the real runtime, run
# in-process), call it in signed transactions, query it, and show the events and gas.
# Then, for the VM alone: link a guest program with our linker and run it.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

# The embedded chain runs the runtime natively; its Wasm build is for nodes only.
export SKIP_WASM_BUILD=1

echo "==> building pvm-client and polkatool"
cargo build --release -q -p pvm-client -p polkatool
client=target/release/pvm-client
polkatool=target/release/polkatool
state=target/demo-chain
rm -rf "$state"

echo
echo "==> pvm-client deploy contracts/token 1000000 (built from source, with its metadata; 1,000,000 tokens to Alice)"
deployed=$("$client" --state "$state" deploy contracts/token 1000000 | tee /dev/stderr)
token=$(sed -n 's/^contract: //p' <<<"$deployed")

echo
echo "==> pvm-client call \$TOKEN transfer --to //Bob --value 250 (typed by the contract's metadata)"
"$client" --state "$state" call "$token" transfer --to //Bob --value 250

echo
echo "==> pvm-client query \$TOKEN balance_of //Bob (a dry run; the return value decoded)"
"$client" --state "$state" query "$token" balance_of //Bob

echo
echo "==> pvm-client call --suri //Bob: Bob tries to send 1,000 tokens; the dry run shows the revert, nothing is sent"
if "$client" --state "$state" call --suri //Bob "$token" transfer --to //Charlie --value 1000; then
    echo "unexpected success" >&2
    exit 1
fi

echo
echo "==> pvm-client events --last 2"
"$client" --state "$state" events --last 2

echo
echo "==> the VM alone: polkatool link + run, primes below ten million (bench-prime-sieve)"
cargo build --release -q -p guest-programs
"$polkatool" link target/guest/riscv64emac-unknown-none-polkavm/release/bench-prime-sieve -o target/prime-sieve.polkavm
"$polkatool" run target/prime-sieve.polkavm --call initialize --call run --call get_result
