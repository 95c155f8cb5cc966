#!/usr/bin/env bash
# Installs what the project needs to build guest programs (contracts/) into
# PolkaVM blobs. Idempotent: safe to run repeatedly.
#
# Guest programs are built with the default *stable* toolchain plus
# RUSTC_BOOTSTRAP=1 (for `-Zbuild-std` and custom target JSONs), which needs
# the standard library sources (`rust-src`) to rebuild `core`/`alloc` for the
# PolkaVM RISC-V targets.
set -euo pipefail

if ! command -v rustup >/dev/null 2>&1; then
    echo "error: rustup not found; install it from https://rustup.rs first" >&2
    exit 1
fi

toolchain="${GUEST_TOOLCHAIN:-stable}"

if ! rustup toolchain list | grep -q "^${toolchain}"; then
    echo "==> installing toolchain ${toolchain}"
    rustup toolchain install "${toolchain}" --profile minimal
fi

if rustup component list --toolchain "${toolchain}" --installed | grep -q '^rust-src'; then
    echo "==> rust-src already installed for ${toolchain}"
else
    echo "==> installing rust-src for ${toolchain}"
    rustup component add rust-src --toolchain "${toolchain}"
fi

echo "==> setup complete"
