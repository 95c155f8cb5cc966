#!/usr/bin/env bash
# Installs everything the project needs on a fresh machine of this image.
# Idempotent: safe to run repeatedly.
#
# - rust-src: guest programs (contracts/) are built with the default *stable*
#   toolchain plus RUSTC_BOOTSTRAP=1 (for `-Zbuild-std` and custom target JSONs),
#   which rebuilds `core`/`alloc` for the PolkaVM RISC-V targets from source.
# - nightly with rust-src: the seed's own build command, `cargo build -Z build-std=...`
#   from a guest crate's folder (guest-sdk/template), runs on the nightly toolchain
#   that the crate's rust-toolchain.toml selects.
# - wasm32v1-none: the VM must build `no_std` for a chain's Wasm runtime.
# - clippy, rustfmt: the test command checks lints and formatting.
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

installed_components=$(rustup component list --toolchain "${toolchain}" --installed)
for component in rust-src clippy rustfmt; do
    if ! grep -q "^${component}" <<<"${installed_components}"; then
        echo "==> installing ${component} for ${toolchain}"
        rustup component add "${component}" --toolchain "${toolchain}"
    fi
done

if ! rustup target list --toolchain "${toolchain}" --installed | grep -q '^wasm32v1-none$'; then
    echo "==> installing the wasm32v1-none target for ${toolchain}"
    rustup target add wasm32v1-none --toolchain "${toolchain}"
fi

# The seed's workflow (guest-sdk/template/rust-toolchain.toml): nightly + rust-src.
if ! rustup toolchain list | grep -q "^nightly"; then
    echo "==> installing the nightly toolchain"
    rustup toolchain install nightly --profile minimal
fi
if ! rustup component list --toolchain nightly --installed | grep -q "^rust-src"; then
    echo "==> installing rust-src for nightly"
    rustup component add rust-src --toolchain nightly
fi

echo "==> setup complete"
