#!/usr/bin/env bash
# Runs the cargo-fuzz targets of fuzz/ for a while each and prints one summary line per
# target.
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
#   SECONDS  how long each target runs (default 60)
#   TARGET   blob_parse, blob_mutate, differential, link_elf (default: all four)
#
# Installs what it needs: the nightly toolchain (cargo-fuzz builds with sanitizers, a
# nightly feature) and cargo-fuzz. All targets are built once, with
# `cargo +nightly fuzz build -O` (release, AddressSanitizer) into fuzz/target, which is
# kept between runs. Each target then runs for SECONDS on its working corpus
# fuzz/corpus-work/TARGET (kept between runs; delete it to start over), seeded from the
# committed corpus fuzz/corpus/TARGET (blob_mutate uses blob_parse's). Crashing inputs
# go to fuzz/artifacts/TARGET, libFuzzer's output to fuzz/logs/TARGET.log.
#
# Resident memory and single allocations are limited to 8 GiB: a guest may legitimately
# grow its heap to nearly 4 GiB, and the interpreter then backs it with one allocation
# that growing copies (a 4 GiB limit stopped a campaign on such a program).
#
# Exits non-zero if the build failed or any target crashed (a panic, a sanitizer
# report, a timeout or running out of memory).
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(blob_parse blob_mutate differential link_elf)
seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]]; then
    echo "usage: scripts/fuzz.sh [SECONDS] [TARGET...]" >&2
    exit 2
fi
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=("${all_targets[@]}")
fi
for target in "${targets[@]}"; do
    if [ ! -f "fuzz/fuzz_targets/$target.rs" ]; then
        echo "error: unknown fuzz target '$target' (known: ${all_targets[*]})" >&2
        exit 2
    fi
done

if ! command -v rustup >/dev/null 2>&1; then
    echo "error: rustup not found; install it from https://rustup.rs first" >&2
    exit 1
fi
if ! rustup toolchain list | grep -q "^nightly"; then
    echo "==> installing the nightly toolchain"
    rustup toolchain install nightly --profile minimal
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "==> installing cargo-fuzz"
    cargo install cargo-fuzz --version "^0.13" --locked
fi

# The committed seeds of each target.
seeds_of() {
    case "$1" in
        blob_mutate) echo fuzz/corpus/blob_parse ;;
        *) echo "fuzz/corpus/$1" ;;
    esac
}

mkdir -p fuzz/logs
start=$(date +%s)
echo "==> building the fuzz targets (cargo +nightly fuzz build -O)"
if ! (cd fuzz && cargo +nightly fuzz build -O) >fuzz/logs/build.log 2>&1; then
    tail -n 40 fuzz/logs/build.log
    echo "error: the fuzz targets failed to build (full output: fuzz/logs/build.log)" >&2
    exit 1
fi
echo "    built in $(($(date +%s) - start)) s"

# One value from libFuzzer's last status line ("#N DONE cov: X ft: Y corp: C/S ...").
status_field() {
    { grep -E '^#[0-9]+.*cov: ' "$2" || true; } | tail -n 1 | sed -E "s/.*$1: ([^ ]+).*/\\1/"
}

summary=()
failed=0
for target in "${targets[@]}"; do
    work="fuzz/corpus-work/$target"
    artifacts="fuzz/artifacts/$target"
    log="fuzz/logs/$target.log"
    seeds=$(seeds_of "$target")
    mkdir -p "$work" "$artifacts" "$seeds"
    marker=$(mktemp)
    echo "==> $target: ${seconds} s (corpus $work, seeds $seeds)"
    status=0
    (cd fuzz && cargo +nightly fuzz run -O "$target" "../$work" "../$seeds" -- \
        -max_total_time="$seconds" -rss_limit_mb=8192 -malloc_limit_mb=8192 -timeout=30 -print_final_stats=1 \
        -artifact_prefix="../$artifacts/") >"$log" 2>&1 || status=$?

    # libFuzzer also writes inputs that took over 10 s as slow-unit-* artifacts: a
    # program may legitimately be slow (touching gigabytes of guest memory under
    # AddressSanitizer), so they are counted, not failed; -timeout fails what hangs.
    new_artifacts=$(find "$artifacts" -type f -newer "$marker" ! -name 'slow-unit-*')
    crashes=$(printf '%s' "$new_artifacts" | grep -c . || true)
    slow=$(find "$artifacts" -type f -newer "$marker" -name 'slow-unit-*' | grep -c . || true)
    rm -f "$marker"
    executions=$({ grep -E '^stat::number_of_executed_units:' "$log" || true; } | awk '{print $2}' | tail -n 1)
    executions="${executions:-$({ grep -oE '^#[0-9]+' "$log" || true; } | tail -n 1 | tr -d '#')}"
    cov=$(status_field cov "$log")
    ft=$(status_field ft "$log")
    corp=$(status_field corp "$log")
    files=$(find "$work" -type f | wc -l)
    result="ok"
    if [ "$crashes" -gt 0 ]; then
        result="CRASHED"
    elif [ "$status" -ne 0 ]; then
        result="FAILED (exit $status)"
    fi
    if [ "$result" != "ok" ]; then
        failed=1
        pattern="panicked at|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)"
        if grep -qE "$pattern" "$log"; then
            grep -E -A 6 "$pattern" "$log" | head -n 40 || true
        else
            tail -n 20 "$log"
        fi
        printf '%s\n' "$new_artifacts" | grep . | head -n 5 | sed 's/^/    artifact: /' || true
    fi
    corp="${corp:-?/?}"
    line=$(printf '%-13s %10s execs  cov %6s  ft %6s  corpus %5s entries (%s, %s files)  crashes %s  slow %s  %s' \
        "$target" "${executions:-0}" "${cov:-?}" "${ft:-?}" "${corp%%/*}" "${corp#*/}" "$files" "$crashes" "$slow" "$result")
    echo "    $line"
    summary+=("$line")
done

echo
echo "==> fuzzing summary (${seconds} s per target, $(($(date +%s) - start)) s in all; logs in fuzz/logs)"
printf '%s\n' "${summary[@]}"
exit "$failed"
