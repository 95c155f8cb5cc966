#!/usr/bin/env bash
# The main job, on an embedded default (no node needed): build the guest programs in
# contracts/ from source, link one with our linker, then inspect and run it.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

echo "==> building polkatool and the guest programs (contracts/ -> RISC-V ELF -> .polkavm)"
cargo build --release -q -p polkatool -p guest-programs
blobs=target/blobs
target/release/write-blobs "$blobs"
polkatool=target/release/polkatool

echo
echo "==> polkatool disassemble $blobs/hello-world.latest32.polkavm"
"$polkatool" disassemble "$blobs/hello-world.latest32.polkavm"

echo
echo "==> polkatool link: the prime sieve's RISC-V ELF -> .polkavm with our linker"
"$polkatool" link target/guest/riscv64emac-unknown-none-polkavm/release/bench-prime-sieve -o "$blobs/prime-sieve.pvm-linker.polkavm"
"$polkatool" stats "$blobs/prime-sieve.pvm-linker.polkavm"

echo
echo "==> polkatool run: primes below ten million"
"$polkatool" run "$blobs/prime-sieve.pvm-linker.polkavm" --call initialize --call run --call get_result

echo
echo "==> polkatool run $blobs/hello-world.latest32.polkavm: polkatool's host provides no imports"
if "$polkatool" run "$blobs/hello-world.latest32.polkavm" --call add_numbers --args 1,2; then
    echo "unexpected success" >&2
    exit 1
fi
echo "(a clear error, as expected)"
